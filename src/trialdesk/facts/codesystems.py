"""The code systems trialdesk reads, from one table (``code_systems.yaml`` beside this
module, with its sources): canonical URIs, the other spellings real exports send, the OMOP
vocabularies that carry each system, and which systems write codes with optional dots.

Value sets name systems by alias (:data:`SYSTEMS`); the FHIR adapter makes incoming
systems canonical (:func:`canonical_uri`); the OMOP adapter and the synthetic generator map
vocabularies to URIs (:data:`OMOP_VOCABULARIES`); the side reader knows SNOMED CT and
ICD-10-CM by every spelling (:func:`spellings`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "DOTTED",
    "OMOP_VOCABULARIES",
    "OMOP_VOCABULARY_NAMES",
    "SYSTEMS",
    "TERMINOLOGY",
    "canonical_uri",
    "read_uri",
    "spellings",
]

_TABLE: dict[str, Any] = yaml.safe_load(
    Path(__file__).with_name("code_systems.yaml").read_text(encoding="utf-8")
)
_ROWS: dict[str, dict[str, Any]] = {**_TABLE["systems"], **_TABLE["terminology"]}

#: Alias used in the value-set files -> canonical code-system URI (as FHIR names it).
SYSTEMS: Mapping[str, str] = {alias: row["uri"] for alias, row in _TABLE["systems"].items()}

#: HL7's own code systems (statuses, classes, categories) by their name -> URI.
TERMINOLOGY: Mapping[str, str] = {name: row["uri"] for name, row in _TABLE["terminology"].items()}

#: Other spellings of the same systems (HL7 OIDs, a trailing slash) -> the canonical URI.
_SYNONYMS: dict[str, str] = {
    other: row["uri"] for row in _ROWS.values() for other in row.get("also", ())
}

#: Hierarchical systems written with optional dots: compared dot- and case-insensitively.
DOTTED = frozenset(row["uri"] for row in _ROWS.values() if row.get("dotted"))

#: OMOP vocabulary_id -> the code system URI FHIR (and the value sets) use.
OMOP_VOCABULARIES: Mapping[str, str] = {
    vocabulary: row["uri"] for row in _ROWS.values() for vocabulary in row.get("omop") or {}
}

#: OMOP vocabulary_id -> the vocabulary_name written for it (where the table gives one).
OMOP_VOCABULARY_NAMES: Mapping[str, str] = {
    vocabulary: name
    for row in _ROWS.values()
    for vocabulary, name in (row.get("omop") or {}).items()
    if name is not None
}


#: The other spellings the FHIR reader makes canonical as it reads (see ``read_as_sent``).
_READ_SYNONYMS: dict[str, str] = {
    other: row["uri"]
    for row in _ROWS.values()
    if not row.get("read_as_sent")
    for other in row.get("also", ())
}


def canonical_uri(system: str) -> str:
    """The canonical URI of a system as an export spells it (unknown systems unchanged)."""
    return _SYNONYMS.get(system, system)


def read_uri(system: str) -> str:
    """A system as the FHIR reader records it: canonical, except the spellings of the
    systems marked ``read_as_sent``, kept as sent (code_systems.yaml says why)."""
    return _READ_SYNONYMS.get(system, system)


def spellings(alias: str) -> frozenset[str]:
    """Every way an export may spell one system: its URI and its other spellings."""
    row = _ROWS[alias]
    return frozenset({row["uri"], *row.get("also", ())})
