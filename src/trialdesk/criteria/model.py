"""A criterion as the protocol states it, and the computable form trialdesk gives it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from trialdesk.criteria.nodes import Duration, Node, Parameter, Window
from trialdesk.criteria.participant import Participant


class Kind(StrEnum):
    INCLUSION = "inclusion"
    EXCLUSION = "exclusion"


@dataclass(frozen=True)
class Criterion:
    """One registry criterion.

    Exactly one way to decide it: a ``rule`` (decided from data), a ``review`` (findings
    that an investigator must judge), both (the rule decides, the review flags what is
    left), or ``judgment`` (a reason why only an investigator can decide).
    """

    id: str
    kind: Kind
    text: str
    rule: Node | None = None
    review: Node | None = None
    judgment: str | None = None
    rule_source: str | None = None
    review_source: str | None = None
    note: str | None = None  # why it is encoded this way; protocol assumptions
    heading: str | None = None
    line: int | None = None  # where the criterion starts in its file
    plain: str | None = None  # plain language for patients: "be aged 18 to 65"

    @property
    def short(self) -> str:
        """The first sentence-ish of the text, for tables."""
        text = " ".join(self.text.split())
        return text if len(text) <= 90 else text[:87].rstrip() + "..."


@dataclass(frozen=True)
class CriteriaSet:
    """The contents of a study's criteria file, and the participant declarations (anchors,
    side parameters) its rules were read against."""

    study: str
    criteria: tuple[Criterion, ...]
    windows: dict[str, Window] = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    file: str | None = None
    selfcheck: tuple[SelfCheckItem, ...] = ()
    participant: Participant = field(default_factory=Participant)

    def get(self, criterion_id: str) -> Criterion | None:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        return None


# --------------------------------------------------------------------------- self-check
# The optional ``selfcheck:`` section of a criteria file: plain-language questions a
# patient can answer, attached to criteria, with a declarative mapping of each answer onto
# facts of a PatientRecord (read by criteria/selfcheck_spec.py, evaluated by the engine).

ANSWER_TYPES = ("yes_no", "number", "date", "month_year", "choice", "duration")


@dataclass(frozen=True)
class When:
    """Ask a question only when an earlier yes/no or choice question got ``value``."""

    question: str
    value: str


@dataclass(frozen=True)
class DateSpec:
    """When a self-reported event happened, as a range of days up to the self-check day.

    ``answer``: the date a date/month-year question gives, or a duration question's answer
    counted back from the day of the self-check. ``ago``: exactly that long ago.
    ``within`` / ``more_than``: some day in the last ``within`` / more than ``more_than``
    ago. Nothing set: some day before the self-check day.
    """

    answer: str | None = None
    ago: Duration | None = None
    within: Duration | None = None
    more_than: Duration | None = None


@dataclass(frozen=True)
class FactTemplate:
    """One fact an answer puts on the record.

    ``kind`` is birth_date or sex (``target`` is the question giving it), condition,
    medication, procedure, immunization, device or observation (``target`` is a value
    set), or study (``target`` is a label: participation in another research study).
    """

    kind: str
    target: str
    if_answer: tuple[str, ...] = ()  # answers that produce the fact; () = any answer
    code: str | None = None  # "system|code" of the value set; default: its first code
    date: DateSpec = field(default_factory=DateSpec)
    status: str | None = None
    route: str | None = None  # medication: oral, intramuscular, intravenous
    dose: str | None = None  # medication: number question giving mg per day
    changed: str | None = None  # medication: yes/no question "did the dose change"
    changed_within: Duration | None = None
    value: float | None = None  # observation: a fixed value ...
    value_answer: str | None = None  # ... or the number a question gives
    unit: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class SelfCheckItem:
    """One self-check question as the criteria file states it."""

    id: str
    ask: str
    answer: str  # one of ANSWER_TYPES
    criteria: tuple[str, ...]
    help: str | None = None
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    options: tuple[tuple[str, str], ...] = ()  # (value, label); yes/no for yes_no
    when: When | None = None
    site_checks: tuple[str, ...] = ()  # answers that leave its criteria to the site
    facts: tuple[FactTemplate, ...] = ()
    line: int | None = None
