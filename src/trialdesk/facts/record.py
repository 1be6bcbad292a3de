"""PatientRecord: one person as a dated timeline of clinical facts.

Adapters (FHIR, OMOP, web forms, synthetic) all produce this one shape, so the eligibility
engine never sees a source format. A fact keeps the id of the resource it came from, so
evidence can always point back to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class FactKind(StrEnum):
    """What sort of event a fact records (names follow FHIR resource types)."""

    CONDITION = "condition"
    OBSERVATION = "observation"  # labs, vitals, scores, imaging findings, questionnaire answers
    MEDICATION = "medication"  # requests, statements, administrations, dispenses
    PROCEDURE = "procedure"
    IMMUNIZATION = "immunization"
    DEVICE = "device"
    ENCOUNTER = "encounter"
    ALLERGY = "allergy"
    CONSENT = "consent"
    STUDY = "study"  # participation in a research study (FHIR ResearchSubject)


# Kinds that are clinical data: a consent or a study participation alone is no history.
CLINICAL_KINDS = frozenset(FactKind) - {FactKind.CONSENT, FactKind.STUDY}


class Laterality(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"


@dataclass(frozen=True, slots=True)
class Coding:
    """One code from one code system; ``system`` is the canonical URI."""

    system: str
    code: str
    display: str | None = None


@dataclass(frozen=True, slots=True)
class Quantity:
    """A numeric value with its UCUM unit as received (normalised when a criterion reads it)."""

    value: float
    unit: str | None  # UCUM code when the source gave one, else the unit text
    comparator: str | None = None  # FHIR Quantity.comparator: <, <=, >=, >


@dataclass(frozen=True, slots=True)
class Dose:
    """A medication dose per administration and how often per day, when the source says."""

    quantity: Quantity
    per_day: float | None = None  # administrations per day (from timing), when known


@dataclass(frozen=True, slots=True)
class Fact:
    """One dated clinical event.

    ``start`` is the onset / effective / authored / performed date; ``end`` the abatement
    or end of a medication period (None: still going or not stated). Values carry their
    reference range when the source gives one, so ×ULN uses the lab's own range.
    """

    kind: FactKind
    resource: str  # "Observation/abc-123": where the fact came from
    codes: tuple[Coding, ...] = ()
    text: str | None = None  # CodeableConcept.text or the best display
    start: date | None = None
    end: date | None = None
    status: str | None = None  # clinicalStatus or status, lower case: active, completed...
    value: Quantity | None = None
    value_codes: tuple[Coding, ...] = ()  # coded results (positive, negative, detected)
    value_text: str | None = None  # string / boolean results, as text
    reference_low: Quantity | None = None
    reference_high: Quantity | None = None
    interpretation: tuple[str, ...] = ()  # HL7 v3 ObservationInterpretation codes (H, L, POS, ...)
    laterality: Laterality | None = None
    body_site: tuple[Coding, ...] = ()
    route: tuple[Coding, ...] = ()
    dose: Dose | None = None
    encounter_class: str | None = None  # for encounters: IMP, AMB, EMER, ...
    encounter: str | None = None  # the encounter this fact belongs to, "Encounter/..."
    problems: tuple[str, ...] = ()  # why the fact is partly unusable, for the evidence

    @property
    def label(self) -> str:
        """The best human name for the fact: its text, else its first code's display."""
        if self.text:
            return self.text
        for coding in self.codes:
            if coding.display:
                return coding.display
        return self.codes[0].code if self.codes else self.kind.value


@dataclass(frozen=True, slots=True)
class PatientRecord:
    """A person and every fact on file about them, in no particular order."""

    id: str  # Patient.id (or person_id as text)
    birth_date: date | None = None
    sex: str | None = None  # FHIR administrative gender: male, female, other, unknown
    facts: tuple[Fact, ...] = ()
    source: str | None = None  # the file the record was read from
    name: str | None = None  # shown to staff only, never on public pages or in logs
    # Whether a clinical record was supplied, over which history is closed-world (nothing
    # on file: none). True: a full record (an OMOP CDM person, the self-check's answers);
    # False: none (history is unknown); None: decided by the facts (see history_supplied).
    clinical_record: bool | None = None

    @property
    def history_supplied(self) -> bool:
        """Whether "nothing on file" means "none": the record says so, else it holds at
        least one clinical fact (a person added by name only, or a FHIR bundle with a bare
        Patient, has no history to search: DESIGN.md, the eligibility engine)."""
        if self.clinical_record is not None:
            return self.clinical_record
        return any(f.kind in CLINICAL_KINDS for f in self.facts)

    def of_kind(self, kind: FactKind) -> tuple[Fact, ...]:
        return tuple(f for f in self.facts if f.kind is kind)
