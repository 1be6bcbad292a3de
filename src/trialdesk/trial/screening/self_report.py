"""A lead's self-check answers carried into its candidate's screening (walkthrough D9).

When staff add a lead as a screening candidate, what the person reported (selfcheck
reported.py: their sex, RA since March 2018, methotrexate for 3 years, 165 cm, 62 kg)
becomes entered facts of the candidate, so the checklist reads them instead of asking
for them again. Each is an ordinary entered fact (audited, retractable: a wrong one is
retracted like any other) whose source document says what it is: the patient's own
report, from the self-check of that lead on that day, to be confirmed from the records.
A fact the checks of an entry refuse (the study's value sets changed since) is left out
and named, never forced in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from trialdesk.errors import TrialdeskError
from trialdesk.selfcheck.reported import ReportedFact, SelfReport, self_report
from trialdesk.study.loader import Study
from trialdesk.study.windows import site_today
from trialdesk.trial.screening.fact_entry import FactEntry, check_entry
from trialdesk.trial.screening.facts import add_facts
from trialdesk.trial.screening.models import Candidate, EnteredFact, Lead

__all__ = ["SELF_REPORT", "Carried", "carry_self_report", "reported_of", "source_of"]

SELF_REPORT = "Patient self-report"


def source_of(lead: Lead, on: date) -> str:
    """The source document of a carried fact: whose word it is, and that it needs confirming."""
    return f"{SELF_REPORT}: self-check of lead {lead.reference} on {on.isoformat()} (to confirm)"


def reported_of(study: Study, lead: Lead) -> tuple[SelfReport, date]:
    """What the lead's answers assert, and the site's day they were given on."""
    on = site_today(study.schedule, lead.created_at)
    return self_report(study, {k: str(v) for k, v in lead.answers.items()}, on), on


def _number(value: float) -> str:
    return f"{value:g}"


def entry_of(fact: ReportedFact, source: str) -> FactEntry:
    """The entry a coordinator would type for ``fact``."""
    if fact.kind == "observation":
        assert fact.value is not None
        return FactEntry(
            concept=fact.concept,
            on=fact.on,
            value=_number(fact.value),
            unit=fact.unit,
            source_document=source,
        )
    if fact.kind == "medication":
        mg = fact.dose_mg
        return FactEntry(
            concept=fact.concept,
            on=fact.on,
            end=fact.end,
            dose=_number(mg) if mg is not None else None,
            dose_unit="mg" if mg is not None else None,
            per_day="1" if mg is not None else None,  # the question asks mg a day
            route=fact.route,
            code=fact.code,
            source_document=source,
        )
    return FactEntry(
        concept=fact.concept, on=fact.on, end=fact.end, code=fact.code, source_document=source
    )


@dataclass(frozen=True)
class Carried:
    """What was carried into the candidate's screening, and what was not (question ids)."""

    facts: tuple[EnteredFact, ...]
    refused: tuple[str, ...]  # the checks of an entry refused it
    not_carried: tuple[str, ...]  # the answers give no day (reported.py)


def carry_self_report(
    session: Session,
    *,
    actor: str,
    study: Study,
    candidate: Candidate,
    lead: Lead,
    now: datetime,
) -> Carried:
    """Enter the lead's reported facts for ``candidate`` (one audited entry each), in the
    caller's transaction."""
    report, on = reported_of(study, lead)
    source = source_of(lead, on)
    today = site_today(study.schedule, now)
    entries: list[FactEntry] = []
    refused: list[str] = []
    for fact in report.facts:
        entry = entry_of(fact, source)
        try:
            check_entry(study, entry, today=today)
        except TrialdeskError:
            refused.append(fact.question)
            continue
        entries.append(entry)
    rows = (
        add_facts(
            session,
            actor=actor,
            study=study,
            candidate_id=candidate.id,
            entries=entries,
            now=now,
        )
        if entries
        else []
    )
    return Carried(tuple(rows), tuple(refused), report.not_carried)
