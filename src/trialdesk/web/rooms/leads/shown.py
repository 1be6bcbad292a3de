"""A lead's answers as staff read them (walkthrough D9): each under its question and in the
words the person chose ("Yes, as tablets or liquid by mouth", "45 years"), not as raw keys
(``methotrexate_how_long: 3 years``). In the order the self-check asks them; an answer to
a question the study no longer asks is kept, under its key, and said so."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trialdesk.criteria.model import SelfCheckItem
from trialdesk.selfcheck.messages import unit_text
from trialdesk.study.loader import Study
from trialdesk.web.rooms.leads.texts import TEXTS

__all__ = ["AnswerRow", "answer_rows"]


@dataclass(frozen=True)
class AnswerRow:
    question: str  # the question as asked, or the key of one no longer asked
    answer: str  # the answer as the person chose or typed it
    key: str
    asked: bool  # the study's self-check still asks it


def _shown(item: SelfCheckItem, raw: str, locale: str) -> str:
    if item.answer == "yes_no" and raw.lower() in ("yes", "no"):
        own = dict(item.options).get(raw.lower())
        plain = own in (None, "Yes", "No")
        return TEXTS[raw.lower()].get(locale) if plain else str(own)
    if item.answer == "choice":
        return dict(item.options).get(raw.lower(), raw)
    unit = unit_text(item.unit, item.answer) if item.answer == "number" else None
    return f"{raw} {unit.get(locale)}" if unit is not None else raw


def answer_rows(study: Study | None, answers: Mapping[str, Any], locale: str) -> list[AnswerRow]:
    """The answers under their questions (``study`` None: the lead's study is not served
    here, so only the keys are known)."""
    items = {item.id: item for item in study.criteria.selfcheck} if study is not None else {}
    rows = [
        AnswerRow(item.ask, _shown(item, str(answers[qid]), locale), qid, True)
        for qid, item in items.items()
        if qid in answers
    ]
    rows.extend(
        AnswerRow(key, str(value), key, False) for key, value in answers.items() if key not in items
    )
    return rows
