"""The vocabulary shard of the synthetic CDM: vocabularies, concepts and their FHIR systems.

Concept ids are this generator's own, from 2,000,000,001 up (the OMOP range for
site-specific concepts), except the well-known OMOP ids that readers rely on (docs/omop.md):
gender 8507/8532, visits 9201/9202/9203/262, the EHR type concept 32817, the CDM version
concept 756265, and the UCUM unit ids of the OMOP vocabulary (as in the Synthea27Nj
vocabulary subset in ``shared/data/omop-synthea27nj-cdm54``).

Every concept the generator can use is registered here once, so the ``concept`` table holds
each of them and every ICD-10-CM (non-standard) concept has exactly one ``Maps to`` row to
its SNOMED CT concept. Each standard concept is the target of at most one source concept:
docs/omop.md gives a fact the codes of *every* concept that maps to its concept, so two
source codes with different sides of the body mapping to one concept would make both sides.
"""

from __future__ import annotations

from dataclasses import dataclass

from trialdesk.facts.codesystems import OMOP_VOCABULARIES, OMOP_VOCABULARY_NAMES

__all__ = [
    "FIRST_OWN_ID",
    "VOCABULARIES",
    "Concept",
    "Vocab",
]

FIRST_OWN_ID = 2_000_000_001

# The vocabularies the generator writes, in this order: code systems (their names and FHIR
# URIs from the code-system table, facts/code_systems.yaml), then OMOP's own.
_CODED = ("SNOMED", "LOINC", "ICD10CM", "RxNorm", "CVX", "CPT4", "UCUM", "HL7 consentscope")
_OMOP_OWN = {
    "Gender": "OMOP Gender",
    "Visit": "OMOP Visit",
    "Meas Value": "OMOP Measurement Value",
    "Type Concept": "OMOP Type Concept",
    "CDM": "OMOP Common DataModel",
    "Vocabulary": "OMOP Vocabulary",
    "None": "OMOP Standardized Vocabularies",
}

#: OMOP vocabulary_id -> (vocabulary_name, FHIR code system URI or None when FHIR has none).
VOCABULARIES: dict[str, tuple[str, str | None]] = {
    **{v: (OMOP_VOCABULARY_NAMES[v], OMOP_VOCABULARIES[v]) for v in (*_CODED, "trialdesk")},
    **{v: (name, None) for v, name in _OMOP_OWN.items()},
}


@dataclass(frozen=True, slots=True)
class Concept:
    """One row of the ``concept`` table."""

    id: int
    vocabulary: str
    code: str
    name: str
    domain: str
    klass: str
    standard: bool


class Vocab:
    """The registry: concepts by (vocabulary_id, concept_code), and the ``Maps to`` pairs."""

    def __init__(self) -> None:
        self.concepts: list[Concept] = []
        self.maps_to: list[tuple[int, int]] = []  # (source concept, standard concept)
        self._by_key: dict[tuple[str, str], Concept] = {}
        self._by_id: dict[int, Concept] = {}
        self._next = FIRST_OWN_ID

    def add(
        self,
        vocabulary: str,
        code: str,
        name: str,
        domain: str,
        klass: str,
        *,
        standard: bool = True,
        fixed_id: int | None = None,
    ) -> int:
        """Register a concept (idempotent for the same key) and return its id."""
        if vocabulary not in VOCABULARIES:
            raise ValueError(f"unknown vocabulary {vocabulary!r}")
        key = (vocabulary, code)
        found = self._by_key.get(key)
        if found is not None:
            if found.name != name:
                raise ValueError(f"{vocabulary} {code} registered as {found.name!r} and {name!r}")
            return found.id
        cid = fixed_id
        if cid is None:
            cid, self._next = self._next, self._next + 1
        if cid in self._by_id:
            raise ValueError(f"concept id {cid} used twice")
        concept = Concept(cid, vocabulary, code, name, domain, klass, standard)
        self.concepts.append(concept)
        self._by_key[key] = concept
        self._by_id[cid] = concept
        return cid

    def add_mapped(
        self, vocabulary: str, code: str, name: str, domain: str, klass: str, target: int
    ) -> int:
        """Register a non-standard source concept with a ``Maps to`` row to ``target``."""
        cid = self.add(vocabulary, code, name, domain, klass, standard=False)
        pair = (cid, target)
        if pair not in self.maps_to:
            if any(t == target for _, t in self.maps_to):
                raise ValueError(f"{target} is already the target of another source concept")
            self.maps_to.append(pair)
        return cid

    def id(self, vocabulary: str, code: str) -> int:
        return self._by_key[(vocabulary, code)].id

    def get(self, cid: int) -> Concept:
        return self._by_id[cid]

    def mapped_from(self, target: int) -> list[int]:
        """The source concepts that map to ``target``."""
        return [s for s, t in self.maps_to if t == target]
