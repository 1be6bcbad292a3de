"""Adverse events that lab grades propose, and the investigator's decision on each.

A lab value graded with CTCAE v5.0 (lab_grades.py) whose grade is new or worse than the
participant's baseline grade, at a visit after baseline, proposes an adverse event
(issue 14, point 4). A proposal never creates an event by itself: the investigator
confirms it, which records the event through the adverse event service (events.py)
prefilled with the CTCAE term, the grade and the visit's date as onset (editable), or
dismisses it with a reason.

Proposals are computed from the stored form values each time they are read, so they
cannot be stale; only decisions are stored (``ae_proposal_decision``). A value corrected
so that its grade is no longer new or worse makes an undecided proposal disappear; a
decided one stays, shown with its decision as "the value changed since".

PROTOCOL ASSUMPTION (shown on the page): only values after baseline propose an event:
visits on or after day 1 other than the baseline visit itself (schedule.yaml
``baseline_visit``), since an abnormal value at or before baseline is the participant's
condition at entry (medical history), not an event of the study (ICH E2A defines an
adverse event as occurring after administration of the product).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from trialdesk.errors import (
    ConflictError,
    FieldErrors,
    ForbiddenError,
    InputError,
    NotFoundError,
    TrialdeskError,
)
from trialdesk.study.loader import Study
from trialdesk.study.texts import Text
from trialdesk.trial.accounts.roles import Permission, Role, has_permission
from trialdesk.trial.conduct.participants import Participant, participant_or_404
from trialdesk.trial.safety import events
from trialdesk.trial.safety.event_input import EventInput
from trialdesk.trial.safety.lab_grades import LabGrade, lab_grades
from trialdesk.trial.safety.proposal_models import AeProposalDecision
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.text import reason_text
from trialdesk.trial.store.values import as_utc

__all__ = [
    "ASSUMPTION",
    "Decision",
    "Proposal",
    "ProposalKey",
    "decide",
    "decision_fields",
    "prefill",
    "proposals_of",
    "ungraded_of",
]

ASSUMPTION = Text(
    en=(
        "Protocol assumption: a lab grade proposes an adverse event when it is new or worse "
        "than the baseline grade (day 1, before the injection), at a visit after baseline."
    ),
    zh_cn="方案假设：访视在基线之后且实验室检查分级为新出现或较基线加重时，提示可能的不良事件。",
)


class Decision(StrEnum):
    CONFIRM = "confirm"  # an adverse event was recorded from it
    DISMISS = "dismiss"  # not an adverse event, for the reason given


@dataclass(frozen=True)
class ProposalKey:
    """What names a proposal: the lab value's place and the grade it proposes."""

    visit_key: str
    form_id: str
    item_id: str
    term: str
    grade: int

    @property
    def text(self) -> str:
        return f"{self.visit_key}/{self.form_id}/{self.item_id}: {self.term} grade {self.grade}"


@dataclass(frozen=True)
class Proposal:
    """A proposal standing now (``lab`` set), or a decided one whose value changed since
    (``lab`` None, or a value other than the one decided on)."""

    key: ProposalKey
    visit_date: date | None
    label: Text | None
    value: str  # as decided on, or now
    unit: str | None
    baseline_grade: int | None
    rule: str
    lab: LabGrade | None  # the graded value it stands on now; None: no longer proposed
    decision: AeProposalDecision | None

    @property
    def standing(self) -> bool:
        return self.lab is not None

    @property
    def changed_since(self) -> bool:
        """Decided on a value that is no longer the one stored (or no longer proposes)."""
        return self.decision is not None and (
            self.lab is None or self.lab.value != self.decision.value
        )

    @property
    def state(self) -> str:
        return self.decision.decision if self.decision is not None else "open"


def _key(lab: LabGrade) -> ProposalKey:
    assert lab.grade is not None
    return ProposalKey(lab.visit_key, lab.form_id, lab.item_id, lab.grade.term, lab.grade.grade)


def _key_of(row: AeProposalDecision) -> ProposalKey:
    return ProposalKey(row.visit_key, row.form_id, row.item_id, row.term, row.grade)


def _decisions(session: Session, participant: Participant) -> list[AeProposalDecision]:
    return list(
        session.scalars(
            select(AeProposalDecision)
            .where(AeProposalDecision.enrolment_id == participant.id)
            .order_by(AeProposalDecision.id)
        )
    )


def proposals_of(session: Session, study: Study, participant: Participant) -> list[Proposal]:
    """The participant's proposals standing now (decided or not), in visit order, then the
    decided ones that no longer stand (their value was corrected since)."""
    decided = {_key_of(d): d for d in _decisions(session, participant)}
    found: list[Proposal] = []
    for lab in lab_grades(session, study, participant):
        if not lab.proposes or lab.grade is None:
            continue
        key = _key(lab)
        found.append(
            Proposal(
                key=key,
                visit_date=lab.visit_date,
                label=lab.label,
                value=lab.value,
                unit=lab.unit,
                baseline_grade=lab.baseline.grade if lab.baseline is not None else None,
                rule=lab.grade.rule,
                lab=lab,
                decision=decided.pop(key, None),
            )
        )
    for key, row in decided.items():
        form = study.forms.get(key.form_id)
        item = next((i for i in form.items if i.id == key.item_id), None) if form else None
        found.append(
            Proposal(
                key=key,
                visit_date=None,
                label=item.label if item is not None else None,
                value=row.value,
                unit=item.unit if item is not None else None,
                baseline_grade=row.baseline_grade,
                rule=row.rule,
                lab=None,
                decision=row,
            )
        )
    return found


def ungraded_of(session: Session, study: Study, participant: Participant) -> list[LabGrade]:
    """The lab values after baseline that could not be graded (a limit the grade needs was
    not entered, a unit that does not convert): they propose nothing until completed, so
    they are shown beside the proposals, never left out silently."""
    return [
        lab
        for lab in lab_grades(session, study, participant)
        if lab.after_baseline and lab.grade is None
    ]


def prefill(proposal: Proposal) -> EventInput:
    """The adverse event a confirmation records unless the investigator edits it: the
    CTCAE term and grade, onset on the visit's date, ongoing. The product is given once
    on day 1, so an event after it leaves no action to take with it (events.py refuses
    any other: ICH E2B(R3) G.k.8)."""
    label = proposal.label.en if proposal.label is not None else proposal.key.item_id
    unit = f" {proposal.unit}" if proposal.unit else ""
    return EventInput(
        verbatim=(
            f"{label} {proposal.value}{unit} at {proposal.key.visit_key} "
            f"(CTCAE v5.0 {proposal.key.term} grade {proposal.key.grade})"
        )[:200],
        term=proposal.key.term,
        onset=proposal.visit_date.isoformat() if proposal.visit_date is not None else None,
        grade=proposal.key.grade,
        action_taken="NOT APPLICABLE",
        outcome="NOT RECOVERED/NOT RESOLVED",
    )


def decision_fields(row: AeProposalDecision) -> dict[str, Any]:
    names = (
        "enrolment_id",
        "visit_key",
        "form_id",
        "item_id",
        "term",
        "grade",
        "baseline_grade",
        "value",
        "decision",
        "reason",
        "adverse_event_id",
    )
    return {n: getattr(row, n) for n in names}


def _decision(value: str | None, errors: list[TrialdeskError]) -> Decision | None:
    try:
        return Decision((value or "").strip())
    except ValueError:
        errors.append(InputError("choose confirm or dismiss", field="decision"))
        return None


def _same_number(a: str, b: str) -> bool:
    """Whether two decimal texts are the same number (not when one is no number)."""
    try:
        return Decimal(a.strip()) == Decimal(b.strip())
    except InvalidOperation:
        return False


def decide(
    session: Session,
    *,
    actor: str,
    role: Role | str,
    study: Study,
    enrolment_id: int,
    key: ProposalKey,
    decision: str | None,
    reason: str | None = None,
    event: EventInput | None = None,
    shown_value: str | None = None,
    now: datetime,
) -> AeProposalDecision:
    """Confirm or dismiss one standing, undecided proposal. Confirming records the adverse
    event (``event``: the investigator's edits of :func:`prefill`, ``None`` for none),
    audited by the event service; the decision is audited here, in the same transaction.

    Raises:
        ForbiddenError: ``role`` may not decide proposals (only the investigator).
        NotFoundError: no such proposal stands now (the value changed since it was shown).
        ConflictError: it was decided already, or its value is no longer ``shown_value``
            (the value the decider was shown, when given: corrected since, same grade).
        FieldErrors: a dismissal without a reason, or the event's problems, all at once;
            nothing stored.
    """
    if not has_permission(Role(role), Permission.DECIDE_AE_PROPOSALS):
        raise ForbiddenError(f"your role ({role}) may not decide proposed adverse events")
    now = as_utc(now)
    participant = participant_or_404(session, enrolment_id, for_update=True, study=study)
    errors: list[TrialdeskError] = []
    chosen = _decision(decision, errors)
    why: str | None = None
    # a dismissal needs its reason; a confirmation may give one
    if chosen is Decision.DISMISS or (reason is not None and reason.strip()):
        try:
            why = reason_text(reason)
        except InputError as refused:
            errors.append(refused)
    proposal = next((p for p in proposals_of(session, study, participant) if p.key == key), None)
    if proposal is None or not proposal.standing:
        raise NotFoundError(
            f"participant {participant.subject_number} has no proposed adverse event "
            f"{key.text}: the value may have changed since it was shown"
        )
    lab = proposal.lab
    if shown_value is not None and lab is not None and not _same_number(shown_value, lab.value):
        raise ConflictError(
            f"{key.text}: the value is now {lab.value}, not {shown_value}: reload to decide on it",
            field="decision",
        )
    if proposal.decision is not None:
        raise ConflictError(
            f"{key.text} was {proposal.decision.decision}ed already by "
            f"{proposal.decision.decided_by}"
        )
    event_id = None
    if chosen is Decision.CONFIRM:
        given = prefill(proposal)
        if event is not None:  # what the investigator edited of the prefill
            edits = {f.name: getattr(event, f.name) for f in fields(event)}
            given = replace(given, **{k: v for k, v in edits.items() if v not in (None, ())})
        try:  # refused whole before anything is written: its problems join the others
            written = events.record_adverse_event(
                session, actor=actor, study=study, enrolment_id=enrolment_id, given=given,
                now=now,
            )  # fmt: skip
            event_id = written.event.id
        except FieldErrors as refused:
            errors.extend(refused.errors)
    if errors or chosen is None:
        raise FieldErrors(errors, resource="proposed adverse event")
    assert lab is not None
    row = AeProposalDecision(
        enrolment_id=participant.id,
        visit_key=key.visit_key,
        form_id=key.form_id,
        item_id=key.item_id,
        term=key.term,
        grade=key.grade,
        baseline_grade=proposal.baseline_grade,
        value=lab.value,
        rule=proposal.rule,
        decision=chosen.value,
        reason=why,
        adverse_event_id=event_id,
        decided_at=now,
        decided_by=actor,
    )
    session.add(row)
    session.flush()
    audit.created(
        session,
        row,
        actor=actor,
        fields=decision_fields(row),
        reason=(
            f"proposed adverse event {key.text} of {participant.subject_number} "
            f"{chosen.value}ed" + (f": {why}" if why else "")
        ),
        at=now,
    )
    return row
