"""Research participation: consent to this study, enrolment in others."""

from __future__ import annotations

from datetime import date

from trialdesk.criteria.context import (
    OPEN_END,
    DateRange,
    EvalContext,
    overlaps,
    span,
)
from trialdesk.criteria.logic import Tri
from trialdesk.criteria.outcome import Evidence, Outcome
from trialdesk.facts.record import Fact

RESEARCH_SCOPE = frozenset({"research"})


# FHIR R4 Consent.status: draft and proposed are not a decision yet (open world: unknown);
# rejected and inactive (withdrawn, expired) are. An active consent whose base provision
# is "deny" records a refusal.
UNDECIDED_CONSENT = frozenset({"draft", "proposed"})


def research_consents(ctx: EvalContext, by: date) -> list[Fact]:
    return [
        f
        for f in ctx.index.consents
        if f.start is not None
        and f.start <= by
        and f.status not in UNDECIDED_CONSENT
        and (any(c.code in RESEARCH_SCOPE for c in f.codes) or not f.codes)
    ]


def _permits(f: Fact) -> bool:
    return f.status in (None, "active") and f.value_text != "deny"


def consented(ctx: EvalContext, by: date) -> Outcome:
    facts = research_consents(ctx, by)
    if facts:
        # the latest decision stands (a later refusal or withdrawal ends an earlier consent)
        f = max(facts, key=lambda x: (x.start or date.min, _permits(x)))
        if _permits(f):
            note = f"research consent {f.status or 'on file'}"
            ev = Evidence(note=note, resource=f.resource, date=f.start)
            return Outcome(tri=Tri.TRUE, evidence=(ev,))
        why = "refused (provision: deny)" if f.value_text == "deny" else f"is {f.status}"
        ev = Evidence(note=f"research consent {why}", resource=f.resource, date=f.start)
        return Outcome(tri=Tri.FALSE, evidence=(ev,))
    # a consent whose date cannot be read may be the one that counts: name it
    undated = [f.resource for f in ctx.index.consents if f.start is None]
    notes = tuple(Evidence(note="consent with no readable date", resource=r) for r in undated)
    missing = (f"a signed research consent on or before {by.isoformat()}",)
    return Outcome(evidence=notes, missing=missing + tuple(f"the date of {r}" for r in undated))


def consent_date(ctx_consents: list[Fact], by: date) -> date | None:
    """The date of the latest active research consent on or before ``by``."""
    dates = [
        f.start
        for f in ctx_consents
        if f.start is not None
        and f.start <= by
        and _permits(f)
        and (any(c.code in RESEARCH_SCOPE for c in f.codes) or not f.codes)
    ]
    return max(dates) if dates else None


# ResearchSubject.status (FHIR R4) that mean the person never took part, or still does.
NOT_ENROLLED = frozenset(
    {
        "candidate",
        "not-registered",
        "ineligible",
        "pending-on-study",
        "potential-candidate",
        "screening",
        "eligible",
    }
)
ONGOING_STUDY = frozenset({"on-study", "on-study-intervention", "active"})


def in_other_study(ctx: EvalContext, w: DateRange) -> Outcome:
    found = []
    undated: list[Fact] = []
    for f in ctx.index.studies:
        # this study itself, named in the ResearchStudy's title or identifier
        if ctx.study_id and (
            ctx.study_id in (f.text or "") or any(c.code == ctx.study_id for c in f.codes)
        ):
            continue
        if f.status in NOT_ENROLLED:
            continue
        s = span(f)
        if s is None:
            undated.append(f)
            continue
        end = s[1] if f.end is not None else OPEN_END if f.status in ONGOING_STUDY else s[1]
        if overlaps((s[0], end), w.start, w.end):
            note = f"research study: {f.text or f.resource} ({f.status})"
            found.append(Evidence(note=note, resource=f.resource, date=f.start))
    if found:
        return Outcome(tri=Tri.TRUE, evidence=tuple(found))
    if undated:
        return Outcome(
            evidence=tuple(
                Evidence(note="study participation with no dates", resource=f.resource)
                for f in undated
            ),
            missing=tuple(f"the dates of {f.resource}" for f in undated),
        )
    return Outcome(tri=Tri.FALSE, evidence=(Evidence(note=f"no other research study on file {w}"),))
