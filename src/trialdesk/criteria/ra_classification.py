"""The ACR/EULAR 2010 classification score from what a record holds.

Each domain is scored from the facts on file (Aletaha et al., Arthritis Rheum
2010;62:2569-81); a domain with nothing on file stays unknown and the score becomes the
range of totals still possible, so ``acr_eular_2010(on=screening) < 6`` is decided only
when every completion of the record agrees. The joint domain is read from the latest joint
examination on file (criteria/joint_counts.py), as far as its counts decide it
(clinical/acr_eular_joints.py: a 28-joint count sets a lower limit, a 68/66 count an upper
one, the ACR/EULAR count both).
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from trialdesk.clinical.acr_eular import Serology, acr_eular_2010_range, serology_level
from trialdesk.clinical.acr_eular_joints import RULE, joint_domain
from trialdesk.criteria.context import DateRange, EvalContext, fact_evidence
from trialdesk.criteria.joint_counts import joint_examination
from trialdesk.criteria.logic import Tri
from trialdesk.criteria.measures import first_onset, readings
from trialdesk.criteria.outcome import Evidence, Outcome
from trialdesk.criteria.results import result_sign
from trialdesk.errors import FactError

# How far back a serology or acute-phase result still describes the patient at screening:
# serology rarely changes, so any result on file; CRP/ESR within the last year.
_ACUTE_PHASE_LOOKBACK = relativedelta(years=1)
# The domains as Aletaha 2010 (Table 3) names them, for what a person reads.
DOMAIN_NAMES = {
    "joints": "joint involvement",
    "serology": "serology (RF, anti-CCP)",
    "acute_phase": "acute-phase reactants (CRP, ESR)",
    "duration": "duration of symptoms",
}
# What decides a domain left open, where its name alone does not say it.
_WHAT_TO_GET = {
    **DOMAIN_NAMES,
    "joints": "joint involvement (a 68/66-joint count, or the involved large and small joints)",
}


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


def _joints(ctx: EvalContext, on: date, ev: list[Evidence]) -> tuple[int, int] | None:
    """The joint domain's (lowest, highest) points from the latest examination, or None
    when no usable count is on file or its counts contradict each other."""
    exam, unusable = joint_examination(ctx, on)
    ev.extend(Evidence(note=f"unusable: {problem}") for problem in unusable)
    if exam is None:
        return None
    domain = joint_domain(exam.counts)  # the counts read are whole and within range
    if domain is None:
        return None
    ev.extend(exam.evidence)
    span = f"{domain.low}" if domain.low == domain.high else f"{domain.low}-{domain.high}"
    verdict = "unknown" if domain.conflict else f"{span} points"
    ev.append(
        Evidence(
            note=(
                f"ACR/EULAR joint domain {verdict} from the joint examination of "
                f"{exam.day.isoformat()}: {'; '.join(domain.reasons)} ({RULE})"
            ),
            date=exam.day,
        )
    )
    return None if domain.conflict else (domain.low, domain.high)


def acr_eular_2010(ctx: EvalContext, on: date) -> Outcome:
    ev: list[Evidence] = []
    onset = first_onset(ctx, ("rheumatoid_arthritis",), on)
    weeks = (on - onset).days / 7 if onset else None
    try:
        joint_range = _joints(ctx, on, ev)
        score = acr_eular_2010_range(
            joint_range=joint_range,
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
    unknown = [
        f"{DOMAIN_NAMES['joints']} ({joint_range[0]}-{joint_range[1]} points)"
        if domain == "joints" and joint_range is not None
        else DOMAIN_NAMES.get(domain, domain)
        for domain in score.unknown
    ]
    if score.minimum == score.maximum:
        note = f"ACR/EULAR 2010 score {score.minimum}/10"
    else:
        note = (
            f"ACR/EULAR 2010 score between {score.minimum} and {score.maximum}/10 "
            f"({known} of 4 domains on file; unknown: {', '.join(unknown)})"
        )
    ev.insert(0, Evidence(note=note))
    missing = tuple(f"ACR/EULAR 2010 domain: {_WHAT_TO_GET.get(d, d)}" for d in score.unknown)
    return Outcome(
        number=(float(score.minimum), float(score.maximum)), evidence=tuple(ev), missing=missing
    )
