"""The public trial page as data: the view model's classes (built by :mod:`trialdesk.study.page`).

Everything here comes from the public registry record and, for a study with a conduct half,
from its protocol files (schedule.yaml, forms/, endpoints.yaml); no participant data ever
does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "ASSUMPTION",
    "ActivityRow",
    "ActivitySchedule",
    "Contact",
    "CriterionItem",
    "CriterionLike",
    "CriterionText",
    "Design",
    "EndpointEntry",
    "Group",
    "Identifier",
    "ItemRead",
    "KeyDate",
    "Official",
    "SectionNotes",
    "Site",
    "Source",
    "TakingPart",
    "TrialPage",
    "Treatment",
    "VisitColumn",
    "VisitPlan",
    "headed",
    "span_text",
]

CTGOV_STUDY_URL = "https://clinicaltrials.gov/study/"


@dataclass(frozen=True)
class Treatment:
    name: str
    type: str | None  # "Biological"
    description: str | None = None
    other_names: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``Biological: hiSCs``, as the page's Treatments line."""
        return f"{self.type}: {self.name}" if self.type else self.name


@dataclass(frozen=True)
class Identifier:
    value: str
    kind: str  # "NCT number", "Organization's study id", "EudraCT number", ...
    link: str | None = None


@dataclass(frozen=True)
class KeyDate:
    name: str  # "Start", "Primary completion", "Completion"
    date: str  # as the registry gives it: yyyy, yyyy-MM or yyyy-MM-dd
    type: str | None = None  # "estimated" / "actual"

    @property
    def text(self) -> str:
        return f"{self.name} {self.date}" + (f" ({self.type})" if self.type else "")


@dataclass(frozen=True)
class CriterionItem:
    id: str  # I1.., E1..
    number: int
    text: str  # verbatim, sub-items included (one per line)
    lead: str  # the first line: the criterion's own sentence
    sub_items: tuple[str, ...] = ()  # its sub-items, markdown bullets shown as "•"
    heading: str | None = None  # the registry sub-heading it sits under


@dataclass(frozen=True)
class SectionNotes:
    """Registry text around a criteria list that is not a criterion."""

    before: tuple[str, ...] = ()  # intro: "Subjects must meet all of the following ..."
    after: tuple[str, ...] = ()  # remarks after the last criterion


@dataclass(frozen=True)
class Design:
    primary_purpose: str | None = None
    allocation: str | None = None
    interventional_model: str | None = None
    observational_model: str | None = None
    time_perspective: str | None = None
    masking: str | None = None

    @property
    def facts(self) -> tuple[tuple[str, str], ...]:
        rows = (
            ("Primary purpose", self.primary_purpose),
            ("Allocation", self.allocation),
            ("Interventional model", self.interventional_model),
            ("Observational model", self.observational_model),
            ("Time perspective", self.time_perspective),
            ("Masking", self.masking),
        )
        return tuple((name, value) for name, value in rows if value)


@dataclass(frozen=True)
class Group:
    label: str
    type: str | None  # "Experimental"
    description: str | None
    interventions: tuple[str, ...]  # "Biological: hiSCs"


@dataclass(frozen=True)
class Contact:
    name: str | None
    role: str | None
    phone: str | None  # with its extension
    email: str | None

    @property
    def tel(self) -> str | None:
        """The phone number for a ``tel:`` link: digits and a leading +, nothing else."""
        if not self.phone:
            return None
        number = self.phone.split(" ext.")[0]
        digits = re.sub(r"[^\d+]", "", number)
        return digits or None


@dataclass(frozen=True)
class Official:
    name: str | None
    affiliation: str | None
    role: str  # "Principal investigator"


@dataclass(frozen=True)
class Site:
    facility: str | None
    city: str | None
    state: str | None
    country: str | None
    status: str | None  # "Recruiting"
    map_url: str
    located: bool  # map_url points at the registry's geopoint, not a place-name search
    contacts: tuple[Contact, ...] = ()

    @property
    def place(self) -> str:
        return ", ".join(p for p in (self.city, self.state, self.country) if p)


@dataclass(frozen=True)
class Source:
    nct_id: str
    last_updated: str | None
    url: str
    line: str = "Data sourced from ClinicalTrials.gov"

    @property
    def text(self) -> str:
        when = f", last updated {self.last_updated}" if self.last_updated else ""
        return f"{self.line} ({self.nct_id}{when})"


# the protocol: what taking part involves, the schedule of activities, the endpoints ------

ASSUMPTION = "protocol assumption"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def span_text(days: int) -> str:
    """A number of days as a person says it: whole weeks from two weeks on."""
    weeks, rest = divmod(days, 7)
    if weeks < 2:
        return _plural(days, "day")
    return _plural(weeks, "week") + (f" and {_plural(rest, 'day')}" if rest else "")


@dataclass(frozen=True)
class VisitPlan:
    """One scheduled visit as a participant is told of it."""

    name: str  # "Week 12"
    when: str  # "Day 85, give or take 7 days"
    activities: tuple[str, ...]  # in plain words, each once: "Blood tests", ...


@dataclass(frozen=True)
class TakingPart:
    """What taking part involves, from the schedule: the visits after day 1, how long it
    lasts, and what happens at each visit."""

    visits_after_day1: int
    day1: str | None  # the name of the day-1 visit: "Day 1 (injection)"
    days: int  # from day 1 to the last scheduled visit's target day
    screening_days: int | None  # screening starts up to this many days before day 1
    visits: tuple[VisitPlan, ...]
    assumption: bool = False
    source: str | None = None

    @property
    def weeks(self) -> float:
        return self.days / 7

    @property
    def visits_text(self) -> str:
        """``7 visits after Day 1 (injection)``."""
        return f"{_plural(self.visits_after_day1, 'visit')} after {self.day1 or 'day 1'}"

    @property
    def duration_text(self) -> str:
        """``About 24 weeks from day 1 to the last visit, plus screening up to 28 days
        before day 1``."""
        text = f"About {span_text(self.days)} from day 1 to the last visit"
        if self.screening_days:
            text += f", plus screening up to {_plural(self.screening_days, 'day')} before day 1"
        return text


@dataclass(frozen=True)
class VisitColumn:
    """A visit as a column of the schedule of activities: ``W12``, ``D85``, ``±7``."""

    id: str
    name: str
    day: str  # "D85"; "D-28" for a span of days; "" for a visit with no day
    window: str  # "±7", "+1", "-2/+3"; "to D-1" for a span of days; "" for none
    when: str  # "study day 85 ±7 days", "if participation ends early", ...
    assumption: bool = False
    source: str | None = None

    @property
    def label(self) -> str:
        """``D85 ±7``: the study day and window, as a schedule of activities heads them."""
        return " ".join(p for p in (self.day, self.window) if p)


@dataclass(frozen=True)
class ActivityRow:
    """A form or procedure and, for each visit column in order, whether it is due."""

    id: str
    title: str
    due: tuple[bool, ...]


@dataclass(frozen=True)
class ActivitySchedule:
    """The schedule of activities: visits as columns, forms then procedures as rows."""

    visits: tuple[VisitColumn, ...]
    forms: tuple[ActivityRow, ...]
    procedures: tuple[ActivityRow, ...]
    log_forms: tuple[str, ...] = ()  # titles of forms kept throughout, not per visit
    assumption: bool = False
    source: str | None = None


@dataclass(frozen=True)
class ItemRead:
    """An item an endpoint reads: ``womac.pain_score``, its label and its form's title."""

    ref: str
    label: str
    form: str

    @property
    def text(self) -> str:
        return f"{self.ref} ({self.form}: {self.label})"


@dataclass(frozen=True)
class EndpointEntry:
    id: str
    primary: bool
    measure: str
    time_frame: str
    visit: str | None  # "W24 (Week 24 (end of study))"
    reads: tuple[ItemRead, ...] = ()
    assumption: bool = False
    source: str | None = None


@dataclass(frozen=True)
class TrialPage:
    """The public trial page of one study, in the page's order."""

    nct_id: str
    title: str
    official_title: str | None  # only when it differs from the title
    acronym: str | None
    sponsor: str | None
    collaborators: tuple[str, ...]
    status: str | None  # "Not yet recruiting"
    status_code: str | None  # "NOT_YET_RECRUITING"
    dates: tuple[KeyDate, ...]
    phase: str | None
    conditions: tuple[str, ...]
    treatments: tuple[Treatment, ...]
    study_type: str | None
    identifiers: tuple[Identifier, ...]
    brief_summary: str | None
    detailed_description: tuple[str, ...]  # paragraphs
    enrollment: str | None  # "15 participants (estimated)"
    sex: str | None
    ages: str | None  # "18 Years to 65 Years (Adult, Older adult)"
    healthy_volunteers: str | None
    inclusion: tuple[CriterionItem, ...]
    exclusion: tuple[CriterionItem, ...]
    inclusion_notes: SectionNotes
    exclusion_notes: SectionNotes
    design: Design | None  # None when the record has no designInfo
    groups_summary: str | None  # "15 participants in 1 patient group"
    groups: tuple[Group, ...]
    central_contacts: tuple[Contact, ...]
    officials: tuple[Official, ...]
    sites: tuple[Site, ...]
    source: Source
    # from the study folder's protocol files, in ``locale`` (none for a screening study)
    locale: str = "en"
    taking_part: TakingPart | None = None
    activities: ActivitySchedule | None = None
    endpoints: tuple[EndpointEntry, ...] = ()

    @property
    def url(self) -> str:
        return f"/studies/{self.nct_id}"

    @property
    def central_contact(self) -> Contact | None:
        return self.central_contacts[0] if self.central_contacts else None

    @property
    def has_criteria(self) -> bool:
        return bool(self.inclusion or self.exclusion)

    @property
    def status_tone(self) -> str:
        """The badge colour of the status: ``ok``, ``info``, ``warn`` or ``bad``."""
        return _TONES.get(self.status_code or "", "info")

    @property
    def inclusion_groups(self) -> tuple[tuple[str | None, tuple[CriterionItem, ...]], ...]:
        return headed(self.inclusion)

    @property
    def exclusion_groups(self) -> tuple[tuple[str | None, tuple[CriterionItem, ...]], ...]:
        return headed(self.exclusion)

    @property
    def primary_endpoints(self) -> tuple[EndpointEntry, ...]:
        return tuple(e for e in self.endpoints if e.primary)

    @property
    def secondary_endpoints(self) -> tuple[EndpointEntry, ...]:
        return tuple(e for e in self.endpoints if not e.primary)


_TONES = {
    "RECRUITING": "ok",
    "ENROLLING_BY_INVITATION": "ok",
    "NOT_YET_RECRUITING": "info",
    "ACTIVE_NOT_RECRUITING": "warn",
    "SUSPENDED": "warn",
    "COMPLETED": "warn",
    "TERMINATED": "bad",
    "WITHDRAWN": "bad",
}


def headed(
    items: Sequence[CriterionItem],
) -> tuple[tuple[str | None, tuple[CriterionItem, ...]], ...]:
    """Consecutive criteria under the same registry sub-heading, in order."""
    groups: list[tuple[str | None, list[CriterionItem]]] = []
    for item in items:
        if not groups or groups[-1][0] != item.heading:
            groups.append((item.heading, []))
        groups[-1][1].append(item)
    return tuple((heading, tuple(rows)) for heading, rows in groups)


@dataclass(frozen=True)
class CriterionText:
    """A criterion given as plain values (``trialdesk study show`` with explicit rows)."""

    id: str
    kind: str
    text: str
    heading: str | None = None


class CriterionLike(Protocol):
    """What the page needs of a criterion: a criteria-file ``Criterion`` or split item."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def heading(self) -> str | None: ...
