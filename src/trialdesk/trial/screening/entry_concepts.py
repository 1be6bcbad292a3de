"""What a coordinator can enter on a screening page: the value sets the study's criteria
read, each with the fields and coded answers it takes.

A concept is one value set (``alt``, ``methotrexate``, ``knee_ultrasound_synovitis``). Its
kind decides the form: a number with a unit (labs, vitals, scores), a coded answer
(qualitative labs, findings), or an event with dates and codes (conditions, medications,
procedures, vaccines, devices).

One concept is no value set: ``clinical_record_reviewed``, the coordinator's attestation
that the candidate's full clinical record was reviewed (a date and the record searched,
e.g. the hospital HIS chart). It puts no fact on the record; it makes the record entered
by hand one over which history is closed-world (checklist.py ``record_of``; docs/criteria.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from trialdesk.clinical.valuesets import CodeEntry, ValueSet
from trialdesk.criteria.joint_counts import JOINT_VALUESETS
from trialdesk.criteria.nodes import Call, Type, walk
from trialdesk.criteria.signatures import SIGNATURES
from trialdesk.facts.codesystems import SYSTEMS
from trialdesk.facts.record import FactKind

if TYPE_CHECKING:
    from trialdesk.study.loader import Study

__all__ = [
    "ANSWER_ALIASES",
    "ATTESTATION",
    "EVENT_KINDS",
    "EntryConcept",
    "QUANTITY_KINDS",
    "concepts_by_name",
    "concepts_read",
    "default_entry",
    "entry_concepts",
    "is_attestation",
    "is_quantity",
]


@dataclass(frozen=True)
class EntryConcept:
    """One choice for the form's concept select box."""

    name: str
    title: str
    kind: str
    unit: str | None
    answers: tuple[str, ...]  # allowed coded answers (empty for quantities and events)
    # ("system|code", display) a medication, condition, procedure, vaccine or device may be
    # recorded with; required for a medication set naming several drugs (see to_fact)
    codes: tuple[tuple[str, str], ...] = ()


# The attestation "the full clinical record was reviewed": its own kind, whose form takes
# the review's date and the record searched only (fact_entry.py ``check_attestation``).
# Its name is reserved: a study's value set of that name is not offered for entry.
ATTESTATION = EntryConcept(
    name="clinical_record_reviewed",
    title="Full clinical record reviewed",
    kind="attestation",
    unit=None,
    answers=(),
)


def is_attestation(concept: str | None) -> bool:
    return concept is not None and concept.strip() == ATTESTATION.name


# Value sets the engine reads without a rule naming them (criteria/measures.py,
# criteria/ra_classification.py), by the function that reads them.
IMPLICIT: dict[str, tuple[str, ...]] = {
    "crcl_cockcroft_gault": ("creatinine", "body_weight"),
    "bmi": ("bmi", "body_weight", "body_height"),
    "acr_eular_2010": (
        "rheumatoid_arthritis",
        *JOINT_VALUESETS,
        "rheumatoid_factor",
        "anti_ccp",
        "crp",
        "esr",
    ),
}


QUANTITY_KINDS = frozenset({"lab", "vital", "score"})


EVENT_KINDS: dict[str, FactKind] = {
    "condition": FactKind.CONDITION,
    "medication": FactKind.MEDICATION,
    "procedure": FactKind.PROCEDURE,
    "vaccine": FactKind.IMMUNIZATION,
    "device": FactKind.DEVICE,
}


QUALITATIVE = ("positive", "negative", "indeterminate")  # a lab with no unit (HBsAg, HIV)


FINDING = ("present", "absent")  # an imaging finding, a questionnaire item


TEST_RESULT = ("abnormal", "normal")  # a finding coded as a test (LOINC: an ECG)


# A questionnaire's yes/no answers a present/absent finding.
ANSWER_ALIASES: dict[str, str] = {"yes": "present", "no": "absent"}


_ALIAS_OF = {uri: alias for alias, uri in SYSTEMS.items()}


def concepts_read(study: Study) -> frozenset[str]:
    """Names of the value sets the study's criteria read: named in a rule or review, as a
    function's argument or a value-set option (``excluding=``), or read by a function
    itself (IMPLICIT)."""
    names: set[str] = set()
    for criterion in study.criteria.criteria:
        for tree in (criterion.rule, criterion.review):
            if tree is None:
                continue
            for node in walk(tree):
                if not isinstance(node, Call):
                    continue
                names.update(node.valuesets)
                names.update(IMPLICIT.get(node.name, ()))
                signature = SIGNATURES.get(node.name)
                for key, option in node.options:
                    spec = signature.options.get(key) if signature else None
                    if spec is not None and spec.type is Type.VALUESET and isinstance(option, str):
                        names.add(option)
    return frozenset(n for n in names if n in study.valuesets)


_CACHE: dict[int, tuple[Study, dict[str, EntryConcept]]] = {}


def concepts_by_name(study: Study) -> dict[str, EntryConcept]:
    """The entry concepts by name, computed once per loaded study."""
    cached = _CACHE.get(id(study))
    if cached is None or cached[0] is not study:
        found = sorted(
            (
                ATTESTATION,
                *(
                    _concept(study.valuesets[n])
                    for n in concepts_read(study)
                    if n != ATTESTATION.name
                ),
            ),
            key=lambda c: (c.kind, c.title.casefold(), c.name),
        )
        cached = _CACHE[id(study)] = (study, {c.name: c for c in found})
    return cached[1]


def entry_concepts(study: Study) -> list[EntryConcept]:
    """The value sets this study's criteria read, and the record-review attestation,
    sorted by kind then title (the attestation first)."""
    return list(concepts_by_name(study).values())


def is_quantity(vs: ValueSet) -> bool:
    return vs.kind in QUANTITY_KINDS and vs.unit is not None


def _answers(vs: ValueSet) -> tuple[str, ...]:
    if vs.kind in QUANTITY_KINDS:
        return () if vs.unit is not None else QUALITATIVE
    if vs.kind == "finding":
        # a finding coded as a test (LOINC "EKG study") has a normal or abnormal result;
        # one coded as the finding itself ("knee synovitis on ultrasound") is there or not
        return TEST_RESULT if default_entry(vs).system == SYSTEMS["loinc"] else FINDING
    return ()


def _key(entry: CodeEntry) -> str:
    return f"{_ALIAS_OF.get(entry.system, entry.system)}|{entry.code}"


def _concept(vs: ValueSet) -> EntryConcept:
    codes: tuple[tuple[str, str], ...] = ()
    if vs.kind in EVENT_KINDS:
        codes = tuple((_key(e), e.display or e.code) for e in vs.entries)
    return EntryConcept(
        name=vs.name,
        title=vs.title,
        kind=vs.kind,
        unit=vs.unit if is_quantity(vs) else None,
        answers=_answers(vs),
        codes=codes,
    )


def default_entry(vs: ValueSet) -> CodeEntry:
    """The code a fact is recorded with when none is chosen: the set's first exact code
    (as the self-check records its facts, selfcheck/record.py coding_for)."""
    return next((e for e in vs.entries if not e.prefix), vs.entries[0])
