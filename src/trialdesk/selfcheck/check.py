"""Evaluate a self-check: the study's own Screener over the record the answers describe.

The rule for never saying more than the answers support: a criterion is decided by the
self-check only when every question attached to it was answered (or does not apply, e.g.
pregnancy for a man), no answer was "not sure", and the record built with rough dates at
their earliest and at their latest gives it the same status. Everything else, and every
criterion no question covers, is left for the site. Screening and baseline are both the
day of the self-check ("if you were screened and treated today").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from trialdesk.criteria.model import Criterion, Kind, SelfCheckItem
from trialdesk.criteria.screening import CriterionResult, Status
from trialdesk.facts.record import PatientRecord
from trialdesk.selfcheck.answers import Answers, AnswerValue, MonthYear, to_text
from trialdesk.selfcheck.messages import MESSAGES
from trialdesk.selfcheck.questions import applicability
from trialdesk.selfcheck.record import build_record, check_mappings
from trialdesk.selfcheck.said import SaidError, raise_all

if TYPE_CHECKING:
    from trialdesk.study.loader import Study

__all__ = ["CriterionCheck", "Finding", "SelfCheckOutcome", "evaluate"]

MAY_BE_ELIGIBLE = "may_be_eligible"
PROBABLY_NOT_ELIGIBLE = "probably_not_eligible"
CANNOT_TELL = "cannot_tell"  # no answer decided any criterion (D5)
NOTE = (
    "This check uses only your answers. It is not a medical decision: the study site "
    "checks your answers, your records and tests before anyone can join."
)


class Finding(StrEnum):
    RULES_OUT = "rules_out"  # the answers show this criterion is not satisfied
    FINE = "fine"  # the answers satisfy it (the site still confirms)
    SITE = "site_will_check"


@dataclass(frozen=True)
class CriterionCheck:
    """What the self-check concluded about one criterion, and why (``why`` is a code:
    answers, not_asked, not_answered, not_sure, exact_dates, needs_tests_or_records,
    doctor_decides)."""

    criterion: Criterion
    finding: Finding
    why: str

    @property
    def sentence(self) -> str:
        plain = self.criterion.plain or self.criterion.short
        if self.criterion.kind is Kind.INCLUSION:
            return f"You need to {plain}."
        return f"You cannot take part if you {plain}."

    def to_json(self) -> dict[str, str]:
        return {
            "id": self.criterion.id,
            "kind": self.criterion.kind.value,
            "finding": self.finding.value,
            "why": self.why,
            "text": self.sentence,
        }


@dataclass(frozen=True)
class SelfCheckOutcome:
    study: str
    today: date
    verdict: str  # may_be_eligible | probably_not_eligible | cannot_tell
    criteria: tuple[CriterionCheck, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why probably not: criteria the answers show are not satisfied."""
        return tuple(c.sentence for c in self.criteria if c.finding is Finding.RULES_OUT)

    @property
    def site_will_check(self) -> tuple[str, ...]:
        return tuple(c.sentence for c in self.criteria if c.finding is Finding.SITE)

    @property
    def ruled_out_by(self) -> tuple[str, ...]:
        """The ids of the criteria behind ``reasons``."""
        return tuple(c.criterion.id for c in self.criteria if c.finding is Finding.RULES_OUT)

    def to_json(self) -> dict[str, Any]:
        return {
            "study": self.study,
            "date": self.today.isoformat(),
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "site_will_check": list(self.site_will_check),
            "criteria": [c.to_json() for c in self.criteria],
            "note": NOTE,
        }


def evaluate(study: Study, answers: Answers, today: date) -> SelfCheckOutcome:
    """The self-check outcome for these (possibly partial) answers on ``today``."""
    items = study.criteria.selfcheck
    check_mappings(study)
    known = {item.id for item in items}
    stray = [SaidError(MESSAGES["no_question"], field=k, key=k) for k in answers if k not in known]
    raise_all(stray, resource="self-check answers")
    applies = applicability(items, answers)
    used = {k: v for k, v in answers.items() if applies[k] is True}
    future = [
        SaidError(MESSAGES["future"], field=key)
        for key, value in used.items()
        if _first_day(value) > today
    ]
    raise_all(future, resource="self-check answers")
    criteria = study.criteria.criteria
    screener, asked = study.screener, _asked(study)
    # Criteria the answers cannot decide go to the site whatever the engine says, so only
    # the others are screened (this is what keeps a self-check to a few milliseconds).
    pending = {c.id: _site_reason(asked[c.id], used, applies) for c in criteria}
    decidable = {cid for cid, why in pending.items() if why is None}
    early_record, late_record = (build_record(study, used, today, late) for late in (False, True))

    # every study date on the day of the self-check (docs/criteria.md)
    dates = {a.name: today for a in study.participant.staff}

    def screen(record: PatientRecord) -> dict[str, CriterionResult]:
        result = screener.screen(record, dates=dates, only=decidable)
        return {r.criterion.id: r for r in result.criteria}

    early = screen(early_record)
    late = early if late_record == early_record else screen(late_record)
    checks = tuple(
        CriterionCheck(c, Finding.SITE, why)
        if (why := pending[c.id]) is not None
        else _decided(c, early[c.id], late[c.id])
        for c in criteria
    )
    return SelfCheckOutcome(study=study.id, today=today, verdict=_verdict(checks), criteria=checks)


def _verdict(checks: tuple[CriterionCheck, ...]) -> str:
    """Probably not when an answer rules a criterion out; may be eligible when the answers
    satisfy at least one criterion and rule none out; else (no answer, or none that decides
    anything) the answers cannot tell (D5): saying "you may be eligible" to someone who
    answered nothing would claim what no answer supports."""
    if any(c.finding is Finding.RULES_OUT for c in checks):
        return PROBABLY_NOT_ELIGIBLE
    if any(c.finding is Finding.FINE for c in checks):
        return MAY_BE_ELIGIBLE
    return CANNOT_TELL


_ASKED: dict[int, tuple[Study, dict[str, list[SelfCheckItem]]]] = {}


def _asked(study: Study) -> dict[str, list[SelfCheckItem]]:
    """Per criterion, the questions that ask about it: built once per loaded study."""
    cached = _ASKED.get(id(study))
    if cached is None or cached[0] is not study:
        items = study.criteria.selfcheck
        asked = {c.id: [i for i in items if c.id in i.criteria] for c in study.criteria.criteria}
        cached = _ASKED[id(study)] = (study, asked)
    return cached[1]


def _first_day(value: AnswerValue) -> date:
    if isinstance(value, MonthYear):
        return value.first()
    if isinstance(value, date):
        return value
    return date.min


def _site_reason(
    asked: list[SelfCheckItem], used: dict[str, AnswerValue], applies: dict[str, bool | None]
) -> str | None:
    """Why the site must check a criterion whatever the engine says; None if it need not."""
    if not asked:
        return "not_asked"
    relevant = [i for i in asked if applies[i.id] is not False]
    if any(applies[i.id] is None or i.id not in used for i in relevant):
        return "not_answered"
    if any(to_text(used[i.id]) in i.site_checks for i in relevant):
        return "not_sure"
    return None


def _decided(criterion: Criterion, early: CriterionResult, late: CriterionResult) -> CriterionCheck:
    """The engine's status for a criterion every needed answer was given for."""

    def site(why: str) -> CriterionCheck:
        return CriterionCheck(criterion, Finding.SITE, why)

    if early.status is not late.status:
        return site("exact_dates")
    if early.excludes:
        return CriterionCheck(criterion, Finding.RULES_OUT, "answers")
    if early.status is Status.UNKNOWN:
        return site("needs_tests_or_records")
    if early.status is Status.NEEDS_REVIEW:
        return site("doctor_decides")
    return CriterionCheck(criterion, Finding.FINE, "answers")
