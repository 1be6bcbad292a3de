"""Screen one person against every criterion of a study: statuses, evidence, verdict.

Status per criterion (DESIGN.md): ``met``, ``not_met``, ``unknown`` (data missing: say
which) or ``needs_review`` (an investigator must judge: show the facts). Verdict:
ineligible if an inclusion is not met or an exclusion is met; else incomplete if any is
unknown; else needs_review if any awaits judgment; else eligible.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from trialdesk.criteria.context import EvalContext, FactIndex, Matcher, StudyDates
from trialdesk.criteria.evaluator import evaluate
from trialdesk.criteria.logic import Tri
from trialdesk.criteria.model import CriteriaSet, Criterion, Kind
from trialdesk.criteria.nodes import Node
from trialdesk.criteria.outcome import Evidence, Outcome
from trialdesk.criteria.participation import consent_date
from trialdesk.facts.record import PatientRecord


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"
    NEEDS_REVIEW = "needs_review"


class Verdict(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    INCOMPLETE = "incomplete"
    NEEDS_REVIEW = "needs_review"


@dataclass(frozen=True)
class Attestation:
    """An investigator's decision on a judgment criterion."""

    criterion: str
    decision: Status  # met or not_met
    reason: str
    by: str
    on: date
    patient: str | None = None  # None: applies to every patient screened


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    status: Status
    evidence: tuple[Evidence, ...] = ()
    missing: tuple[str, ...] = ()
    attested: Attestation | None = None

    @property
    def excludes(self) -> bool:
        """This criterion alone makes the person ineligible."""
        if self.criterion.kind is Kind.INCLUSION:
            return self.status is Status.NOT_MET
        return self.status is Status.MET

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.criterion.id,
            "kind": self.criterion.kind.value,
            "status": self.status.value,
            "text": self.criterion.text,
            "evidence": [e.to_json() for e in self.evidence],
            "missing": list(self.missing),
        }


@dataclass(frozen=True)
class ScreeningResult:
    patient: str
    study: str
    dates: StudyDates
    parameters: Mapping[str, str | None]  # each declared parameter's value, in order
    verdict: Verdict
    criteria: tuple[CriterionResult, ...]
    source: str | None = None
    defaults: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """patient, study, ``<anchor>_date`` for each staff-set anchor, each parameter by
        its name, verdict, criteria (criteria/screening.schema.json)."""
        out: dict[str, Any] = {"patient": self.patient, "study": self.study}
        for name in self.dates.staff:
            day = self.dates.get(name)
            out[f"{name}_date"] = day.isoformat() if day is not None else None
        out.update(self.parameters)
        out["verdict"] = self.verdict.value
        out["criteria"] = [c.to_json() for c in self.criteria]
        return out


def status_of(criterion: Criterion, ctx: EvalContext) -> CriterionResult:
    """Decide one criterion for the patient in ``ctx``."""
    if criterion.judgment is not None:
        note = Evidence(note=f"investigator's judgment required: {criterion.judgment}")
        return CriterionResult(criterion, Status.NEEDS_REVIEW, (note,))
    rule = evaluate(criterion.rule, ctx) if criterion.rule is not None else Outcome(tri=Tri.FALSE)
    review = (
        evaluate(criterion.review, ctx) if criterion.review is not None else Outcome(tri=Tri.FALSE)
    )
    if rule.tri is Tri.TRUE:
        return CriterionResult(criterion, Status.MET, rule.evidence)
    if rule.tri is Tri.UNKNOWN:
        return _unknown(criterion, rule, review)
    if review.tri is Tri.TRUE:
        return CriterionResult(criterion, Status.NEEDS_REVIEW, review.evidence)
    if review.tri is Tri.UNKNOWN:
        return _unknown(criterion, rule, review)
    evidence = rule.evidence + tuple(e for e in review.evidence if e not in rule.evidence)
    return CriterionResult(criterion, Status.NOT_MET, evidence)


def _unknown(criterion: Criterion, rule: Outcome, review: Outcome) -> CriterionResult:
    evidence = rule.evidence + tuple(e for e in review.evidence if e not in rule.evidence)
    missing = tuple(dict.fromkeys(rule.missing + review.missing))
    # never an unknown without saying why
    return CriterionResult(
        criterion, Status.UNKNOWN, evidence, missing or ("data this criterion needs",)
    )


def verdict_of(results: tuple[CriterionResult, ...]) -> Verdict:
    if any(r.excludes for r in results):
        return Verdict.INELIGIBLE
    if any(r.status is Status.UNKNOWN for r in results):
        return Verdict.INCOMPLETE
    if any(r.status is Status.NEEDS_REVIEW for r in results):
        return Verdict.NEEDS_REVIEW
    return Verdict.ELIGIBLE


def apply_attestations(
    result: CriterionResult, patient: str, attestations: list[Attestation]
) -> CriterionResult:
    if result.status is not Status.NEEDS_REVIEW:
        return result
    chosen = [
        a for a in attestations if a.criterion == result.criterion.id and a.patient == patient
    ]
    chosen = chosen or [
        a for a in attestations if a.criterion == result.criterion.id and a.patient is None
    ]
    if not chosen:
        return result
    a = max(chosen, key=lambda x: x.on)
    note = Evidence(
        note=f"investigator decision: {a.decision.value} by {a.by} on {a.on}: {a.reason}",
        date=a.on,
    )
    return replace(result, status=a.decision, evidence=(*result.evidence, note), attested=a)


class Screener:
    """Screens records against one study's criteria; reuse it across many patients."""

    def __init__(self, criteria: CriteriaSet, valuesets: dict[str, Any], study_id: str) -> None:
        self.criteria = criteria
        self.valuesets = valuesets
        self.study_id = study_id
        self.matcher = Matcher(valuesets)

    def screen(
        self,
        record: PatientRecord,
        *,
        dates: Mapping[str, date],
        parameters: Mapping[str, str | None] | None = None,
        attestations: list[Attestation] | None = None,
        defaults: tuple[str, ...] = (),
        only: Collection[str] | None = None,
    ) -> ScreeningResult:
        """Screen ``record``.

        ``dates``: every staff-set anchor the study declares (callers apply the declared
        defaults first: Participant.fill_dates); record anchors (consent) are read from the
        record. ``parameters``: the declared side parameters' values (None or absent: not
        given). ``only`` limits screening to those criterion ids (the verdict is then over
        those alone), for callers that know the rest is decided elsewhere."""
        participant = self.criteria.participant
        missing = [a.name for a in participant.staff if dates.get(a.name) is None]
        if missing:
            raise ValueError(f"no {missing[0]} date: apply the declared defaults first")
        index = FactIndex(record, self.matcher)
        days: list[tuple[str, date | None]] = []
        for a in participant.screening:  # dates set by a form belong to the trial's conduct
            if a.set_by == "staff":
                days.append((a.name, dates[a.name]))
            else:
                assert a.by is not None
                days.append((a.name, consent_date(index.consents, dates[a.by])))
        study_dates = StudyDates(tuple(days), tuple(a.name for a in participant.staff))
        values = participant.parse_parameters(parameters or {})
        ctx = EvalContext(
            record=record,
            index=index,
            dates=study_dates,
            valuesets=self.valuesets,
            participant=participant,
            parameters=values,
            study_id=self.study_id,
        )
        results = tuple(
            apply_attestations(status_of(c, ctx), record.id, attestations or [])
            for c in self.criteria.criteria
            if only is None or c.id in only
        )
        return ScreeningResult(
            patient=record.id,
            study=self.study_id,
            dates=study_dates,
            parameters=values,
            verdict=verdict_of(results),
            criteria=results,
            source=record.source,
            defaults=defaults,
        )

    def evaluate_rule(
        self,
        rule: Node,
        record: PatientRecord,
        *,
        dates: Mapping[str, date | None],
        parameters: Mapping[str, str | None] | None = None,
    ) -> Outcome:
        """One rule outside the criteria (a form's edit check), over ``record``.

        ``dates``: the date of every anchor the rule may name, by name: the study's own
        (staff, record or form anchors) and any the rule was parsed with besides them
        (an edit check's ``visit``); None or absent when not known, which makes what
        reads it UNKNOWN. A record anchor not given is read from the record as screening
        reads it (consent: the latest active consent on or before its ``by`` date).
        History with no ``until=`` looks up to the latest date given."""
        (outcome,) = self.evaluate_rules((rule,), record, dates=dates, parameters=parameters)
        return outcome

    def evaluate_rules(
        self,
        rules: Sequence[Node],
        record: PatientRecord,
        *,
        dates: Mapping[str, date | None],
        parameters: Mapping[str, str | None] | None = None,
    ) -> list[Outcome]:
        """Several rules over one record, as :meth:`evaluate_rule` evaluates each: the
        record's facts indexed once for them all (a form's checks)."""
        participant = self.criteria.participant
        index = FactIndex(record, self.matcher)
        known = dict(dates)
        for a in participant.record:
            if known.get(a.name) is None and a.by is not None and known.get(a.by) is not None:
                by = known[a.by]
                assert by is not None
                known[a.name] = consent_date(index.consents, by)
        given = tuple(known.items())
        ctx = EvalContext(
            record=record,
            index=index,
            dates=StudyDates(given, tuple(name for name, day in given if day is not None)),
            valuesets=self.valuesets,
            participant=participant,
            parameters=participant.parse_parameters(parameters or {}),
            study_id=self.study_id,
        )
        return [evaluate(rule, ctx) for rule in rules]
