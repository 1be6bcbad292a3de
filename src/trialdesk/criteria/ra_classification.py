"""The ACR/EULAR 2010 classification score from what a record holds.

Each domain is scored from the facts on file (Aletaha et al., Arthritis Rheum
2010;62:2569-81); a domain with nothing on file stays unknown and the score becomes the
range of totals still possible, so ``acr_eular_2010(on=screening) < 6`` is decided only
when every completion of the record agrees.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from trialdesk.clinical.acr_eular import Serology, acr_eular_2010_range, serology_level
from trialdesk.criteria.context import DateRange, EvalContext, fact_evidence
from trialdesk.criteria.logic import Tri
from trialdesk.criteria.measures import first_onset, readings
from trialdesk.criteria.outcome import Evidence, Outcome
from trialdesk.criteria.results import result_sign
from trialdesk.errors import FactError

# How far back a serology or acute-phase result still describes the patient at screening:
# serology rarely changes, so any result on file; CRP/ESR within the last year.
_ACUTE_PHASE_LOOKBACK = relativedelta(years=1)


def _serology(ctx: EvalContext, name: str, on: date, ev: list[Evidence]) -> Serology | None:
    if name not in ctx.valuesets:
        return None
    hits = [h for h in ctx.index.hits(name) if h.fact.start and h.fact.start <= on]
    if not hits:
        return None
    # latest result; on the same day the higher value (as the SQL path orders them)
    hit = max(
        hits,
        key=lambda h: (
            h.fact.start or date.min,
            h.fact.value is not None,
            h.fact.value.value if h.fact.value is not None else 0.0,
        ),
    )
    fact = hit.fact
    try:
        if fact.value is not None and fact.reference_high is not None:
            level = serology_level(fact.value.value, fact.reference_high.value, field=name)
            ev.append(fact_evidence(hit, f"{fact.label}: {level.value}"))
            return level
    except FactError:
        return None
    sign = result_sign(fact)
    if sign is Tri.UNKNOWN:
        return None
    # a result known only as positive counts as low-positive (Aletaha 2010, Table 3 note)
    level = Serology.LOW_POSITIVE if sign is Tri.TRUE else Serology.NEGATIVE
    ev.append(fact_evidence(hit, f"{fact.label}: {level.value}"))
    return level


def _abnormal(ctx: EvalContext, name: str, on: date, ev: list[Evidence]) -> bool | None:
    if name not in ctx.valuesets:
        return None
    good, _ = readings(ctx, name, DateRange(on - _ACUTE_PHASE_LOOKBACK, on))
    if not good:
        return None
    value, hit = good[-1]
    fact = hit.fact
    if fact.reference_high is not None:
        flag = fact.value is not None and fact.value.value > fact.reference_high.value
    elif fact.interpretation:
        flag = any(i in ("H", "HH", "A", "AA") for i in fact.interpretation)
    else:
        return None
    ev.append(fact_evidence(hit, f"{fact.label}: {'abnormal' if flag else 'normal'}"))
    return flag


def _joints(ctx: EvalContext, name: str, on: date, ev: list[Evidence]) -> int | None:
    if name not in ctx.valuesets:
        return None
    good, _ = readings(ctx, name, DateRange(on - relativedelta(months=3), on))
    if not good:
        return None
    value, hit = good[-1]
    ev.append(fact_evidence(hit))
    return int(value)


def acr_eular_2010(ctx: EvalContext, on: date) -> Outcome:
    ev: list[Evidence] = []
    onset = first_onset(ctx, ("rheumatoid_arthritis",), on)
    weeks = (on - onset).days / 7 if onset else None
    try:
        score = acr_eular_2010_range(
            large_joints=_joints(ctx, "joints_large_involved", on, ev),
            small_joints=_joints(ctx, "joints_small_involved", on, ev),
            rf=_serology(ctx, "rheumatoid_factor", on, ev),
            acpa=_serology(ctx, "anti_ccp", on, ev),
            crp_abnormal=_abnormal(ctx, "crp", on, ev),
            esr_abnormal=_abnormal(ctx, "esr", on, ev),
            symptom_weeks=weeks,
        )
    except FactError as exc:
        return Outcome(evidence=(Evidence(note=exc.message),), missing=("usable ACR/EULAR inputs",))
    if onset is not None:
        ev.append(Evidence(note=f"RA on file since {onset.isoformat()}", date=onset))
    known = 4 - len(score.unknown)
    if score.minimum == score.maximum:
        note = f"ACR/EULAR 2010 score {score.minimum}/10"
    else:
        note = (
            f"ACR/EULAR 2010 score between {score.minimum} and {score.maximum}/10 "
            f"({known} of 4 domains on file; unknown: {', '.join(score.unknown)})"
        )
    ev.insert(0, Evidence(note=note))
    missing = tuple(f"ACR/EULAR 2010 domain: {d}" for d in score.unknown)
    return Outcome(
        number=(float(score.minimum), float(score.maximum)), evidence=tuple(ev), missing=missing
    )
