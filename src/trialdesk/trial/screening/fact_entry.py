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
"""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from trialdesk.clinical.labs import check_reported_uln
from trialdesk.clinical.laterality import laterality_of
from trialdesk.clinical.units import canonical_unit, convert
from trialdesk.clinical.valuesets import SYSTEMS, CodeEntry, ValueSet
from trialdesk.criteria.measures import PLAUSIBLE
from trialdesk.criteria.medications import LOCAL_ROUTES, ORAL_ROUTES, PARENTERAL_ROUTES
from trialdesk.criteria.nodes import Call, Type, walk
from trialdesk.criteria.signatures import SIGNATURES
from trialdesk.errors import FactError, InputError, UnitError
from trialdesk.patients.record import Coding, Dose, Fact, FactKind, Laterality, Quantity
from trialdesk.selfcheck.mapping import ROUTES

if TYPE_CHECKING:
    from trialdesk.study.loader import Study

__all__ = [
    "ANSWER_ALIASES",
    "EARLIEST",
    "EntryConcept",
    "FactEntry",
    "concepts_read",
    "entry_concepts",
    "to_fact",
]


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
    route: str | None = None  # medications, vaccines: a key of selfcheck ROUTES
    laterality: str | None = None  # left / right / bilateral, for findings and procedures
    source_document: str = ""  # required: the document the fact comes from
    code: str | None = None  # "system|code" of one code of the value set (see EntryConcept)
    # labs: the upper limit of normal printed on the report, in the value's unit; ×ULN
    # limits and the ACR/EULAR serology and acute-phase scores read it (see _upper_limit)
    upper_limit: str | None = None


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


# Dates before 1900 are typing errors in a living candidate's history (and the floor the
# candidate store uses for birth dates).
EARLIEST = date(1900, 1, 1)
SOURCE_MAX = 200
_TEXT_MAX = 40  # a number, a unit or a frequency typed in one form field
_CODE_MAX = 100

# Most administrations a day a dose can be given: hourly, HL7 v3 GTSAbbreviation Q1H, the
# most frequent timing code of the FHIR R4 timing-abbreviation value set (the FHIR adapter
# reads it as 24 a day, patients/fhir_medication.py).
MAX_PER_DAY = 24.0

# Score ranges the criteria assume. WOMAC pain is stored on the 0-10 scale (mean item score:
# clinical/womac.py normalisation; criteria.yaml I4 note: "WOMAC pain >= 4 (0-10 scale)"); a
# raw Likert (0-20) or NRS (0-50) total would be compared with a 0-10 threshold.
SCORE_RANGES: dict[str, tuple[float, float]] = {"womac_pain": (0.0, 10.0)}

# Value sets the engine reads without a rule naming them (criteria/measures.py,
# criteria/ra_classification.py), by the function that reads them.
IMPLICIT: dict[str, tuple[str, ...]] = {
    "crcl_cockcroft_gault": ("creatinine", "body_weight"),
    "bmi": ("bmi", "body_weight", "body_height"),
    "acr_eular_2010": (
        "rheumatoid_arthritis",
        "joints_large_involved",
        "joints_small_involved",
        "rheumatoid_factor",
        "anti_ccp",
        "crp",
        "esr",
    ),
}

_QUANTITY_KINDS = frozenset({"lab", "vital", "score"})
_EVENTS: dict[str, FactKind] = {
    "condition": FactKind.CONDITION,
    "medication": FactKind.MEDICATION,
    "procedure": FactKind.PROCEDURE,
    "vaccine": FactKind.IMMUNIZATION,
    "device": FactKind.DEVICE,
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
QUALITATIVE = ("positive", "negative", "indeterminate")  # a lab with no unit (HBsAg, HIV)
FINDING = ("present", "absent")  # an imaging finding, a questionnaire item
TEST_RESULT = ("abnormal", "normal")  # a finding coded as a test (LOINC: an ECG)
# A questionnaire's yes/no answers a present/absent finding.
ANSWER_ALIASES: dict[str, str] = {"yes": "present", "no": "absent"}

_SIDES = {side.value: side for side in Laterality}
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_FRACTION = re.compile(r"(\d+(?:\.\d*)?)\s*/\s*(\d+(?:\.\d*)?)", re.ASCII)
_DOSE_UNITS = ("mg", "g")  # what criteria.medications.daily_dose_mg converts
_ALIAS_OF = {uri: alias for alias, uri in SYSTEMS.items()}

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


# --------------------------------------------------------------------------- concepts


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


def _concepts(study: Study) -> dict[str, EntryConcept]:
    """The entry concepts by name, computed once per loaded study."""
    cached = _CACHE.get(id(study))
    if cached is None or cached[0] is not study:
        found = sorted(
            (_concept(study.valuesets[n]) for n in concepts_read(study)),
            key=lambda c: (c.kind, c.title.casefold(), c.name),
        )
        cached = _CACHE[id(study)] = (study, {c.name: c for c in found})
    return cached[1]


def entry_concepts(study: Study) -> list[EntryConcept]:
    """The value sets this study's criteria read, sorted by kind then title."""
    return list(_concepts(study).values())


def _is_quantity(vs: ValueSet) -> bool:
    return vs.kind in _QUANTITY_KINDS and vs.unit is not None


def _answers(vs: ValueSet) -> tuple[str, ...]:
    if vs.kind in _QUANTITY_KINDS:
        return () if vs.unit is not None else QUALITATIVE
    if vs.kind == "finding":
        # a finding coded as a test (LOINC "EKG study") has a normal or abnormal result;
        # one coded as the finding itself ("knee synovitis on ultrasound") is there or not
        return TEST_RESULT if _default_entry(vs).system == SYSTEMS["loinc"] else FINDING
    return ()


def _key(entry: CodeEntry) -> str:
    return f"{_ALIAS_OF.get(entry.system, entry.system)}|{entry.code}"


def _concept(vs: ValueSet) -> EntryConcept:
    codes: tuple[tuple[str, str], ...] = ()
    if vs.kind in _EVENTS:
        codes = tuple((_key(e), e.display or e.code) for e in vs.entries)
    return EntryConcept(
        name=vs.name,
        title=vs.title,
        kind=vs.kind,
        unit=vs.unit if _is_quantity(vs) else None,
        answers=_answers(vs),
        codes=codes,
    )


def _default_entry(vs: ValueSet) -> CodeEntry:
    """The code a fact is recorded with when none is chosen: the set's first exact code
    (as the self-check records its facts, selfcheck/record.py coding_for)."""
    return next((e for e in vs.entries if not e.prefix), vs.entries[0])


# --------------------------------------------------------------------------- checks


def _text(value: object, field: str, limit: int) -> str | None:
    """A form field's text, stripped; None when blank."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{field} must be text, got {type(value).__name__}", field=field)
    text = value.strip()
    if not text:
        return None
    if len(text) > limit:
        raise InputError(f"{field} must be at most {limit} characters", field=field)
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise InputError(f"{field} must not contain control characters", field=field)
    return text


def _day(value: object, field: str, today: date) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        raise InputError(f"{field} must be a date", field=field)
    if value > today:
        raise InputError(
            f"{field} {value.isoformat()} is in the future (today is {today.isoformat()})",
            field=field,
        )
    if value < EARLIEST:
        raise InputError(f"{field} {value.isoformat()} is before 1900", field=field)
    return value


def _number(text: str, field: str, what: str) -> float:
    """A decimal number as typed (no thousands separators, no comparator), finite."""
    if text[0] in "<>≤≥":
        raise InputError(
            f"{field}: enter the measured number for {what}; a value reported only as "
            f"'{text}' cannot decide a criterion",
            field=field,
        )
    if "," in text:
        raise InputError(
            f"{field} must be a number written with a decimal point and no commas "
            f"(1.5, 1500), got '{text}'",
            field=field,
        )
    if not _NUMBER.fullmatch(text):
        raise InputError(f"{field} must be a number for {what}, got '{text}'", field=field)
    number = float(text)
    if not math.isfinite(number):
        raise InputError(f"{field} '{text}' is too large to be {what}", field=field)
    return number


def _dimensionless(unit: str) -> bool:
    """A UCUM unit of pure number: "1" or an annotation such as "{score}" (as measures.py)."""
    return unit == "1" or (unit.startswith("{") and unit.endswith("}"))


def _refuse_extra(entry: FactEntry, allowed: frozenset[str], vs: ValueSet) -> None:
    for name in _OPTIONAL:
        given = getattr(entry, name)
        if given is None or (isinstance(given, str) and not given.strip()):
            continue
        if name not in allowed:
            raise InputError(
                f"{name} does not apply to {vs.title} (a {vs.kind}); leave it empty",
                field=name,
            )


def _laterality(entry: FactEntry) -> Laterality | None:
    text = _text(entry.laterality, "laterality", _TEXT_MAX)
    if text is None:
        return None
    side = _SIDES.get(text.lower())
    if side is None:
        raise InputError(
            f"laterality must be one of {', '.join(_SIDES)}, got '{text}'", field="laterality"
        )
    return side


def _source(entry: FactEntry) -> str:
    text = _text(entry.source_document, "source_document", SOURCE_MAX)
    if text is None:
        raise InputError(
            "source_document is required: name the document the fact comes from",
            field="source_document",
        )
    return text


# --------------------------------------------------------------------------- facts


def to_fact(study: Study, entry: FactEntry, *, resource: str, today: date) -> Fact:
    """Validate ``entry`` and build its Fact; ``resource`` becomes ``Fact.resource``.

    Raises InputError whose ``field`` is the FactEntry attribute at fault.
    """
    if not resource:
        raise ValueError("resource must name where the fact is kept, e.g. 'EnteredFact/12'")
    name = _text(entry.concept, "concept", _CODE_MAX)
    if name is None:
        raise InputError("concept is required: choose what the fact is about", field="concept")
    concept = _concepts(study).get(name)
    if concept is None:
        raise InputError(f"concept '{name}' is not read by this study's criteria", field="concept")
    vs = study.valuesets[name]
    if _is_quantity(vs):
        allowed = _QUANTITY_FIELDS
    elif vs.kind in _QUANTITY_KINDS or vs.kind == "finding":
        allowed = _RESULT_FIELDS
    else:
        allowed = _EVENT_FIELDS.get(vs.kind, frozenset())
    if vs.kind in _UNSIDED:
        allowed -= {"laterality"}
    if vs.kind != "lab":
        allowed -= {"upper_limit"}  # a reference range belongs to a laboratory result
    _refuse_extra(entry, allowed, vs)
    start = _day(entry.on, "on", today)
    end = _day(entry.end, "end", today) if entry.end is not None else None
    if end is not None and end < start:
        raise InputError(
            f"end {end.isoformat()} is before the start {start.isoformat()}", field="end"
        )
    _source(entry)
    side = _laterality(entry)
    if vs.kind in _EVENTS:
        return _event(vs, entry, resource, start, end, side)
    coding = _coding(_default_entry(vs), vs)
    if _is_quantity(vs):
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


def _coding(entry: CodeEntry, vs: ValueSet) -> Coding:
    return Coding(entry.system, entry.code, entry.display or vs.title)


def _quantity(vs: ValueSet, entry: FactEntry) -> Quantity:
    """The number in the unit entered, checked the way measures.usable_value reads it."""
    assert vs.unit is not None
    what = vs.title
    text = _text(entry.value, "value", _TEXT_MAX)
    if text is None:
        raise InputError(f"value is required: the {what} result as a number", field="value")
    number = _number(text, "value", what)
    if number < 0:
        raise InputError(f"value {text}: {what} cannot be negative", field="value")
    unit_text = _text(entry.unit, "unit", _TEXT_MAX)
    if unit_text is None:
        if not _dimensionless(vs.unit):
            raise InputError(f"unit is required for {what} (for example {vs.unit})", field="unit")
        # a score sent without a unit is taken in the score's unit, as from FHIR valueInteger
        return Quantity(number, vs.unit)
    try:
        unit = canonical_unit(unit_text)
        in_set_unit = convert(number, unit, vs.unit, analyte=vs.name)
    except UnitError as exc:
        raise InputError(
            f"unit '{unit_text}' cannot be converted to {vs.unit}, the unit of {what} "
            f"({exc.message})",
            field="unit",
        ) from None
    if not math.isfinite(in_set_unit) or in_set_unit < 0:
        raise InputError(f"value {text} {unit_text} is not a possible {what}", field="value")
    try:
        check = PLAUSIBLE.get(vs.name)
        if check is not None:
            check(in_set_unit)
    except FactError as exc:
        raise InputError(
            f"value {text} {unit_text} is not a plausible {what} ({exc.message}): check the "
            "number and the unit",
            field="value",
        ) from None
    bounds = SCORE_RANGES.get(vs.name)
    if bounds is not None and not bounds[0] <= in_set_unit <= bounds[1]:
        raise InputError(
            f"value {text}: {what} is on a {bounds[0]:g}-{bounds[1]:g} scale", field="value"
        )
    return Quantity(number, unit)


def _upper_limit(vs: ValueSet, entry: FactEntry, value: Quantity) -> Quantity | None:
    """The report's upper limit of normal, in the unit the value was entered in (a report
    prints both in one unit), as FHIR ``referenceRange.high``. The engine then reads the
    laboratory's own limit instead of a textbook default: ×ULN thresholds (ALT, AST), the
    serology levels of the ACR/EULAR 2010 criteria (low positive ≤ 3 × ULN, high
    positive > 3 × ULN; Aletaha 2010, Table 3) and an abnormal CRP or ESR."""
    text = _text(entry.upper_limit, "upper_limit", _TEXT_MAX)
    if text is None:
        return None
    number = _number(text, "upper_limit", f"{vs.title} upper limit of normal")
    if not number > 0:
        raise InputError(
            f"upper_limit {text}: the upper limit of normal is above 0 (as printed on the report)",
            field="upper_limit",
        )
    try:
        in_set_unit = convert(number, value.unit, vs.unit, analyte=vs.name) if vs.unit else number
        check_reported_uln(vs.name, in_set_unit)
    except (FactError, UnitError) as exc:
        raise InputError(f"upper_limit {text}: {exc.message}", field="upper_limit") from None
    return Quantity(number, value.unit)


def _answer(vs: ValueSet, answers: tuple[str, ...], entry: FactEntry) -> str:
    text = _text(entry.value, "value", _TEXT_MAX)
    choices = ", ".join(answers)
    if text is None:
        raise InputError(f"value is required: the {vs.title} result ({choices})", field="value")
    answer = text.lower()
    if answers == FINDING:
        answer = ANSWER_ALIASES.get(answer, answer)
    if answer not in answers:
        raise InputError(
            f"value '{text}' is not a result of {vs.title}: choose {choices}", field="value"
        )
    return answer


def _chosen(vs: ValueSet, entry: FactEntry) -> CodeEntry:
    """The code of the set the event is recorded with: the one chosen, else the default,
    which a medication set naming several drugs does not have (the drug decides the dose
    arithmetic: prednisone equivalents, a dose change of one drug)."""
    key = _text(entry.code, "code", _CODE_MAX)
    if key is None:
        drugs = sorted({e.info.ingredient for e in vs.entries if e.info and e.info.ingredient})
        if vs.kind == "medication" and len(drugs) > 1:
            shown = ", ".join(drugs[:6]) + (", ..." if len(drugs) > 6 else "")
            raise InputError(
                f"code is required: {vs.title} covers several drugs ({shown}); choose which",
                field="code",
            )
        return _default_entry(vs)
    alias, sep, code = key.partition("|")
    system = SYSTEMS.get(alias.strip().lower(), alias.strip())
    found = next(
        (e for e in vs.entries if sep and e.system == system and e.code == code.strip()), None
    )
    if found is None:
        raise InputError(
            f"code '{key}' is not one of the codes of {vs.title} (write it as system|code, "
            "e.g. rxnorm|6851)",
            field="code",
        )
    return found


def _route_group(word: str) -> str | None:
    """'parenteral', 'oral' or 'local', as criteria.medications.route_of groups routes."""
    word = word.lower()
    if word in PARENTERAL_ROUTES:
        return "parenteral"
    if word in ORAL_ROUTES:
        return "oral"
    if word in LOCAL_ROUTES:
        return "local"
    return None


def _route(entry: FactEntry, product: CodeEntry) -> tuple[Coding, ...]:
    text = _text(entry.route, "route", _TEXT_MAX)
    if text is None:
        return ()
    route = text.lower()
    if route not in ROUTES:
        raise InputError(f"route must be one of {', '.join(ROUTES)}, got '{text}'", field="route")
    # a product that names its route (an oral tablet, an injection) decides how the engine
    # groups it: a contradicting route would be read as the product's
    given = product.info.route if product.info else None
    if given is not None:
        group = _route_group(given)
        if group is not None and group != _route_group(route):
            raise InputError(
                f"route {route} contradicts {product.display or product.code} ({given})",
                field="route",
            )
    code, display = ROUTES[route]
    return (Coding(_SNOMED, code, display),)


def _dose(entry: FactEntry) -> Dose | None:
    amount_text = _text(entry.dose, "dose", _TEXT_MAX)
    unit_text = _text(entry.dose_unit, "dose_unit", _TEXT_MAX)
    per_day_text = _text(entry.per_day, "per_day", _TEXT_MAX)
    if amount_text is None:
        if unit_text is not None or per_day_text is not None:
            field = "dose_unit" if unit_text is not None else "per_day"
            raise InputError(f"{field} needs a dose: enter the dose too", field="dose")
        return None
    amount = _number(amount_text, "dose", "a dose")
    if amount <= 0:
        raise InputError(f"dose must be a positive number, got '{amount_text}'", field="dose")
    if unit_text is None:
        raise InputError("dose_unit is required with a dose (mg or g)", field="dose_unit")
    unit = unit_text.lower()
    if unit not in _DOSE_UNITS:
        raise InputError(
            f"dose_unit must be {' or '.join(_DOSE_UNITS)} (the units the daily dose is "
            f"computed from), got '{unit_text}'",
            field="dose_unit",
        )
    per_day = _per_day(per_day_text) if per_day_text is not None else None
    mg = amount * (1000.0 if unit == "g" else 1.0) * (per_day or 1.0)
    if not (sys.float_info.min <= mg < math.inf):
        # the daily dose in mg (criteria.medications.daily_dose_mg) would round to zero or
        # overflow: the engine could not use it
        raise InputError(
            f"dose {amount_text} {unit} is out of the range a daily dose can be computed in",
            field="dose",
        )
    return Dose(Quantity(amount, unit), per_day=per_day)


def _per_day(text: str) -> float:
    fraction = _FRACTION.fullmatch(text)
    if fraction is not None:
        top, bottom = float(fraction.group(1)), float(fraction.group(2))
        value = top / bottom if bottom > 0 else math.inf
    else:
        value = _number(text, "per_day", "a number of administrations a day")
    if not (0 < value <= MAX_PER_DAY):
        raise InputError(
            f"per_day must be more than 0 and at most {MAX_PER_DAY:g} administrations a day "
            f"(weekly: 1/7), got '{text}'",
            field="per_day",
        )
    return value


def _event(
    vs: ValueSet,
    entry: FactEntry,
    resource: str,
    start: date,
    end: date | None,
    side: Laterality | None,
) -> Fact:
    product = _chosen(vs, entry)
    codes = (_coding(product, vs),)
    implied = laterality_of(codes, None)
    if side is not None and implied is not None and side is not implied:
        # the engine reads the entered side first; a code naming the other knee would be
        # contradicted silently
        raise InputError(
            f"laterality {side.value} contradicts {codes[0].display} ({implied.value})",
            field="laterality",
        )
    kind = _EVENTS[vs.kind]
    if kind is FactKind.MEDICATION:
        # without an end the order is still going on (FHIR R4 MedicationStatement.status)
        return Fact(
            kind,
            resource,
            codes,
            start=start,
            end=end,
            status="completed" if end is not None else "active",
            route=_route(entry, product),
            dose=_dose(entry),
            laterality=side,
        )
    if kind is FactKind.IMMUNIZATION:
        return Fact(
            kind, resource, codes, start=start, status="completed", route=_route(entry, product)
        )
    if kind is FactKind.CONDITION:
        # FHIR R4 Condition.clinicalStatus: an abatement date means it resolved
        status = "resolved" if end is not None else "active"
    elif kind is FactKind.DEVICE:
        status = "inactive" if end is not None else "active"
    else:
        status = "completed"
    return Fact(kind, resource, codes, start=start, end=end, status=status, laterality=side)
