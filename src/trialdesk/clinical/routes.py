"""Routes of administration, from one table (``routes.yaml`` beside this module, with its
sources): how criteria group them (parenteral, oral, else local), the SNOMED CT code and
display of each, and the words EHRs write instead of a code.

The evaluator (criteria/medications.py), the SQL's route column (criteria/sql/codes.py,
which calls the evaluator's own route_of), the self-check and staff fact entry all read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "CRITERIA_GROUPS",
    "LABEL_HINTS",
    "LOCAL_ROUTES",
    "ORAL_ROUTES",
    "PARENTERAL_ROUTES",
    "ROUTES",
    "ROUTE_WORDS",
    "group_of",
    "route_named",
]

_TABLE: dict[str, Any] = yaml.safe_load(
    Path(__file__).with_name("routes.yaml").read_text(encoding="utf-8")
)


def _words(group: str) -> frozenset[str]:
    """Every code and word of one group, as route_of compares them (lower case)."""
    out: set[str] = set()
    for row in _TABLE["routes"].values():
        if row["group"] == group:
            out |= {str(row["snomed"])} if "snomed" in row else set()
            out |= {str(w).lower() for w in row.get("words", ())}
    if group == "parenteral":
        out |= {str(w).lower() for w in _TABLE["parenteral_words"]}
    return frozenset(out)


PARENTERAL_ROUTES = _words("parenteral")
ORAL_ROUTES = _words("oral")
# a drug given this way is "local" even when its name says "injection"
LOCAL_ROUTES = _words("local")

#: The groups a criterion may ask for (``route="parenteral"|"oral"``).
CRITERIA_GROUPS: tuple[str, ...] = tuple(_TABLE["criteria_groups"])

#: Words in a fact's own name that say its group when neither route nor product does.
LABEL_HINTS: Mapping[str, tuple[str, ...]] = {
    group: tuple(words) for group, words in _TABLE["label_hints"].items()
}

#: The routes a person may enter (self-check answers, staff fact entry): name -> (SNOMED CT
#: code, display), in the table's order.
ROUTES: Mapping[str, tuple[str, str]] = {
    name: (str(row["snomed"]), str(row["display"]))
    for name, row in _TABLE["routes"].items()
    if row.get("enter")
}


#: Every route of the table by name, with the SNOMED CT code and words that say it (lower
#: case): a value set may take in every medicine given by a route (``routes:``).
ROUTE_WORDS: Mapping[str, frozenset[str]] = {
    name: frozenset({str(row["snomed"])} if "snomed" in row else set())
    | frozenset(str(w).lower() for w in row.get("words", ()))
    for name, row in _TABLE["routes"].items()
}


def route_named(words: Iterable[str], names: Iterable[str]) -> str | None:
    """The first of the named routes (routes.yaml) the codes and words (lower case) say."""
    said = set(words)
    for name in names:
        if said & ROUTE_WORDS[name]:
            return name
    return None


def group_of(words: Iterable[str]) -> str | None:
    """'parenteral', 'oral' or 'local' for the codes and words a route is written with
    (lower case); None when none of them is known."""
    said = set(words)
    if said & PARENTERAL_ROUTES:
        return "parenteral"
    if said & ORAL_ROUTES:
        return "oral"
    if said & LOCAL_ROUTES:
        return "local"
    return None
