"""What is particular to each participant: the named dates rules measure windows from, and
per-participant parameters such as the target knee.

A study declares them in ``participant.yaml`` (read by trialdesk.study.participant;
format in docs/criteria.md, "The participant"); the criteria language refers to them by
name (``before(baseline, months(3))``, ``history(..., side=<a side parameter>)``), and the
engine, the SQL and the CLI handle them generically. They live here, below the study
loader, because the parser, the evaluator and the SQL compiler all need them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from trialdesk.criteria.nodes import Duration
from trialdesk.errors import InputError

__all__ = ["Anchor", "DateDefault", "Participant", "SideParameter"]

SetBy = Literal["staff", "record", "form"]


@dataclass(frozen=True)
class DateDefault:
    """``screening + days(14)``: the date an anchor takes when no one has set it."""

    anchor: str
    op: str = "+"  # "+" or "-"
    duration: Duration | None = None

    def apply(self, day: date) -> date:
        from trialdesk.criteria.evaluator import shift  # the evaluator's own date arithmetic

        return day if self.duration is None else shift(day, self.op, self.duration)

    def describe(self) -> str:
        """In words: "screening + 14 days"."""
        if self.duration is None:
            return f"the {self.anchor} date"
        amount, unit = self.duration.amount, self.duration.unit
        return f"{self.anchor} {self.op} {amount} {unit[:-1] if amount == 1 else unit}"


@dataclass(frozen=True)
class Anchor:
    """A named date rules measure windows from.

    ``set_by: staff``: the site sets it for each participant (screening, baseline);
    ``not_before`` names an earlier staff anchor it may not precede and ``default`` what
    it is when not set. ``set_by: record``: read from the record, as the date of the latest
    active research consent on file on or before the staff anchor ``by``.
    ``set_by: form``: the date the item ``item`` of the case report form ``form`` records,
    set by the trial store when that form is saved (day 1: the injection). Such a date
    exists only once the trial is under way: eligibility rules cannot read it, the
    screening pages do not ask for it; the visit schedule and the edit checks do.
    """

    name: str
    label: str
    set_by: SetBy = "staff"
    by: str | None = None
    not_before: str | None = None
    default: DateDefault | None = None
    form: str | None = None  # set_by form: the form and item that record the date
    item: str | None = None


@dataclass(frozen=True)
class SideParameter:
    """A per-participant side of a body site: the target knee, the study eye."""

    name: str
    label: str  # "Target knee": evidence reads "right knee, the target knee"
    site: str  # a body site trialdesk knows (facts/body_sites.yaml)
    help: str | None = None
    if_missing: str | None = None  # what is lost when it is not given, for the notes
    choices: tuple[str, ...] = ("left", "right")

    @property
    def words(self) -> str:
        """The label as it reads inside a sentence: "target knee"."""
        return self.label[:1].lower() + self.label[1:]

    def parse(self, value: str | None) -> str | None:
        """A value as given (any case, spaces around): one of ``choices``, or None when
        blank; anything else is an InputError naming this parameter."""
        text = (value or "").strip().lower()
        if not text:
            return None
        if text not in self.choices:
            allowed = " or ".join(self.choices)
            raise InputError(f"must be {allowed}, got '{value}'", field=self.name)
        return text


def _the_date(name: str) -> str:
    return f"the {name} date"


@dataclass(frozen=True)
class Participant:
    """A study's declared anchors (in order) and per-participant parameters."""

    anchors: Mapping[str, Anchor] = field(default_factory=dict)
    parameters: Mapping[str, SideParameter] = field(default_factory=dict)

    @property
    def staff(self) -> tuple[Anchor, ...]:
        """The anchors the site sets, in declaration order."""
        return tuple(a for a in self.anchors.values() if a.set_by == "staff")

    @property
    def record(self) -> tuple[Anchor, ...]:
        """The anchors read from the record, in declaration order."""
        return tuple(a for a in self.anchors.values() if a.set_by == "record")

    @property
    def forms(self) -> tuple[Anchor, ...]:
        """The anchors set by a case report form, in declaration order."""
        return tuple(a for a in self.anchors.values() if a.set_by == "form")

    @property
    def screening(self) -> tuple[Anchor, ...]:
        """The anchors eligibility rules may read: set by staff or read from the record."""
        return tuple(a for a in self.anchors.values() if a.set_by != "form")

    @property
    def sites(self) -> tuple[str, ...]:
        """The body sites the side parameters name, once each, in declaration order."""
        return tuple(dict.fromkeys(p.site for p in self.parameters.values()))

    def fill_dates(
        self,
        given: Mapping[str, date | None],
        *,
        today: date | None = None,
        named: Callable[[str], str] | None = None,
    ) -> tuple[dict[str, date], list[str]]:
        """Every staff anchor's date, and a note for each one that was not given.

        A date not given takes its declared ``default`` (worked out from the anchors
        before it), else ``today`` when the caller passes one; with neither it is an
        InputError. ``not_before`` is checked on the result. ``named`` says how an anchor
        is named in errors (the CLI names its options: "--baseline-date").
        """
        named = named or _the_date
        unknown = sorted(set(given) - {a.name for a in self.staff})
        if unknown:
            known = ", ".join(a.name for a in self.staff) or "none"
            raise InputError(f"no date {unknown[0]!r} in this study (dates: {known})")
        dates: dict[str, date] = {}
        notes: list[str] = []
        for a in self.staff:
            day = given.get(a.name)
            if day is None and a.default is not None:
                day = a.default.apply(dates[a.default.anchor])
                notes.append(f"{a.name} date not given: using {a.default.describe()}, {day}")
            elif day is None and today is not None:
                day = today
                notes.append(f"{a.name} date not given: using today, {day}")
            elif day is None:
                raise InputError(f"{named(a.name)} is not given", field=a.name)
            dates[a.name] = day
        for a in self.staff:
            if a.not_before is not None and dates[a.name] < dates[a.not_before]:
                raise InputError(f"{named(a.name)} is before {named(a.not_before)}", field=a.name)
        return dates, notes

    def parse_parameters(self, given: Mapping[str, str | None]) -> dict[str, str | None]:
        """Every declared parameter's value (None when not given), each checked by its
        ``parse``; a name the study does not declare is an InputError."""
        for name in given:
            if name not in self.parameters:
                known = ", ".join(self.parameters) or "none"
                raise InputError(
                    f"no parameter {name!r} in this study (parameters: {known})", field=name
                )
        return {name: p.parse(given.get(name)) for name, p in self.parameters.items()}

    def missing_notes(
        self, values: Mapping[str, str | None], unset: str = "not given"
    ) -> list[str]:
        """A note for each parameter not given, saying what is lost (``if_missing``)."""
        return [
            f"{p.words} {unset}" + (f": {p.if_missing}" if p.if_missing else "")
            for name, p in self.parameters.items()
            if values.get(name) is None
        ]
