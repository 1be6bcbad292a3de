"""The questions as the web app shows them, and which apply given the answers so far."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from trialdesk.criteria.model import SelfCheckItem, When
from trialdesk.selfcheck.answers import NO, YES
from trialdesk.selfcheck.record import check_mappings

if TYPE_CHECKING:
    from trialdesk.study.loader import Study

__all__ = ["Question", "applicability", "conditions_of", "questions", "visible"]


@dataclass(frozen=True)
class Question:
    """One self-check question.

    ``answer_type`` is yes_no, number, date, month_year, choice or duration; ``options``
    are (value, label) pairs for choice and yes_no; ``unit``, ``minimum`` and ``maximum``
    bound number and duration answers; ``when`` names the earlier answer that makes the
    question apply (None: always asked).
    """

    id: str
    ask: str
    help: str | None
    answer_type: str
    unit: str | None
    minimum: float | None
    maximum: float | None
    options: tuple[tuple[str, str], ...]
    criteria: tuple[str, ...]
    when: When | None


def _question(item: SelfCheckItem) -> Question:
    return Question(
        id=item.id,
        ask=item.ask,
        help=item.help,
        answer_type=item.answer,
        unit=item.unit,
        minimum=item.minimum,
        maximum=item.maximum,
        options=item.options,
        criteria=item.criteria,
        when=item.when,
    )


def conditions_of(question: Question) -> list[tuple[str, str]]:
    """(question id, answer) pairs that must all hold for ``question`` to apply; a page
    script hides it otherwise (a question that depends on a hidden one hides too)."""
    return [(question.when.question, question.when.value)] if question.when else []


def questions(study: Study) -> tuple[Question, ...]:
    """The study's self-check questions in protocol order (empty if it has none).

    Raises StudyError for a fact mapping that does not fit its value set."""
    check_mappings(study)
    return tuple(_question(item) for item in study.criteria.selfcheck)


class _Asked(Protocol):
    """What deciding applicability needs: a Question or the file's SelfCheckItem."""

    @property
    def id(self) -> str: ...
    @property
    def when(self) -> When | None: ...
    @property
    def options(self) -> tuple[tuple[str, str], ...]: ...


def _choice(q: _Asked, value: object) -> str | None:
    """An answer as the option value a ``when`` compares with; None if unusable (a bad
    raw answer shows nothing that depends on it)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    text = "yes" if text in YES else "no" if text in NO else text
    return text if text in {v for v, _ in q.options} else None


def applicability(asked: Sequence[_Asked], answers: Mapping[str, object]) -> dict[str, bool | None]:
    """Per question: True (it applies), False (earlier answers rule it out), None (it
    depends on an earlier question that has no usable answer yet)."""
    items = {q.id: q for q in asked}
    out: dict[str, bool | None] = {}
    for q in asked:
        if q.when is None:
            out[q.id] = True
            continue
        parent = out.get(q.when.question)
        if parent is not True:
            out[q.id] = parent  # a question that does not apply hides its follow-ups
            continue
        value = answers.get(q.when.question)
        chosen = _choice(items[q.when.question], value)
        out[q.id] = None if chosen is None else chosen == q.when.value
    return out


def visible(asked: Sequence[Question], answers: Mapping[str, object]) -> tuple[Question, ...]:
    """The questions that apply given the answers so far (raw strings or typed Answers)."""
    shown = applicability(asked, answers)
    return tuple(q for q in asked if shown[q.id] is True)
