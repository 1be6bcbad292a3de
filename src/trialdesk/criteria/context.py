"""Everything one evaluation needs: the record indexed by value set, the study dates and
the participant's parameters.

Matching a fact's codes against every value set is the costly step, so a ``Matcher`` is
built once per study and caches by the (codes, text) pair it has seen: real exports repeat
the same codes across thousands of resources and patients.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from trialdesk.clinical.valuesets import ValueSet, ValueSetMatch
from trialdesk.criteria.outcome import Evidence
from trialdesk.criteria.participant import Participant
from trialdesk.facts.record import Coding, Fact, FactKind, PatientRecord

OPEN_END = date.max

# Statuses that mean the thing is still going on (FHIR R4 Condition.clinicalStatus,
# MedicationRequest/Statement.status, Device.status).
ONGOING = frozenset({"active", "recurrence", "relapse", "on-hold", "intended", "draft"})


@dataclass(frozen=True, slots=True)
class Hit:
    """A fact that matched a value set, and how (by code, or by display text only)."""

    fact: Fact
    match: ValueSetMatch


# Which kinds of fact a value set of each kind may match: a condition value set must not
# match a lab result whose name mentions the disease ("Hepatitis B surface Ag"), nor a
# vaccine. Devices are also recorded as implant procedures and "presence of" findings.
KIND_MATCHES: dict[str, frozenset[FactKind]] = {
    "lab": frozenset({FactKind.OBSERVATION}),
    "vital": frozenset({FactKind.OBSERVATION}),
    "score": frozenset({FactKind.OBSERVATION}),
    "finding": frozenset({FactKind.OBSERVATION, FactKind.CONDITION}),
    "condition": frozenset({FactKind.CONDITION}),
    "medication": frozenset({FactKind.MEDICATION}),
    "vaccine": frozenset({FactKind.IMMUNIZATION, FactKind.MEDICATION}),
    "procedure": frozenset({FactKind.PROCEDURE}),
    # "presence of" a device is also sent as an Observation finding (SNOMED 441509002)
    "device": frozenset(
        {FactKind.DEVICE, FactKind.PROCEDURE, FactKind.CONDITION, FactKind.OBSERVATION}
    ),
}


class Matcher:
    """Which value sets a fact's codes belong to; one per study, shared by all patients.

    Display text is a fallback only for a fact that carries no code from the code systems
    the value set itself uses: a fact coded in LOINC with a code outside the set is some
    other test, whatever its name says.
    """

    def __init__(self, valuesets: Mapping[str, ValueSet]) -> None:
        self.valuesets = dict(valuesets)
        self._systems = {
            name: frozenset(e.system for e in vs.entries) for name, vs in self.valuesets.items()
        }
        self._cache: dict[
            tuple[FactKind, tuple[Coding, ...], str | None, tuple[Coding, ...]],
            tuple[tuple[str, ValueSetMatch], ...],
        ] = {}

    def matches(self, fact: Fact) -> tuple[tuple[str, ValueSetMatch], ...]:
        # a medicine's route can make it a member of a set with ``routes:`` (valuesets.py)
        route = fact.route if fact.kind is FactKind.MEDICATION else ()
        key = (fact.kind, fact.codes, fact.text, route)
        found = self._cache.get(key)
        if found is None:
            hits = []
            fact_systems = {c.system for c in fact.codes}
            for name, vs in self.valuesets.items():
                by_route = vs.match_route(route) if route else None
                if by_route is not None:
                    hits.append((name, by_route))
                    continue
                kinds = KIND_MATCHES.get(vs.kind)
                if kinds is not None and fact.kind not in kinds:
                    continue
                m = vs.match(fact.codes, fact.text)
                if m is None:
                    continue
                if m.confidence == "text" and fact_systems & self._systems[name]:
                    continue
                hits.append((name, m))
            found = tuple(hits)
            self._cache[key] = found
        return found


class FactIndex:
    """One record's facts grouped by the value sets they match."""

    def __init__(self, record: PatientRecord, matcher: Matcher) -> None:
        self.record = record
        self.by_valueset: dict[str, list[Hit]] = {}
        self.encounters: dict[str, Fact] = {}
        self.consents: list[Fact] = []
        self.studies: list[Fact] = []
        for fact in record.facts:
            if fact.kind is FactKind.ENCOUNTER:
                self.encounters[fact.resource] = fact
            elif fact.kind is FactKind.CONSENT:
                self.consents.append(fact)
            elif fact.kind is FactKind.STUDY:
                self.studies.append(fact)
            for name, m in matcher.matches(fact):
                self.by_valueset.setdefault(name, []).append(Hit(fact, m))

    def hits(self, *names: str) -> list[Hit]:
        if len(names) == 1:
            return self.by_valueset.get(names[0], [])
        seen: dict[str, Hit] = {}
        for name in names:
            for hit in self.by_valueset.get(name, []):
                seen.setdefault(hit.fact.resource + "|" + (hit.fact.text or ""), hit)
        return list(seen.values())


@dataclass(frozen=True)
class StudyDates:
    """The anchors windows are measured from, in the study's declaration order
    (participant.yaml): the staff-set ones always known, a record one (consent) maybe not."""

    days: tuple[tuple[str, date | None], ...]
    staff: tuple[str, ...]  # the names of the staff-set anchors, in order

    def get(self, name: str) -> date | None:
        for key, day in self.days:
            if key == name:
                return day
        return None

    @property
    def first_staff(self) -> date | None:
        """The earliest staff-set study date (the screening date), when one is known."""
        known = [day for name, day in self.days if name in self.staff and day is not None]
        return min(known, default=None)

    @property
    def horizon(self) -> date:
        """Nothing dated after this counts: the last staff-set study date (no bound when
        no date is known, which only a rule evaluated on its own can meet)."""
        known = [day for name, day in self.days if name in self.staff and day is not None]
        return max(known, default=OPEN_END)


@dataclass
class EvalContext:
    record: PatientRecord
    index: FactIndex
    dates: StudyDates
    valuesets: Mapping[str, ValueSet]
    participant: Participant = field(default_factory=Participant)
    parameters: Mapping[str, str | None] = field(default_factory=dict)  # side: left/right
    study_id: str | None = None
    # Outcomes per node, keyed by id(): hashing a frozen node hashes its whole subtree,
    # which cost more than evaluating it. The nodes outlive the context (the study holds
    # them), so an id cannot be reused while the memo lives.
    memo: dict[int, object] = field(default_factory=dict)


def span(fact: Fact) -> tuple[date, date] | None:
    """The dates a fact covers; None when it has no usable start date.

    Without an end date, a condition, device or medication still marked as ongoing lasts
    to the open end; anything else (a lab, a procedure, a stopped order) is a single day.
    """
    if fact.start is None:
        return None
    if fact.end is not None:
        return fact.start, max(fact.end, fact.start)
    if fact.kind in (FactKind.CONDITION, FactKind.DEVICE, FactKind.MEDICATION, FactKind.ALLERGY):
        if fact.status is None and fact.kind is not FactKind.MEDICATION:
            return fact.start, OPEN_END
        if fact.status in ONGOING:
            return fact.start, OPEN_END
    return fact.start, fact.start


# Statuses that say an implanted device is in the body now: FHIR R4 Device.status "active"
# (US Core Implantable Device profile: an implant on the patient's record) and
# DeviceUseStatement.status "active" ("the device is still being used").
DEVICE_PRESENT = frozenset({"active"})


def present_undated(fact: Fact) -> bool:
    """An active device with no date at all: R4 Device has no implant date, so an exported
    pacemaker often comes so. It is present now, since a day nobody recorded."""
    return (
        fact.kind is FactKind.DEVICE
        and fact.start is None
        and fact.end is None
        and fact.status in DEVICE_PRESENT
    )


def overlaps(s: tuple[date, date], start: date, end: date) -> bool:
    return s[0] <= end and s[1] >= start


def describe_window(start: date, end: date) -> str:
    if start == date.min:
        return f"on or before {end.isoformat()}"
    return f"{start.isoformat()} to {end.isoformat()}"


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of dates a window evaluates to for one person."""

    start: date
    end: date

    def __str__(self) -> str:
        return describe_window(self.start, self.end)


def fact_evidence(hit: Hit, note: str | None = None) -> Evidence:
    fact = hit.fact
    coding = hit.match.coding
    value: float | str | None = None
    unit = None
    if fact.value is not None:
        value, unit = fact.value.value, fact.value.unit
    elif fact.value_codes:
        value = fact.value_codes[0].display or fact.value_codes[0].code
    elif fact.value_text is not None:
        value = fact.value_text
    text = note or fact.label
    if hit.match.confidence == "text":
        text += " (matched on display text only: lower confidence)"
    return Evidence(
        note=text,
        resource=fact.resource,
        code=f"{coding.system}|{coding.code}" if coding.code else None,
        display=coding.display or fact.label,
        value=value,
        unit=unit,
        date=fact.start,
    )


def titles(ctx: EvalContext, names: Sequence[str]) -> str:
    return " or ".join(ctx.valuesets[n].title for n in names)
