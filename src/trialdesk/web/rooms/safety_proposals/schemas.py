"""The JSON shapes of proposed adverse events, made from the one read model the page uses
(trial/safety/proposals.py). Texts a person reads come in both languages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from trialdesk.trial.safety.event_input import EventInput
from trialdesk.trial.safety.lab_grades import LabGrade
from trialdesk.trial.safety.proposals import Proposal, ProposalKey, prefill
from trialdesk.web.rooms.conduct.schemas import Texts, texts
from trialdesk.web.schemas import Strict

__all__ = [
    "DecisionIn",
    "EventEditIn",
    "ProposalOut",
    "ProposalsOut",
    "proposal_out",
    "proposals_out",
]

Short = Annotated[str, Field(max_length=200)]


class EventEditIn(Strict):
    """The investigator's edits of the adverse event a confirmation records (omitted:
    the proposal's prefill: the CTCAE term and grade, onset on the visit's date)."""

    verbatim: Short | None = None
    term: Short | None = None
    onset: Annotated[str, Field(max_length=10)] | None = None
    end: Annotated[str, Field(max_length=10)] | None = None
    grade: int | None = None
    seriousness: list[Annotated[str, Field(max_length=40)]] = Field(default=[], max_length=6)
    action_taken: Annotated[str, Field(max_length=40)] | None = None
    outcome: Annotated[str, Field(max_length=40)] | None = None
    special_interest: list[Annotated[str, Field(max_length=64)]] = Field(default=[], max_length=20)

    def given(self) -> EventInput:
        return EventInput(
            verbatim=self.verbatim, term=self.term, onset=self.onset, end=self.end,
            grade=self.grade, seriousness=tuple(self.seriousness),
            action_taken=self.action_taken, outcome=self.outcome,
            special_interest=tuple(self.special_interest),
        )  # fmt: skip


class DecisionIn(Strict):
    """The proposal decided (its key as listed) and the decision."""

    visit_key: Annotated[str, Field(max_length=48)]
    form_id: Annotated[str, Field(max_length=64)]
    item_id: Annotated[str, Field(max_length=64)]
    term: Annotated[str, Field(max_length=120)]
    grade: int = Field(ge=1, le=5)
    decision: Annotated[str, Field(max_length=10, description="confirm or dismiss")]
    reason: Annotated[str, Field(max_length=2000)] | None = Field(
        None, description="required to dismiss"
    )
    event: EventEditIn | None = None
    value: Annotated[str, Field(max_length=40)] | None = Field(
        None, description="the value as read: refused (409) if it was corrected since"
    )

    def key(self) -> ProposalKey:
        return ProposalKey(self.visit_key, self.form_id, self.item_id, self.term, self.grade)


class DecisionOut(BaseModel):
    decision: str
    reason: str | None
    adverse_event_id: int | None
    value: str  # the value it was decided on
    decided_at: dt.datetime
    decided_by: str


class PrefillOut(BaseModel):
    verbatim: str | None
    term: str | None
    onset: str | None
    grade: int | str | None
    action_taken: str | None
    outcome: str | None


class ProposalOut(BaseModel):
    visit_key: str
    visit_date: dt.date | None
    form_id: str
    item_id: str
    label: Texts | None
    value: str
    unit: str | None
    term: str
    grade: int
    baseline_grade: int | None
    rule: str
    state: str = Field(description="open, confirm or dismiss")
    standing: bool = Field(description="the value still proposes it")
    changed_since: bool = Field(description="decided on a value changed since")
    decision: DecisionOut | None
    prefill: PrefillOut | None = Field(description="what confirming records, when open")


def proposal_out(p: Proposal) -> ProposalOut:
    d = p.decision
    filled = prefill(p) if d is None and p.standing else None
    return ProposalOut(
        visit_key=p.key.visit_key, visit_date=p.visit_date, form_id=p.key.form_id,
        item_id=p.key.item_id, label=texts(p.label) if p.label is not None else None,
        value=p.value, unit=p.unit, term=p.key.term, grade=p.key.grade,
        baseline_grade=p.baseline_grade, rule=p.rule, state=p.state, standing=p.standing,
        changed_since=p.changed_since,
        decision=DecisionOut(
            decision=d.decision, reason=d.reason, adverse_event_id=d.adverse_event_id,
            value=d.value, decided_at=d.decided_at, decided_by=d.decided_by,
        ) if d is not None else None,
        prefill=PrefillOut(
            verbatim=filled.verbatim, term=filled.term, onset=filled.onset,
            grade=filled.grade, action_taken=filled.action_taken, outcome=filled.outcome,
        ) if filled is not None else None,
    )  # fmt: skip


class UngradedOut(BaseModel):
    """A lab value after baseline that could not be graded, and why."""

    visit_key: str
    visit_date: dt.date | None
    form_id: str
    item_id: str
    label: Texts
    value: str
    unit: str | None
    problem: str | None


class ProposalsOut(BaseModel):
    proposals: list[ProposalOut]
    ungraded: list[UngradedOut] = Field(
        description="values after baseline that propose nothing until they can be graded"
    )


def proposals_out(proposals: list[Proposal], ungraded: list[LabGrade]) -> ProposalsOut:
    return ProposalsOut(
        proposals=[proposal_out(p) for p in proposals],
        ungraded=[
            UngradedOut(
                visit_key=u.visit_key,
                visit_date=u.visit_date,
                form_id=u.form_id,
                item_id=u.item_id,
                label=texts(u.label),
                value=u.value,
                unit=u.unit,
                problem=u.problem,
            )  # fmt: skip
            for u in ungraded
        ],
    )
