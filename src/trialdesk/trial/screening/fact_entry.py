"""Facts a research coordinator enters by hand on a candidate's screening page.

A fact the record lacks (an ALT result, a weight, methotrexate with its dose) is often on
paper: a lab report, a referral letter. The coordinator enters it as a dated value with
units; :func:`to_fact` checks it against the study's value sets and builds the Fact the
FHIR adapter would build from the equivalent resource, so the engine reads it with no
special case:

* a number keeps the unit it was entered in (the engine converts, as it does for FHIR
  ``valueQuantity``); the unit is only checked to convert to the value set's unit, with
  the engine's own conversion and plausibility checks, so what is accepted here is usable
  there;
* a coded result carries SNOMED CT qualifier values and an HL7 interpretation code, the
  words ``criteria.results.result_sign`` reads as positive or negative;
* a medication carries a ``Dose`` (amount per administration, administrations per day)
  and a SNOMED CT route, as a MedicationRequest's dosageInstruction does.

``source_document`` is checked but not put into the Fact: Fact text takes part in value-set
matching (a document named "WOMAC form" must not turn an ALT result into a WOMAC score).
The caller keeps the entry, with its document, under the ``resource`` id it passes.

The attestation ``clinical_record_reviewed`` ("the full clinical record was reviewed on
<on> in <source_document>") is entered the same way, audited and retractable, but is no
fact: :func:`check_entry` validates it (:func:`check_attestation`) and :func:`to_fact`
refuses it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from trialdesk.clinical.acr_eular_joints import MAXIMA
from trialdesk.clinical.labs import check_reported_uln
from trialdesk.clinical.plausibility import PLAUSIBLE
from trialdesk.clinical.unit_display import unit_shown
from trialdesk.clinical.units import canonical_unit, convert
from trialdesk.clinical.valuesets import ValueSet
from trialdesk.criteria.joint_counts import JOINT_VALUESETS
from trialdesk.errors import FactError, FieldErrors, InputError, TrialdeskError, UnitError
from trialdesk.facts.codesystems import SYSTEMS
from trialdesk.facts.record import Coding, Fact, FactKind, Laterality, Quantity
from trialdesk.trial.screening.entry_concepts import (
    ANSWER_ALIASES,
    ATTESTATION,
    EVENT_KINDS,
    FINDING,
    QUANTITY_KINDS,
    concepts_by_name,
    default_entry,
    is_attestation,
    is_quantity,
)
from trialdesk.trial.screening.entry_events import coding_of, event_fact
from trialdesk.trial.screening.entry_values import (
    TEXT_MAX,
    dimensionless,
    named,
    typed_day,
    typed_number,
    typed_text,
)

if TYPE_CHECKING:
    from trialdesk.study.loader import Study

__all__ = ["FactEntry", "SOURCE_MAX", "check_attestation", "check_entry", "to_fact"]


@dataclass(frozen=True)
class FactEntry:
    """One fact as the coordinator typed it; blank strings count as not given."""

    concept: str  # a value set name of the study, e.g. "alt", "creatinine", "methotrexate"
    on: date  # effective / onset / start date
    value: str | None = None  # number as text for lab/vital/score; coded answer for results
    unit: str | None = None  # UCUM or common unit text; must convert to the value set's unit
    end: date | None = None  # medications (and conditions, devices): stop date; None = ongoing
    dose: str | None = None  # medications: amount per administration, in dose_unit
    dose_unit: str | None = None  # mg or g: the units the engine's daily dose reads
    per_day: str | None = None  # administrations per day: "1", "0.5", "1/7" (weekly)
    route: str | None = None  # medications, vaccines: a key of clinical.routes ROUTES
    laterality: str | None = None  # left / right / bilateral, for findings and procedures
    source_document: str = ""  # required: the document the fact comes from
    code: str | None = None  # "system|code" of one code of the value set (see EntryConcept)
    # labs: the upper limit of normal printed on the report, in the value's unit; ×ULN
    # limits and the ACR/EULAR serology and acute-phase scores read it (see _upper_limit)
    upper_limit: str | None = None


SOURCE_MAX = 200


CODE_MAX = 100


# Score ranges the criteria assume. WOMAC pain is stored on the 0-10 scale (mean item score:
# clinical/womac.py normalisation; criteria.yaml I4 note: "WOMAC pain >= 4 (0-10 scale)"); a
# raw Likert (0-20) or NRS (0-50) total would be compared with a 0-10 threshold. A joint
# count is at most the joints it examines (28, 68, 66; ACR/EULAR 10 large, 30 small).
SCORE_RANGES: dict[str, tuple[float, float]] = {
    "womac_pain": (0.0, 10.0),
    **{name: (0.0, float(MAXIMA[field])) for name, field in JOINT_VALUESETS.items()},
}


# Coded answers: SNOMED CT qualifier value and HL7 v3 ObservationInterpretation code, both
# read by criteria.results.result_sign (Positive 10828004, Negative 260385009, Present
# 52101004 and Absent 2667000 are in its code lists; Abnormal/Normal by their displays).
_SNOMED = SYSTEMS["snomed"]


_ANSWER_CODES: dict[str, tuple[str, str, str]] = {
    "positive": ("10828004", "Positive", "POS"),
    "negative": ("260385009", "Negative", "NEG"),
    "indeterminate": ("82334004", "Indeterminate", "IND"),
    "present": ("52101004", "Present", "POS"),
    "absent": ("2667000", "Absent", "NEG"),
    "abnormal": ("263654008", "Abnormal", "A"),
    "normal": ("17621005", "Normal", "N"),
}


_SIDES = {side.value: side for side in Laterality}


# Which optional fields each sort of concept takes; any other given field is refused, so a
# value typed into the wrong box is never silently dropped.
_QUANTITY_FIELDS = frozenset({"value", "unit", "laterality", "upper_limit"})


_RESULT_FIELDS = frozenset({"value", "laterality"})


_EVENT_FIELDS: dict[str, frozenset[str]] = {
    "condition": frozenset({"end", "laterality", "code"}),
    "medication": frozenset({"end", "dose", "dose_unit", "per_day", "route", "laterality", "code"}),
    "procedure": frozenset({"laterality", "code"}),
    "vaccine": frozenset({"route", "code"}),
    "device": frozenset({"end", "laterality", "code"}),
}


_OPTIONAL = (
    "value", "unit", "end", "dose", "dose_unit", "per_day", "route", "laterality", "code",
    "upper_limit",
)  # fmt: skip


# Blood tests and vital signs have no side of the body.
_UNSIDED = frozenset({"lab", "vital"})


def _refuse_extra(entry: FactEntry, allowed: frozenset[str], vs: ValueSet) -> None:
    for name in _OPTIONAL:
        given = getattr(entry, name)
        if given is None or (isinstance(given, str) and not given.strip()):
            continue
        if name not in allowed:
            raise InputError(
                f"{named(name, True)} does not apply to {vs.title} (a {vs.kind}); leave it empty",
                field=name,
            )


def _laterality(entry: FactEntry) -> Laterality | None:
    text = typed_text(entry.laterality, "laterality", TEXT_MAX)
    if text is None:
        return None
    side = _SIDES.get(text.lower())
    if side is None:
        raise InputError(
            f"The side must be one of {', '.join(_SIDES)}, not '{text}'", field="laterality"
        )
    return side


def _source(entry: FactEntry) -> str:
    text = typed_text(entry.source_document, "source_document", SOURCE_MAX)
    if text is None:
        raise InputError(
            "The source document is required: name the document the fact comes from",
            field="source_document",
        )
    return text


def check_entry(study: Study, entry: FactEntry, *, today: date) -> Fact | None:
    """Validate what a coordinator entered: the Fact it puts on the record, or None for the
    record-review attestation. Raises InputError (FieldErrors) at the fields at fault."""
    if is_attestation(entry.concept):
        check_attestation(entry, today=today)
        return None
    return to_fact(study, entry, resource="EnteredFact/new", today=today)


def check_attestation(entry: FactEntry, *, today: date) -> None:
    """The attestation "the full clinical record was reviewed": ``on`` the day of the review
    (not after the site's ``today``), ``source_document`` the record or system searched
    (e.g. "hospital HIS chart"), and nothing else. Every field at fault is reported at once.

    Protocol assumption (no regulation words it): a review of the whole chart, attested by
    the coordinator, makes "nothing on file" mean "none" for history, as an uploaded full
    record does (docs/criteria.md)."""
    errors: list[TrialdeskError] = []
    for name in _OPTIONAL:
        given = getattr(entry, name)
        if given is not None and not (isinstance(given, str) and not given.strip()):
            errors.append(
                InputError(
                    f"{named(name, True)} does not apply to {ATTESTATION.title}: give the "
                    "date of the "
                    "review and the record reviewed only; leave it empty",
                    field=name,
                )
            )
    try:
        typed_day(entry.on, "on", today)
    except InputError as error:
        errors.append(error)
    try:
        if typed_text(entry.source_document, "source_document", SOURCE_MAX) is None:
            errors.append(
                InputError(
                    "The source document is required: name the record reviewed (for example "
                    "the hospital HIS chart)",
                    field="source_document",
                )
            )
    except InputError as error:
        errors.append(error)
    if len(errors) == 1 and isinstance(errors[0], InputError):
        raise errors[0]
    if errors:
        raise FieldErrors(errors, resource=ATTESTATION.name)


def to_fact(study: Study, entry: FactEntry, *, resource: str, today: date) -> Fact:
    """Validate ``entry`` and build its Fact; ``resource`` becomes ``Fact.resource``.

    Raises InputError whose ``field`` is the FactEntry attribute at fault.
    """
    if not resource:
        raise ValueError("resource must name where the fact is kept, e.g. 'EnteredFact/12'")
    name = typed_text(entry.concept, "concept", CODE_MAX)
    if name is None:
        raise InputError("Choose what to enter (what the fact is about)", field="concept")
    if is_attestation(name):
        raise InputError(
            f"What to enter: {ATTESTATION.title} is an attestation that the record was "
            "reviewed, not a clinical fact",
            field="concept",
        )
    concept = concepts_by_name(study).get(name)
    if concept is None:
        raise InputError(
            f"What to enter: '{name}' is not read by this study's criteria", field="concept"
        )
    vs = study.valuesets[name]
    if is_quantity(vs):
        allowed = _QUANTITY_FIELDS
    elif vs.kind in QUANTITY_KINDS or vs.kind == "finding":
        allowed = _RESULT_FIELDS
    else:
        allowed = _EVENT_FIELDS.get(vs.kind, frozenset())
    if vs.kind in _UNSIDED:
        allowed -= {"laterality"}
    if vs.kind != "lab":
        allowed -= {"upper_limit"}  # a reference range belongs to a laboratory result
    _refuse_extra(entry, allowed, vs)
    start = typed_day(entry.on, "on", today)
    end = typed_day(entry.end, "end", today) if entry.end is not None else None
    if end is not None and end < start:
        raise InputError(
            f"The end date, {end.isoformat()}, is before the start, {start.isoformat()}",
            field="end",
        )
    _source(entry)
    side = _laterality(entry)
    if vs.kind in EVENT_KINDS:
        return event_fact(vs, entry, resource, start, end, side)
    coding = coding_of(default_entry(vs), vs)
    if is_quantity(vs):
        value = _quantity(vs, entry)
        return Fact(
            FactKind.OBSERVATION,
            resource,
            (coding,),
            start=start,
            status="final",
            value=value,
            reference_high=_upper_limit(vs, entry, value),
            laterality=side,
        )
    answer = _answer(vs, concept.answers, entry)
    code, display, interpretation = _ANSWER_CODES[answer]
    return Fact(
        FactKind.OBSERVATION,
        resource,
        (coding,),
        start=start,
        status="final",
        value_codes=(Coding(_SNOMED, code, display),),
        value_text=answer,
        interpretation=(interpretation,),
        laterality=side,
    )


def _quantity(vs: ValueSet, entry: FactEntry) -> Quantity:
    """The number in the unit entered, checked the way measures.usable_value reads it."""
    assert vs.unit is not None
    what = vs.title
    text = typed_text(entry.value, "value", TEXT_MAX)
    if text is None:
        raise InputError(f"The value is required: the {what} result as a number", field="value")
    number = typed_number(text, "value", what)
    if number < 0:
        raise InputError(f"The value, {text}, cannot be negative for {what}", field="value")
    unit_text = typed_text(entry.unit, "unit", TEXT_MAX)
    if unit_text is None:
        if not dimensionless(vs.unit):
            raise InputError(
                f"The unit is required for {what} (for example {unit_shown(vs.unit)})",
                field="unit",
            )
        # a score sent without a unit is taken in the score's unit, as from FHIR valueInteger
        return Quantity(number, vs.unit)
    try:
        unit = canonical_unit(unit_text)
        in_set_unit = convert(number, unit, vs.unit, analyte=vs.name)
    except UnitError:
        raise InputError(
            f"The unit '{unit_text}' cannot be converted to {unit_shown(vs.unit)}, the unit "
            f"of {what}",
            field="unit",
        ) from None
    if not math.isfinite(in_set_unit) or in_set_unit < 0:
        raise InputError(f"The value, {text} {unit_text}, is not a possible {what}", field="value")
    try:
        check = PLAUSIBLE.get(vs.name)
        if check is not None:
            check(in_set_unit)
    except FactError as exc:
        raise InputError(
            f"The value, {text} {unit_text}, is not a plausible {what} ({exc.message}): check the "
            "number and the unit",
            field="value",
        ) from None
    bounds = SCORE_RANGES.get(vs.name)
    if bounds is not None and not bounds[0] <= in_set_unit <= bounds[1]:
        raise InputError(
            f"The value, {text}: {what} is on a {bounds[0]:g}-{bounds[1]:g} scale", field="value"
        )
    if vs.name in JOINT_VALUESETS and not in_set_unit.is_integer():
        raise InputError(f"The value, {text}: {what} is a whole number of joints", field="value")
    return Quantity(number, unit)


def _upper_limit(vs: ValueSet, entry: FactEntry, value: Quantity) -> Quantity | None:
    """The report's upper limit of normal, in the unit the value was entered in (a report
    prints both in one unit), as FHIR ``referenceRange.high``. The engine then reads the
    laboratory's own limit instead of a textbook default: ×ULN thresholds (ALT, AST), the
    serology levels of the ACR/EULAR 2010 criteria (low positive ≤ 3 × ULN, high
    positive > 3 × ULN; Aletaha 2010, Table 3) and an abnormal CRP or ESR."""
    text = typed_text(entry.upper_limit, "upper_limit", TEXT_MAX)
    if text is None:
        return None
    number = typed_number(text, "upper_limit", f"{vs.title} upper limit of normal")
    if not number > 0:
        raise InputError(
            f"The upper limit of normal, {text}, must be above 0 (as printed on the report)",
            field="upper_limit",
        )
    try:
        in_set_unit = convert(number, value.unit, vs.unit, analyte=vs.name) if vs.unit else number
        check_reported_uln(vs.name, in_set_unit)
    except UnitError:
        raise InputError(
            f"The upper limit of normal, {text}, is in the value's unit, which cannot be "
            f"converted to {unit_shown(vs.unit)}",
            field="upper_limit",
        ) from None
    except FactError as exc:
        raise InputError(
            f"The upper limit of normal, {text}: {exc.message}", field="upper_limit"
        ) from None
    return Quantity(number, value.unit)


def _answer(vs: ValueSet, answers: tuple[str, ...], entry: FactEntry) -> str:
    text = typed_text(entry.value, "value", TEXT_MAX)
    choices = ", ".join(answers)
    if text is None:
        raise InputError(f"The value is required: the {vs.title} result ({choices})", field="value")
    answer = text.lower()
    if answers == FINDING:
        answer = ANSWER_ALIASES.get(answer, answer)
    if answer not in answers:
        raise InputError(
            f"The value, '{text}', is not a result of {vs.title}: choose {choices}", field="value"
        )
    return answer
