"""What a person's self-check answers assert about them, as facts staff can carry into
their screening (walkthrough D9), with nothing the person did not say.

The self-check's own record (record.py) may fill gaps to judge a criterion: a stand-in
dose to detect a change, a pain score of 0 for "no knee pain", a date range tried at both
ends. A screening record must not: only what was reported is carried, each fact at one
day. So a fact is carried when

- its answer applies (a follow-up question whose parent answer rules it out does not);
- it is a condition, medication, procedure, vaccine, device or an observation whose value
  the person gave (height, weight): a value implied by another answer is an inference;
- the answers date it: a month, a length of time, "in the last 4 weeks". With no date
  given ("yes, I have RA", no month) there is no day to enter; such a fact, and a
  condition the person says is over (when it ended is not asked), is listed as not
  carried, for staff to take from the records. A range of days is entered at its latest
  day: the shorter history and the more recent event, which no criterion reads in the
  person's favour;
- a medication's dose is carried only when the person gave it (mg a day, once a day);
  whether a dose changed is not a fact with a day, and is left to the lead's answers.

Sex is carried as the person's sex; an age is not a birth date (it is one of 366 days),
so it is reported as the range of birth dates it allows, for staff to confirm.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from trialdesk.criteria.evaluator import shift
from trialdesk.criteria.model import FactTemplate, SelfCheckItem
from trialdesk.criteria.nodes import Duration
from trialdesk.errors import TrialdeskError
from trialdesk.selfcheck.answers import Answers, AnswerValue, parse_value, to_text
from trialdesk.selfcheck.questions import applicability
from trialdesk.selfcheck.record import FLOOR, date_range

if TYPE_CHECKING:
    from trialdesk.study.loader import Study

__all__ = ["ReportedFact", "SelfReport", "self_report"]

CARRIED_KINDS = frozenset(
    {"condition", "medication", "procedure", "immunization", "device", "observation"}
)


@dataclass(frozen=True)
class ReportedFact:
    """One fact the answers assert: ``concept`` is the value set, ``on`` its (latest
    possible) day; ``value``/``unit`` for an observation, ``dose_mg`` (a day) and ``route``
    for a medication, ``code`` the code the criteria file gives the answer (``system|code``)."""

    question: str
    kind: str
    concept: str
    on: date
    end: date | None = None
    value: float | None = None
    unit: str | None = None
    dose_mg: float | None = None
    route: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class SelfReport:
    """Everything carried from one self-check: the facts, the sex, the birth dates an age
    allows (earliest, latest), and the questions whose answers assert a fact that cannot
    be carried (no date given, or an end not asked)."""

    facts: tuple[ReportedFact, ...]
    sex: str | None
    born_between: tuple[date, date] | None
    not_carried: tuple[str, ...]


def _typed(study: Study, raw: dict[str, str]) -> Answers:
    """The answers that still fit the study's questions (the file may have changed since
    they were given); any other is left out, not guessed at."""
    items = {item.id: item for item in study.criteria.selfcheck}
    typed: dict[str, AnswerValue] = {}
    for key, text in raw.items():
        item = items.get(key)
        if item is None or not isinstance(text, str) or not text.strip():
            continue
        try:
            typed[key] = parse_value(item, text)
        except TrialdeskError:
            continue
    return Answers(typed)


def _birth_range(age: AnswerValue | None, on: date) -> tuple[date, date] | None:
    if isinstance(age, date):
        return age, age
    if not isinstance(age, float):
        return None
    years = int(age)  # completed years on ``on``
    earliest = shift(on, "-", Duration(years + 1, "years")) + timedelta(days=1)
    return earliest, shift(on, "-", Duration(years, "years"))


def _fact(
    study: Study, answers: Answers, on: date, item: SelfCheckItem, t: FactTemplate
) -> ReportedFact | None:
    """The fact ``t`` puts on the record, at one day; None when it cannot be dated."""
    low, high = date_range(study, answers, on, t.date)
    if low == FLOOR:
        return None
    fact = ReportedFact(question=item.id, kind=t.kind, concept=t.target, on=high, code=t.code)
    if t.kind == "observation":
        answer = answers.get(t.value_answer) if t.value_answer else None
        assert isinstance(answer, float)  # checked by the caller
        return replace(fact, value=answer, unit=t.unit)
    if t.kind == "medication":
        dose = answers.get(t.dose) if t.dose else None
        ended = high if t.status == "completed" else None  # a single injection
        mg = dose if isinstance(dose, float) else None
        return replace(fact, dose_mg=mg, route=t.route, end=ended)
    return fact


def _asserted(t: FactTemplate, answers: Answers) -> bool:
    """Whether the answer asserts the fact itself (not a value inferred from it)."""
    if t.kind not in CARRIED_KINDS:
        return False
    if t.kind == "observation":  # only a value the person gave
        return t.value_answer is not None and isinstance(answers.get(t.value_answer), float)
    return True


def self_report(study: Study, raw: dict[str, str], on: date) -> SelfReport:
    """What the answers ``raw`` (as stored with a lead) given on ``on`` (the site's day)
    assert, as :class:`SelfReport`."""
    answers = _typed(study, raw)
    applies = applicability(study.criteria.selfcheck, answers)
    used = Answers({k: v for k, v in answers.items() if applies.get(k) is True})
    facts: list[ReportedFact] = []
    not_carried: list[str] = []
    sex: str | None = None
    born: tuple[date, date] | None = None
    for item in study.criteria.selfcheck:
        value = used.get(item.id)
        if value is None:
            continue
        for t in item.facts:
            if t.if_answer and to_text(value) not in t.if_answer:
                continue
            if t.kind == "sex":
                sex = to_text(used[t.target]) if t.target in used else None
            elif t.kind == "birth_date":
                born = _birth_range(used.get(t.target), on)
            elif _asserted(t, used):
                # a condition that is over: when it ended is not asked
                over = t.kind == "condition" and t.status not in (None, "active")
                fact = None if over else _fact(study, used, on, item, t)
                if fact is None:
                    not_carried.append(item.id)
                else:
                    facts.append(fact)
    return SelfReport(tuple(facts), sex, born, tuple(dict.fromkeys(not_carried)))
