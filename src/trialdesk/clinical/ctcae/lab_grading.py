"""CTCAE v5.0 grades of laboratory values, by one grader reading labs.yaml.

:func:`grade_lab` grades one value of an analyte (an SDTM LB test code or a trialdesk
concept) against the laboratory's reference limits and, where the term's grading needs
it, the participant's baseline value; ``None`` when CTCAE v5.0 grades nothing from that
analyte. Arithmetic is decimal on the values as written, so a value of exactly 3.0 x ULN
is grade 1 of ALT increased, not 2. A value in a unit CTCAE does not print is converted
with UCUM (clinical/units.py; between mass and amount of substance through the molar mass
of the term's ``substance``, so a haemoglobin in mmol/L meets "Hemoglobin increased"'s
g/dL) and kept to 12 significant digits, so that 4 x 10^9/L is exactly 4000/mm3.

Only what the value decides is graded: the clinical parts of a grade (symptoms,
hospitalisation, "life-threatening consequences") are named in the rule text for the
investigator. Grade 0 means no criterion of the term is met.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Context, Decimal

from trialdesk.clinical.ctcae.grade import SOURCE, CtcaeGrade
from trialdesk.clinical.ctcae.lab_table import (
    Criterion,
    LabTerm,
    lab_term_named,
    lab_terms,
    not_graded,
)
from trialdesk.clinical.ctcae_terms import ctcae_terms
from trialdesk.clinical.units import canonical_unit, convert
from trialdesk.errors import FactError, UnitError

__all__ = [
    "grade_alt_increased",
    "grade_ast_increased",
    "grade_creatinine_increased",
    "grade_lab",
]

Number = int | float | Decimal
_KEPT_DIGITS = Context(prec=12)  # a converted value: what a float conversion can vouch for
_LIMIT_NAMES = {"ULN": "uln", "LLN": "lln", "baseline": "baseline"}


def _number(value: object, field: str, *, positive: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise FactError(f"{field} must be a number, got {value!r}", field=field)
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite() or number < 0 or (positive and number == 0):
        kind = "positive" if positive else "non-negative"
        raise FactError(f"{field} must be a finite {kind} number, got {value!r}", field=field)
    return number


def _text(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "+0") else text


def _times(ratio: Decimal) -> str:
    return f"{float(ratio):.4g}"


@dataclass(frozen=True, slots=True)
class _Reading:
    """One value to grade, its limits and baseline: all in ``unit`` (``None``: unknown)."""

    value: Decimal
    unit: str | None
    lln: Decimal | None
    uln: Decimal | None
    baseline: Decimal | None
    substance: str | None = None  # converts mass <-> amount (haemoglobin g/dL <-> mmol/L)

    def unit_text(self) -> str:
        return f" {self.unit}" if self.unit else ""


def _read(
    terms: tuple[LabTerm, ...],
    value: object,
    unit: str | None,
    lln: object,
    uln: object,
    baseline: object,
) -> _Reading:
    current = _number(value, "value")
    low = _number(lln, "lln") if lln is not None else None
    high = _number(uln, "uln", positive=True) if uln is not None else None
    # a multiple of the baseline needs a baseline above zero
    ratio = any(_uses(t, "baseline") for t in terms)
    base = _number(baseline, "baseline", positive=ratio) if baseline is not None else None
    if low is not None and high is not None and low > high:
        raise FactError(f"lln {_text(low)} is above uln {_text(high)}", field="lln")
    known = canonical_unit(unit) if unit is not None and unit.strip() else None
    substance = next((t.substance for t in terms if t.substance), None)
    return _Reading(current, known, low, high, base, substance)


# whether a term's criteria use a reference, by the term's identity (the table's terms live
# as long as the process; the term is kept beside the answer so an id cannot be reused)
_USES: dict[tuple[int, str], tuple[LabTerm, bool]] = {}


def _uses(term: LabTerm, reference: str) -> bool:
    known = _USES.get((id(term), reference))
    if known is not None and known[0] is term:
        return known[1]
    sets = (term.grades, term.if_baseline_abnormal or {})
    uses = any(c.reference == reference for s in sets for cs in s.values() for c in cs)
    _USES[(id(term), reference)] = (term, uses)
    return uses


def _in_unit(
    number: Decimal, unit: str | None, to: str | None, substance: str | None = None
) -> Decimal:
    """``number`` (in ``unit``) in ``to`` (through ``substance``'s molar mass between
    mass and amount of substance); FactError when the value's unit (one of the two) is
    not known, UnitError when it does not convert."""
    if unit is None or to is None:
        raise FactError(f"the value's unit is needed to compare it in {unit or to}", field="unit")
    if canonical_unit(unit) == canonical_unit(to):
        return number
    try:
        converted = convert(float(number), unit, to, analyte=substance)
    except UnitError as exc:
        raise UnitError(f"CTCAE's {unit} threshold: {exc.message}", field="unit") from exc
    return _KEPT_DIGITS.create_decimal(repr(converted))


def _compare(value: Decimal, op: str, limit: Decimal) -> bool:
    return {"<": value < limit, "<=": value <= limit, ">": value > limit, ">=": value >= limit}[op]


def _outcome(c: Criterion, r: _Reading, facts: dict[str, str]) -> bool | str:
    """Whether ``r`` meets ``c``, or the name of the input it needs ("lln", "uln",
    "baseline"); the values compared are added to ``facts`` for the rule text."""
    if c.reference is None:
        unit, number = c.threshold(r.unit)
        if r.unit != unit:
            value = _in_unit(r.value, r.unit, unit, r.substance)
            facts[f"in {unit}"] = f"{_text(value)} {unit}"
            return _compare(value, c.op, number)
        return _compare(r.value, c.op, number)
    base = {"ULN": r.uln, "LLN": r.lln, "baseline": r.baseline}[c.reference]
    if base is None:
        # a value below the LLN is above no multiple (>= 1) of the ULN, and the reverse
        below_lln = c.reference == "ULN" and r.lln is not None and r.value < r.lln
        above_uln = c.reference == "LLN" and r.uln is not None and r.value > r.uln
        if (below_lln and not c.low and c.factor >= 1) or (above_uln and c.low and c.factor <= 1):
            return False
        return _LIMIT_NAMES[c.reference]
    limit = c.factor * base
    if c.factor != 1 and base > 0:
        facts[c.reference] = f"{_times(r.value / base)} x {c.reference} {_text(base)}"
    else:
        facts.setdefault(c.reference, f"{c.reference} {_text(base)}")
    if c.offset is not None and c.offset_unit is not None:
        if not _compare(r.value, c.op, limit):
            return False  # not even past the limit itself: no unit conversion needed
        limit += _in_unit(c.offset, c.offset_unit, r.unit, r.substance)
        facts[c.text] = f"{c.text} = {_text(limit)}{r.unit_text()}"
    return _compare(r.value, c.op, limit)


def _criteria(term: LabTerm, r: _Reading) -> tuple[Mapping[int, tuple[Criterion, ...]], str]:
    """The criteria that apply (CTCAE's "if baseline was normal/abnormal") and why."""
    if term.if_baseline_abnormal is None:
        return term.grades, ""
    if r.baseline is None:
        against = "LLN" if term.low else "ULN"
        return term.grades, f"no baseline given, graded against {against} as for a normal baseline"
    if term.low:
        if r.lln is None:
            raise FactError(f"{term.term} needs the LLN to judge the baseline", field="lln")
        abnormal, limit, name = r.baseline < r.lln, r.lln, "LLN"
    else:
        if r.uln is None:
            raise FactError(f"{term.term} needs the ULN to judge the baseline", field="uln")
        abnormal, limit, name = r.baseline > r.uln, r.uln, "ULN"
    base, lim = _text(r.baseline), _text(limit)
    if abnormal:
        side = "<" if term.low else ">"
        return term.if_baseline_abnormal, f"baseline {base} {side} {name} {lim} (abnormal)"
    side = ">=" if term.low else "<="
    return term.grades, f"baseline {base} {side} {name} {lim} (normal)"


def _grade_term(term: LabTerm, r: _Reading) -> CtcaeGrade:
    criteria, basis = _criteria(term, r)
    facts: dict[str, str] = {}
    grade, met_by, needs = 0, "", []
    for g in sorted(criteria):
        for c in criteria[g]:
            outcome = _outcome(c, r, facts)
            if outcome is True and g >= grade:
                grade, met_by = g, c.shown(r.unit)
            elif isinstance(outcome, str):
                needs.append((g, c, outcome))
    unknown = [(g, c, field) for g, c, field in needs if g > grade and field != "baseline"]
    if unknown:
        _, c, field = unknown[0]
        raise FactError(
            f"{term.term}: the value {_text(r.value)}{r.unit_text()} cannot be graded without "
            f"the laboratory's {field.upper()} (criterion {c.text!r})",
            field=field,
        )
    parts = [basis] if basis else []
    shown = f" ({'; '.join(facts.values())})" if facts else ""
    parts.append(f"value {_text(r.value)}{r.unit_text()}{shown}")
    if grade:
        text = ctcae_terms().named(term.term)
        wording = text.grades[grade] if text is not None else None
        parts.append(f'grade {grade}: "{wording}" (met: {met_by})')
    else:
        parts.append("grade 0: no criterion of the term met")
    skipped = sorted({c.text for _, c, field in needs if field == "baseline"})
    if skipped:
        parts.append(f"no baseline given: {', '.join(skipped)} not assessed")
    if grade and term.clinical:
        parts.append(f"not decided by the value (for the investigator): {term.clinical}")
    return CtcaeGrade(
        term=term.term, grade=grade, rule=f"{term.term}, {SOURCE}: " + "; ".join(parts)
    )


def _ungraded_side(terms: tuple[LabTerm, ...], r: _Reading, analyte: str) -> str | None:
    """Why the value's own direction is not graded (a glucose above the ULN), if so."""
    reason = not_graded(analyte)
    if reason is None:
        return None
    if all(t.low for t in terms) and r.uln is not None and r.value > r.uln:
        return f"above the ULN: {reason}"
    if not any(t.low for t in terms) and r.lln is not None and r.value < r.lln:
        return f"below the LLN: {reason}"
    return None


def grade_lab(
    analyte: str,
    value: Number,
    unit: str | None,
    *,
    lln: Number | None = None,
    uln: Number | None = None,
    baseline: Number | None = None,
) -> CtcaeGrade | None:
    """The CTCAE v5.0 grade of one laboratory ``value``, or ``None`` when CTCAE v5.0
    grades nothing from ``analyte`` (urea, CRP, ESR).

    ``analyte`` is an SDTM LB test code (HGB, WBC, NEUT, LYM, PLAT, ALT, AST, BILI, ALP,
    GGT, ALB, CREAT, CK, GLUC, K, SODIUM) or a trialdesk concept (hemoglobin, wbc, ...),
    case-insensitive. ``lln``, ``uln`` and ``baseline`` (the participant's value before
    the study treatment) are in ``unit``, the value's UCUM unit. Where an analyte has two
    terms (Anemia and Hemoglobin increased), the higher grade is returned, the first term
    of labs.yaml on a tie. A missing limit is needed only where it decides the grade.

    Raises:
        FactError: a value, limit or baseline that is not a finite non-negative number, an
            LLN above the ULN, a limit the grade depends on that was not given (field
            ``lln`` or ``uln``), or a unit that cannot be converted (UnitError).
    """
    terms = lab_terms(analyte)
    if not terms:
        return None
    reading = _read(terms, value, unit, lln, uln, baseline)
    graded: list[CtcaeGrade] = []
    missing: list[FactError] = []
    for term in terms:
        try:
            graded.append(_grade_term(term, reading))
        except FactError as exc:
            if exc.field not in ("lln", "uln", "unit"):
                raise
            missing.append(exc)
    best = max(graded, key=lambda g: g.grade, default=None)  # the first on a tie
    # A value abnormal one way needs no limit or unit of the other (a grade 3 anemia is
    # not also a hemoglobin increase); otherwise what was missing decides.
    if best is None or (missing and best.grade == 0):
        raise missing[0]
    note = _ungraded_side(terms, reading, analyte)
    if note:
        return CtcaeGrade(term=best.term, grade=best.grade, rule=f"{best.rule}; {note}")
    return best


def _one(term: str, value: object, unit: str | None, uln: object, baseline: object) -> CtcaeGrade:
    lab_term = lab_term_named(term)
    _number(value, "value")
    if uln is None:
        raise FactError(f"uln must be a finite positive number, got {uln!r}", field="uln")
    return _grade_term(lab_term, _read((lab_term,), value, unit, None, uln, baseline))


def grade_alt_increased(value: float, uln: float, baseline: float | None = None) -> CtcaeGrade:
    """CTCAE v5.0 grade of "Alanine aminotransferase increased" for an ALT ``value``.

    ``value``, ``uln`` and ``baseline`` share one unit (e.g. U/L). ``baseline`` above ``uln``
    switches to the "baseline abnormal" multiples of baseline (grade 1 from 1.5 x baseline).

    Raises:
        FactError: a negative or non-finite value, or a ULN/baseline that is not positive.
    """
    return _one("Alanine aminotransferase increased", value, "U/L", uln, baseline)


def grade_ast_increased(value: float, uln: float, baseline: float | None = None) -> CtcaeGrade:
    """CTCAE v5.0 grade of "Aspartate aminotransferase increased"; same rules as ALT.

    Raises:
        FactError: a negative or non-finite value, or a ULN/baseline that is not positive.
    """
    return _one("Aspartate aminotransferase increased", value, "U/L", uln, baseline)


def grade_creatinine_increased(
    value: float, uln: float, baseline: float | None = None
) -> CtcaeGrade:
    """CTCAE v5.0 grade of "Creatinine increased" for a serum creatinine ``value``.

    The grade is the highest met of the ULN criteria and, when ``baseline`` is given, the
    baseline criteria (>1.5 - 3.0 x baseline: grade 2; >3.0 x baseline: grade 3). All
    three values share one unit (mg/dL or µmol/L).

    Raises:
        FactError: a negative or non-finite value, or a ULN/baseline that is not positive.
    """
    return _one("Creatinine increased", value, None, uln, baseline)
