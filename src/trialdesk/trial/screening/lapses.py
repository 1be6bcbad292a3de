"""Why an investigator's signed judgment no longer holds, and since when (walkthrough D11).

A signature on a criterion vouches for the evidence the page showed (its *basis*,
checklist.py). The basis now being equal to the signed one is not enough for the
signature to hold: if the evidence changed at any moment after signing, the signature
lapsed then, and a later retraction that restores the old evidence does not revive it
(docs/screening.md; 21 CFR 11.70 links a signature to the record as signed, and the
record in between was not what was signed). The investigator signs again.

The history is the entered facts' own: each row records when and by whom it was entered
and retracted. The basis is recomputed with the facts in force just after each such
change that came after the signature; the first change that moved the basis is the
lapse, and it names the fact, what happened to it, when and by whom. Changes of the
candidate's dates or identity are not replayed: they lapse a signature only while they
stand (the digest no longer matches), without a named cause; and when the facts in force
at signing no longer give the signed basis (such a change came since), no fact is blamed.

The replay reads only what it must: a judgment criterion's basis is the record's
fingerprint (no engine run), and the engine runs only the review criteria signed
(``Screener.screen(only=...)``), once per distinct set of facts in force, shared by every
signature of the candidate (checklist.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from trialdesk.trial.screening.models import EnteredFact

__all__ = ["Change", "Lapse", "describe", "first_lapse"]


class Change(StrEnum):
    ADDED = "added"
    RETRACTED = "retracted"


@dataclass(frozen=True)
class Lapse:
    """The change that lapsed a signature: ``what`` fact, ``change`` made to it, ``at``
    (an instant), ``by`` (a username)."""

    fact_id: int
    what: str
    change: Change
    at: datetime
    by: str


def describe(row: EnteredFact) -> str:
    """An entered fact in words, as its row holds it: concept, value and unit, date."""
    value = " ".join(v for v in (row.value, row.unit) if v)
    dose = " ".join(v for v in (row.dose, row.dose_unit) if v)
    shown = ", ".join(v for v in (value, dose) if v)
    return f"{row.concept}{' ' + shown if shown else ''} ({row.on.isoformat()})"


# the facts in force (in the order given) -> each criterion's basis with exactly those
BasesWith = Callable[[tuple[EnteredFact, ...]], dict[str, str]]


def first_lapse(
    *,
    signed_at: datetime,
    criterion_id: str,
    signed_basis: object,
    entered: Sequence[EnteredFact],
    bases_with: BasesWith,
) -> Lapse | None:
    """The first change to the entered facts after ``signed_at`` that moved the
    criterion's basis away from ``signed_basis``; None if none did (so far), and None when
    the facts in force at signing no longer give the signed basis: then something not
    replayed changed since (a date, a parameter, the candidate's identity), and blaming
    the first fact changed after it would name the wrong cause (the digest decides)."""
    events: list[tuple[datetime, int, Change, EnteredFact]] = []
    for row in entered:
        if row.entered_at >= signed_at:  # the same instant: the replay tells
            events.append((row.entered_at, row.id, Change.ADDED, row))
        if row.retracted_at is not None and row.retracted_at >= signed_at:
            events.append((row.retracted_at, row.id, Change.RETRACTED, row))
    if not events:
        return None  # nothing replayed changed: the digest alone decides
    events.sort(key=lambda e: (e[0], e[1], e[2] is Change.RETRACTED))
    signed_state = [_in_force(entered, signed_at, before=True)]
    signed_state += [_in_force(entered, at) for at, *_ in events if at == signed_at]
    if all(bases_with(s).get(criterion_id) != signed_basis for s in signed_state):
        return None
    for at, _, change, row in events:
        if bases_with(_in_force(entered, at)).get(criterion_id) != signed_basis:
            by = row.entered_by if change is Change.ADDED else (row.retracted_by or "?")
            return Lapse(row.id, describe(row), change, at, by)
    return None


def _in_force(
    entered: Sequence[EnteredFact], at: datetime, *, before: bool = False
) -> tuple[EnteredFact, ...]:
    """The entered facts in force just after ``at`` (``before``: just before it), in the
    order given (the order the checklist reads them in)."""
    if before:
        return tuple(
            r
            for r in entered
            if r.entered_at < at and (r.retracted_at is None or r.retracted_at >= at)
        )
    return tuple(
        r for r in entered if r.entered_at <= at and (r.retracted_at is None or r.retracted_at > at)
    )
