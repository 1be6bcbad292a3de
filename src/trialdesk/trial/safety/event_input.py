"""An adverse event as staff typed it, read into checked values: every problem at its
field, all at once (``FieldErrors``), or nothing.

What is checked, and why:
- the CTCAE v5.0 term is one of the list, and the grade one the term defines (CTCAE
  prints "-" where a grade does not exist: no grade 1 Joint infection, no grade 4
  Arthralgia, no grade 5 for many terms);
- grade 5 is "death related to AE" (CTCAE v5.0): a grade 5 event is fatal and a fatal
  one grade 5, and ICH E2A makes an event that results in death serious by that
  criterion: "results in death" and a FATAL outcome go together. "Serious" itself is
  never typed: it is whether any criterion is ticked;
- dates are ISO 8601 partial dates, refused only when certainly wrong (partial_dates.py):
  an onset before informed consent (the reporting period starts at consent; before it,
  the condition is medical history), an end before the onset, a date in the future;
- an outcome that says the event goes on has no end date, one that says it ended has it;
- for a product given once on day 1, an event that began after day 1 leaves nothing to
  do with the product: NOT APPLICABLE (ICH E2B(R3) G.k.8);
- the study's AESIs (safety.yaml): those the term decides are flagged from it; one staff
  confirm is ticked only for an event coded to its terms;
- a condition that worsened after day 1 names its grade before day 1 (below its grade
  now) and when it worsened.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar

from trialdesk.clinical.ctcae_terms import CtcaeTerm, require_term
from trialdesk.errors import FieldErrors, InputError, TrialdeskError
from trialdesk.study.safety_file import Safety
from trialdesk.trial.safety.partial_dates import PartialDate
from trialdesk.trial.safety.terms import ActionTaken, Outcome, Seriousness
from trialdesk.trial.store.text import plain_text

__all__ = ["EventContext", "EventInput", "EventValues", "read_event"]

VERBATIM_MAX = 200
_E = TypeVar("_E", bound=StrEnum)


@dataclass(frozen=True)
class EventInput:
    """An adverse event as typed: text, numbers as typed, the seriousness criteria ticked
    (``Seriousness`` values) and the AESIs staff confirm (ids of safety.yaml)."""

    verbatim: str | None = None
    term: str | None = None
    onset: str | None = None
    end: str | None = None
    grade: int | str | None = None
    seriousness: Collection[str] = ()
    action_taken: str | None = None
    outcome: str | None = None
    special_interest: Collection[str] = ()
    baseline_grade: int | str | None = None
    worsened_on: str | None = None


@dataclass(frozen=True)
class EventValues:
    verbatim: str
    term: CtcaeTerm
    onset: PartialDate
    end: PartialDate | None
    grade: int
    seriousness: frozenset[Seriousness]
    action_taken: ActionTaken
    outcome: Outcome
    special_interest: tuple[str, ...]
    baseline_grade: int | None
    worsened_on: PartialDate | None

    @property
    def serious(self) -> bool:
        return bool(self.seriousness)


@dataclass(frozen=True)
class EventContext:
    """What an event is judged against: the participant's first consent and day 1, the
    site's date, and the study's safety declarations."""

    consented_on: date | None
    day1: date | None
    today: date
    safety: Safety


def read_event(given: EventInput, context: EventContext) -> EventValues:
    """The checked values of an event, or FieldErrors naming every problem."""
    reader = _Reader(context)
    values = reader.read(given)
    if reader.errors or values is None:
        raise FieldErrors(reader.errors, resource="adverse event")
    return values


class _Reader:
    def __init__(self, context: EventContext) -> None:
        self.context = context
        self.errors: list[TrialdeskError] = []

    def error(self, message: str, field: str) -> None:
        self.errors.append(InputError(message, field=field))

    def read(self, given: EventInput) -> EventValues | None:
        verbatim = self.verbatim(given.verbatim)
        term = self.term(given.term)
        onset = self.date(given.onset, "onset", required=True)
        end = self.date(given.end, "end")
        worsened = self.date(given.worsened_on, "worsened_on")
        grade = self.grade(given.grade, "grade", 1, 5)
        baseline = self.grade(given.baseline_grade, "baseline_grade", 1, 4)
        seriousness = self.seriousness(given.seriousness)
        action = self.choice(ActionTaken, given.action_taken, "action_taken")
        outcome = self.choice(Outcome, given.outcome, "outcome")

        if term is not None and grade is not None and term.grades.get(grade) is None:
            defined = ", ".join(str(g) for g in term.defined_grades)
            self.error(
                f"{term.term} has no grade {grade} in CTCAE v5.0 (its grades: {defined})", "grade"
            )
        self.fatal(grade, outcome, seriousness)
        self.dates(onset, end, outcome)
        self.worsening(onset, end, grade, baseline, worsened)
        self.action(onset, action)
        flagged = self.special_interest(term, given.special_interest)
        if (
            self.errors
            or verbatim is None
            or term is None
            or onset is None
            or grade is None
            or action is None
            or outcome is None
        ):
            return None
        return EventValues(
            verbatim,
            term,
            onset,
            end,
            grade,
            frozenset(seriousness),
            action,
            outcome,
            flagged,
            baseline,
            worsened,
        )

    # -- one field each ---------------------------------------------------------------------
    def verbatim(self, value: str | None) -> str | None:
        try:
            text = plain_text(value, "verbatim", VERBATIM_MAX, one_line=True)
        except InputError as refused:
            self.errors.append(refused)
            return None
        if text is None:
            self.error("write the event as the participant or the record describes it", "verbatim")
        return text

    def term(self, value: str | None) -> CtcaeTerm | None:
        try:
            return require_term(value or "", field="term")
        except InputError as refused:
            self.errors.append(refused)
            return None

    def date(self, value: str | None, field: str, *, required: bool = False) -> PartialDate | None:
        if value is None or not str(value).strip():
            if required:
                self.error(
                    "give the date as YYYY-MM-DD, or YYYY-MM or YYYY if that is all that is known",
                    field,
                )
            return None
        try:
            found = PartialDate.parse(str(value))
        except ValueError as wrong:
            self.error(str(wrong), field)
            return None
        if found.certainly_after(self.context.today):
            self.error(f"{found} is in the future", field)
            return None
        return found

    def grade(self, value: int | str | None, field: str, low: int, high: int) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if field == "grade":
                self.error("choose the CTCAE grade, 1 to 5", field)
            return None
        try:
            number = (
                value
                if isinstance(value, int) and not isinstance(value, bool)
                else int(str(value).strip())
            )
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            self.error(f"a CTCAE grade from {low} to {high}", field)
            return None
        return number

    def seriousness(self, ticked: Collection[str]) -> set[Seriousness]:
        out: set[Seriousness] = set()
        for code in ticked:
            try:
                out.add(Seriousness(code))
            except ValueError:
                known = ", ".join(s.value for s in Seriousness)
                self.error(
                    f"{code!r} is not an ICH E2A seriousness criterion ({known})", "seriousness"
                )
        return out

    def choice(self, kind: type[_E], value: str | None, field: str) -> _E | None:
        text = " ".join((value or "").split()).upper()
        for member in kind:
            if member.value == text:
                return member
        known = ", ".join(m.value for m in kind)
        self.error(
            f"choose one of {known}" if not text else f"{value!r} is not one of {known}", field
        )
        return None

    # -- across fields ----------------------------------------------------------------------
    def fatal(self, grade: int | None, outcome: Outcome | None, ticked: set[Seriousness]) -> None:
        fatal = outcome is Outcome.FATAL
        if grade == 5 and outcome is not None and not fatal:
            self.error(
                "a grade 5 event is death related to it (CTCAE v5.0): its outcome is FATAL",
                "outcome",
            )
        if fatal and grade is not None and grade != 5:
            self.error("a fatal event is grade 5 (CTCAE v5.0: death related to the event)", "grade")
        if Seriousness.DEATH in ticked and outcome is not None and not fatal:
            self.error("'results in death' is ticked: the outcome is FATAL", "seriousness")
        if fatal and Seriousness.DEATH not in ticked:
            self.error("a fatal event is serious: tick 'results in death' (ICH E2A)", "seriousness")

    def dates(
        self, onset: PartialDate | None, end: PartialDate | None, outcome: Outcome | None
    ) -> None:
        consented = self.context.consented_on
        if onset is not None and consented is not None and onset.certainly_before(consented):
            self.error(
                f"{onset} is before the informed consent was signed ({consented.isoformat()}): "
                "an event before consent is medical history, not an adverse event of the study",
                "onset",
            )
        if onset is not None and end is not None and end.certainly_before(onset):
            self.error(f"{end} is before the onset ({onset})", "end")
        ended = outcome.ended if outcome is not None else None
        if ended is False and end is not None:
            self.error(
                f"the outcome {outcome} says the event goes on: leave the end date "
                "blank, or give the outcome it ended with",
                "end",
            )
        if ended is True and end is None:
            what = "the date of death" if outcome is Outcome.FATAL else "the date it ended"
            self.error(f"the outcome {outcome} says the event ended: give {what}", "end")

    def worsening(
        self,
        onset: PartialDate | None,
        end: PartialDate | None,
        grade: int | None,
        baseline: int | None,
        worsened: PartialDate | None,
    ) -> None:
        if (baseline is None) != (worsened is None):
            missing = "worsened_on" if worsened is None else "baseline_grade"
            self.error(
                "a condition that worsened after day 1 needs both its grade before day "
                "1 and the date it worsened",
                missing,
            )
        if baseline is not None and grade is not None and grade <= baseline:
            self.error(
                f"a condition that worsened is now of a higher grade ({grade}) than before "
                f"day 1 ({baseline})",
                "baseline_grade",
            )
        day1 = self.context.day1
        if baseline is not None and onset is not None and day1 and onset.certainly_after(day1):
            self.error(
                f"it began after day 1 ({day1.isoformat()}): it had no grade before day 1",
                "baseline_grade",
            )
        if worsened is not None and onset is not None and worsened.certainly_before(onset):
            self.error(f"{worsened} is before the onset ({onset})", "worsened_on")
        if worsened is not None and end is not None and worsened.certainly_after(end):
            self.error(f"{worsened} is after the end ({end})", "worsened_on")

    def action(self, onset: PartialDate | None, action: ActionTaken | None) -> None:
        day1 = self.context.day1
        if (
            self.context.safety.single_administration
            and day1 is not None
            and onset is not None
            and onset.certainly_after(day1)
            and action not in (None, ActionTaken.NOT_APPLICABLE, ActionTaken.UNKNOWN)
        ):
            self.error(
                f"the product is given once, and was given on day 1 ({day1.isoformat()}), "
                "before this event: the action taken with it is NOT APPLICABLE (ICH E2B(R3) "
                "G.k.8)",
                "action_taken",
            )

    def special_interest(self, term: CtcaeTerm | None, ticked: Collection[str]) -> tuple[str, ...]:
        """The AESIs of the event: those its term decides, and those staff confirm."""
        safety = self.context.safety
        flagged = {
            a.id for a in safety.special_interest if not a.confirm and term and a.covers(term)
        }
        for aesi_id in ticked:
            aesi = safety.interest(aesi_id)
            if aesi is None:
                known = ", ".join(a.id for a in safety.special_interest) or "none declared"
                self.error(
                    f"'{aesi_id}' is not an adverse event of special interest of this "
                    f"study ({known})",
                    "special_interest",
                )
            elif term is None:
                continue
            elif not aesi.covers(term):
                coded = ", ".join(sorted(aesi.terms | aesi.socs))
                self.error(
                    f"{aesi.name} is an event coded to {coded}, not {term.term}", "special_interest"
                )
            else:
                flagged.add(aesi.id)
        order = [a.id for a in safety.special_interest]
        return tuple(sorted(flagged, key=order.index))
