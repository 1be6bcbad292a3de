"""Routes of administration, from one table (``routes.yaml`` beside this module, with its
sources): how criteria group them (parenteral, oral, else local), the SNOMED CT code and
display of each, and the words EHRs write instead of a code.

The evaluator (criteria/medications.py), the SQL's route column (criteria/sql/codes.py,
which calls the evaluator's own route_of), the self-check and staff fact entry all read it.
"""

from __future__ import annotations

import functools
import re
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
    "normalise",
    "route_named",
    "routes_said",
]

_TABLE: dict[str, Any] = yaml.safe_load(
    Path(__file__).with_name("routes.yaml").read_text(encoding="utf-8")
)


def normalise(text: str) -> str:
    """A route as compared: lower case, a SNOMED CT semantic tag ("(qualifier value)") and
    hyphens dropped, spaces collapsed ("Intra-articular route (qualifier value)" ->
    "intraarticular route")."""
    text = _TAG.sub("", text.lower()).replace("-", "").replace("_", " ")
    return " ".join(text.split())


_TAG = re.compile(r"\s*\((?:qualifier value|route|administration method)\)\s*$")


def _codes(row: Mapping[str, Any]) -> set[str]:
    return {str(row[k]) for k in ("snomed", "edqm") if k in row}


def _words(group: str) -> frozenset[str]:
    """Every code and word of one group, normalised."""
    out: set[str] = set()
    for row in _TABLE["routes"].values():
        if row["group"] == group:
            out |= _codes(row) | {normalise(str(w)) for w in row.get("words", ())}
    if group == "parenteral":
        out |= {normalise(str(w)) for w in _TABLE["parenteral_words"]}
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
    name: frozenset(_codes(row) | {normalise(str(w)) for w in row.get("words", ())})
    for name, row in _TABLE["routes"].items()
}


def _phrase(word: str) -> str:
    # whole words in a longer text; scripts without spaces (Chinese) as substrings
    edge = word[0].isascii()
    return rf"(?<![0-9a-z]){re.escape(word)}(?![0-9a-z])" if edge else re.escape(word)


_SAYS: Mapping[str, re.Pattern[str]] = {
    name: re.compile("|".join(_phrase(w) for w in sorted(words, key=len, reverse=True)))
    for name, words in ROUTE_WORDS.items()
}
_GROUPS: Mapping[str, str] = {name: row["group"] for name, row in _TABLE["routes"].items()}


@functools.lru_cache(maxsize=4096)
def _routes_in(text: str) -> frozenset[str]:
    said = normalise(text)
    return frozenset(name for name, pattern in _SAYS.items() if pattern.search(said))


def routes_said(words: Iterable[str]) -> frozenset[str]:
    """The routes of the table that codes or texts say: a code exactly, a word of the
    table as whole words anywhere in a text ("Intra-articular injection", "关节腔内注射",
    EDQM "Intraarticular use")."""
    out: frozenset[str] = frozenset()
    for word in words:
        if word:
            out |= _routes_in(word)
    return out


def route_named(words: Iterable[str], names: Iterable[str]) -> str | None:
    """The first of the named routes (routes.yaml) the codes and words say."""
    said = routes_said(words)
    return next((name for name in names if name in said), None)


def group_of(words: Iterable[str]) -> str | None:
    """'parenteral', 'oral' or 'local' for the codes and words a route is written with;
    None when none of them is known. A route the table names decides (an "intra-articular
    injection" is local); only then a bare "injection" says parenteral."""
    words = tuple(words)
    groups = {_GROUPS[name] for name in routes_said(words)}
    if not groups and {normalise(w) for w in words} & PARENTERAL_ROUTES:
        groups.add("parenteral")
    for group in ("parenteral", "oral", "local"):
        if group in groups:
            return group
    return None
