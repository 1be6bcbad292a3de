"""Measurements and the figures computed from them (open world).

A measurement a criterion needs in a window is open-world: none on file is UNKNOWN, and
``missing`` says exactly what to obtain. Values are normalised to the value set's unit;
a value that cannot be used (unknown unit, impossible number) is reported, not guessed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from trialdesk.clinical import body, labs, renal
from trialdesk.clinical.age import age_in_years
from trialdesk.clinical.plausibility import check_reading
from trialdesk.clinical.unit_display import quantity_shown
from trialdesk.clinical.units import convert
from trialdesk.criteria.context import DateRange, EvalContext, Hit, fact_evidence
from trialdesk.criteria.logic import Tri
from trialdesk.criteria.outcome import Evidence, Outcome, fmt_number, fmt_ratio
from trialdesk.criteria.sides import on_side
from trialdesk.errors import FactError


def usable_value(ctx: EvalContext, hit: Hit, name: str) -> tuple[float | None, str | None]:
    """(value in the value set's unit, None) or (None, why it cannot be used)."""
    fact = hit.fact
    vs = ctx.valuesets[name]
    if fact.problems:
        return None, _named(fact.resource, fact.problems)
    if fact.value is None:
        return None, f"{fact.resource} has no numeric value"
    if fact.value.comparator:
        censored = f"{fact.value.comparator}{fmt_number(fact.value.value)}"
        return None, f"{fact.resource} is a censored value ({censored})"
    try:
        value = fact.value.value
        if vs.unit is not None and not (_dimensionless(vs.unit) and not fact.value.unit):
            # a score sent without a unit (valueInteger) is taken in the score's unit
            value = convert(value, fact.value.unit, vs.unit, analyte=name)
        if value < 0:
            raise FactError(f"impossible negative value {fmt_number(fact.value.value)}")
        check_reading(name, value)  # a value no living person can have (clinical/plausibility)
    except FactError as exc:
        return None, f"{fact.resource}: {exc.message}"
    return value, None


def _dimensionless(unit: str) -> bool:
    """A UCUM unit of pure number: "1" or an annotation such as "{score}"."""
    return unit == "1" or (unit.startswith("{") and unit.endswith("}"))


def _named(resource: str, problems: tuple[str, ...]) -> str:
    """A fact's problems, prefixed with the resource they are about."""
    return f"{resource}: " + "; ".join(problems)


def readings(
    ctx: EvalContext, name: str, w: DateRange
) -> tuple[list[tuple[float, Hit]], list[str]]:
    """Usable values of one value set in a window (oldest first), and the unusable ones."""
    good: list[tuple[float, Hit]] = []
    bad: list[str] = []
    for hit in ctx.index.hits(name):
        start = hit.fact.start
        if start is None:
            if hit.fact.problems:
                bad.append(_named(hit.fact.resource, hit.fact.problems))
            continue
        if not (w.start <= start <= w.end):
            continue
        value, problem = usable_value(ctx, hit, name)
        if value is None:
            bad.append(problem or f"{hit.fact.resource} unusable")
        else:
            good.append((value, hit))
    # oldest first; on the same day the higher value last, so "latest" is deterministic
    # (the SQL orders the same way)
    good.sort(key=lambda vh: (vh[1].fact.start or date.min, vh[0]))
    return good, bad


def _need(ctx: EvalContext, name: str, w: DateRange, bad: list[str]) -> Outcome:
    missing = f"{ctx.valuesets[name].title} {w}"
    ev = tuple(Evidence(note=f"unusable: {b}") for b in bad)
    return Outcome(evidence=ev, missing=(missing,))


def _reading_evidence(
    ctx: EvalContext, name: str, value: float, hit: Hit, extra: str = ""
) -> Evidence:
    unit = ctx.valuesets[name].unit
    base = fact_evidence(hit)
    note = f"{hit.fact.label} {quantity_shown(fmt_number(value), unit)}".strip() + extra
    if hit.match.confidence == "text":
        note += " (matched on display text only: lower confidence)"
    return Evidence(
        note=note,
        resource=base.resource,
        code=base.code,
        display=base.display,
        value=round(value, 4),
        unit=unit,
        date=base.date,
    )


def pick(ctx: EvalContext, name: str, w: DateRange, how: str) -> Outcome:
    good, bad = readings(ctx, name, w)
    if not good:
        return _need(ctx, name, w, bad)
    if how == "latest":
        value, hit = good[-1]
    elif how == "highest":
        value, hit = max(good, key=lambda vh: vh[0])
    else:
        value, hit = min(good, key=lambda vh: vh[0])
    ev = _reading_evidence(ctx, name, value, hit, f" ({how} {w})")
    return Outcome(number=(value, value), unit=ctx.valuesets[name].unit, evidence=(ev,))


def latest_on_side(
    ctx: EvalContext, name: str, w: DateRange, side: str, unsided: str = "unknown"
) -> Outcome:
    """The latest reading of the side the parameter ``side`` gives (the target knee's
    WOMAC). A reading of the other side does not count; one whose side cannot be placed
    (sides.on_side), dated on or after the latest placed one, may be the latest, so the
    value is then UNKNOWN, naming what would place it (sql/readings_sql.py does the same)."""
    good, bad = readings(ctx, name, w)
    kept: list[tuple[float, Hit, str]] = []
    unsure: list[tuple[Hit, str, list[str]]] = []
    elsewhere: list[Evidence] = []
    for value, hit in good:
        verdict, note, need = on_side(ctx, hit.fact, side, unsided)
        if verdict is Tri.TRUE:
            kept.append((value, hit, note))
        elif verdict is Tri.FALSE:
            elsewhere.append(_reading_evidence(ctx, name, value, hit, f" ({note})"))
        else:
            unsure.append((hit, note, need))
    last = kept[-1][1].fact.start if kept else None
    later = [u for u in unsure if last is None or (u[0].fact.start or date.min) >= last]
    if later:
        said = tuple(fact_evidence(h, f"{h.fact.label} ({why})") for h, why, _ in later)
        missing = tuple(dict.fromkeys(m for _, _, needs in later for m in needs))
        return Outcome(evidence=(*said, *elsewhere), missing=missing)
    if not kept:
        none = _need(ctx, name, w, bad)
        return Outcome(evidence=(*none.evidence, *elsewhere), missing=none.missing)
    value, hit, placed = kept[-1]
    shown = _reading_evidence(ctx, name, value, hit, f" (latest {w}; {placed})")
    return Outcome(number=(value, value), unit=ctx.valuesets[name].unit, evidence=(shown,))


def highest_x_uln(ctx: EvalContext, name: str, w: DateRange) -> Outcome:
    good, bad = readings(ctx, name, w)
    if not good:
        return _need(ctx, name, w, bad)
    best: tuple[float, Evidence] | None = None
    problems: list[str] = []
    for value, hit in good:
        ref = hit.fact.reference_high
        try:
            if ref is not None:
                uln = convert(ref.value, ref.unit, ctx.valuesets[name].unit or "", analyte=name)
                source = "the result's own reference range"
            else:
                uln, source = labs.default_uln(name, _sex(ctx))
                source = f"default table: {source}"
            ratio = round(labs.times_uln(value, uln), 6)
        except FactError as exc:
            problems.append(f"{hit.fact.resource}: {exc.message}")
            continue
        # cut, not rounded: 79.9 against a ULN of 40 is 1.99, not "2" (outcome.fmt_ratio)
        extra = f" = {fmt_ratio(ratio)}×ULN (ULN {fmt_number(uln)}, {source})"
        ev = _reading_evidence(ctx, name, value, hit, extra)
        if best is None or ratio > best[0]:
            best = (ratio, ev)
    if best is None:
        return Outcome(
            evidence=tuple(Evidence(note=p) for p in problems),
            missing=(f"the upper limit of normal for {ctx.valuesets[name].title}",),
        )
    return Outcome(number=(best[0], best[0]), unit="×ULN", evidence=(best[1],))


def _sex(ctx: EvalContext) -> str | None:
    sex = ctx.record.sex
    return sex if sex in ("male", "female") else None


def age(ctx: EvalContext, at: date) -> Outcome:
    born = ctx.record.birth_date
    if born is None:
        return Outcome(missing=("the birth date",))
    try:
        years = age_in_years(born, at)
    except FactError as exc:
        return Outcome(evidence=(Evidence(note=exc.message),), missing=("a valid birth date",))
    note = f"age {years} years on {at.isoformat()} (born {born.isoformat()})"
    ev = Evidence(note=note, value=years, unit="a", date=at)
    return Outcome(number=(years, years), unit="a", evidence=(ev,))


def crcl_cockcroft_gault(ctx: EvalContext, w: DateRange) -> Outcome:
    creat, bad_c = readings(ctx, "creatinine", w)
    weight, bad_w = readings(ctx, "body_weight", w)
    missing: list[str] = []
    if not creat:
        missing.append(f"{ctx.valuesets['creatinine'].title} {w}")
    if not weight:
        missing.append(f"{ctx.valuesets['body_weight'].title} {w}")
    sex = _sex(ctx)
    if sex is None:
        missing.append("sex (male or female) for Cockcroft-Gault")
    if ctx.record.birth_date is None:
        missing.append("the birth date")
    if missing:
        ev = tuple(Evidence(note=f"unusable: {b}") for b in bad_c + bad_w)
        return Outcome(evidence=ev, missing=tuple(missing))
    scr, scr_hit = creat[-1]
    kg, kg_hit = weight[-1]
    when = scr_hit.fact.start or w.end
    assert sex is not None and ctx.record.birth_date is not None
    try:
        years = age_in_years(ctx.record.birth_date, when)
        # six decimals, as the SQL path rounds its floating-point result
        crcl = round(renal.cockcroft_gault(years, kg, scr, sex), 6)
    except FactError as exc:
        why = ("inputs Cockcroft-Gault accepts",)
        return Outcome(evidence=(Evidence(note=exc.message),), missing=why)
    note = (
        f"CrCl {fmt_number(crcl)} mL/min, Cockcroft-Gault, creatinine {fmt_number(scr)} mg/dL on "
        f"{when.isoformat()}, weight {fmt_number(kg)} kg on {kg_hit.fact.start}, age {years}, {sex}"
    )
    ev = (
        Evidence(note=note, value=round(crcl, 2), unit="mL/min", date=when),
        _reading_evidence(ctx, "creatinine", scr, scr_hit),
        _reading_evidence(ctx, "body_weight", kg, kg_hit),
    )
    return Outcome(number=(crcl, crcl), unit="mL/min", evidence=ev)


def bmi(ctx: EvalContext, w: DateRange) -> Outcome:
    observed, bad_b = readings(ctx, "bmi", w)
    if observed:
        value, hit = observed[-1]
        return Outcome(
            number=(value, value),
            unit="kg/m2",
            evidence=(_reading_evidence(ctx, "bmi", value, hit, " (observed)"),),
        )
    weight, bad_w = readings(ctx, "body_weight", w)
    # adult height changes little: the latest height on file up to the window's end serves
    heights, bad_h = readings(ctx, "body_height", DateRange(date.min, w.end))
    if not weight or not heights:
        missing = [f"{ctx.valuesets['bmi'].title} {w}, or weight and height"]
        ev = tuple(Evidence(note=f"unusable: {b}") for b in bad_b + bad_w + bad_h)
        return Outcome(evidence=ev, missing=tuple(missing))
    kg, kg_hit = weight[-1]
    cm, cm_hit = heights[-1]
    try:
        # BMI is reported to one decimal (WHO); comparing the rounded figure keeps
        # "exactly 30" from being decided by floating-point noise.
        body.bmi(kg, cm / 100)  # validates weight and height
        value = bmi_one_decimal(kg, cm)
    except FactError as exc:
        why = ("plausible weight and height",)
        return Outcome(evidence=(Evidence(note=exc.message),), missing=why)
    note = (
        f"BMI {fmt_number(value)} kg/m2 from weight {fmt_number(kg)} kg "
        f"and height {fmt_number(cm)} cm"
    )
    ev = (
        Evidence(note=note, value=value, unit="kg/m2", date=kg_hit.fact.start),
        _reading_evidence(ctx, "body_weight", kg, kg_hit),
        _reading_evidence(ctx, "body_height", cm, cm_hit),
    )
    return Outcome(number=(value, value), unit="kg/m2", evidence=ev)


def bmi_one_decimal(kg: float, cm: float) -> float:
    """BMI rounded half up to one decimal (as reported, WHO), in the exact floating-point
    operations the SQL path uses, so both agree at every boundary."""
    metres = cm / 100.0
    return math.floor(kg / (metres * metres) * 10 + 0.5) / 10.0


def first_onset(ctx: EvalContext, names: Sequence[str], until: date) -> date | None:
    hits = ctx.index.hits(*names)
    starts = [h.fact.start for h in hits if h.fact.start and h.fact.start <= until]
    return min(starts) if starts else None
