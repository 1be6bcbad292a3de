"""The study's SDV plan (sdv.yaml, study/sdv_file.py) applied to what is stored: every
item a participant has that a monitor can verify, each in one shape (a target: its key,
its kind, and its content as it stands), and whether the plan requires it (critical, or
drawn into the sample) or not.

Targets:

- ``item:<visit>/<form>#<row>/<item>``: an entered item of a visit form or a log form's
  row (the visit is empty for a log) that holds a value: the value and its unit as
  stored, and what was typed. Derived items are computed, never transcribed, so they are
  not verified: their inputs are;
- ``ae:<id>``: an adverse event, serious or not, as a whole record;
- ``consent:<id>``: an informed consent record;
- ``fact:<id>``: an entered screening fact still counting (a retracted one is no target;
  its correction is a new fact);
- ``judgment:<criterion>``: the newest signed judgment of an eligibility criterion (a new
  signature changes the content, so it shows as changed since verification).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

from sqlalchemy import select

from trialdesk.study.loader import Study
from trialdesk.study.sdv_file import SdvPlan
from trialdesk.trial.accounts.signatures import digest_of
from trialdesk.trial.conduct.models import FormRecord
from trialdesk.trial.conduct.participants import Participant
from trialdesk.trial.safety.events import event_fields
from trialdesk.trial.safety.models import AdverseEvent
from trialdesk.trial.screening.models import Consent, EnteredFact, Judgment
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.values import to_json_value

__all__ = ["Need", "Target", "TargetKind", "targets_of"]


class TargetKind(StrEnum):
    ITEM = "item"
    ADVERSE_EVENT = "adverse_event"
    CONSENT = "consent"
    FACT = "fact"
    JUDGMENT = "judgment"


class Need(StrEnum):
    """Why the plan requires a target: critical (100%), or drawn into the sample."""

    CRITICAL = "critical"
    SAMPLED = "sampled"


@dataclass(frozen=True)
class Target:
    key: str
    kind: TargetKind
    need: Need | None  # None: the plan does not require it (it may still be verified)
    content: dict[str, Any]  # exactly what a verification vouches for (JSON)
    visit_key: str | None = None  # items: where it is
    form_id: str | None = None
    row: int | None = None
    item_id: str | None = None
    record_id: int | None = None  # the adverse event, consent, fact or judgment

    @cached_property  # read by the state, the progress and the page: hashed once
    def digest(self) -> str:
        return digest_of(self.content)


_FACT_FIELDS = (
    "concept", "on", "value", "unit", "end", "dose", "dose_unit", "per_day", "route",
    "laterality", "code", "upper_limit", "source_document",
)  # fmt: skip
_CONSENT_FIELDS = ("form_version", "consented_at", "obtained_by", "participant_signed_on")


def targets_of(
    session: Session, study: Study, participants: Iterable[Participant]
) -> dict[int, list[Target]]:
    """Every target of each participant (by enrolment id), in a stable order: consent,
    eligibility, adverse events, then form items by visit, form, row and item."""
    chosen = {p.id: p for p in participants}
    by_candidate = {p.candidate.id: p.id for p in chosen.values()}
    out: dict[int, list[Target]] = {pid: [] for pid in chosen}
    if not chosen:
        return out
    plan = study.sdv
    for consent in session.scalars(
        select(Consent).where(Consent.candidate_id.in_(by_candidate)).order_by(Consent.id)
    ):
        content = {n: getattr(consent, n) for n in _CONSENT_FIELDS}
        need = Need.CRITICAL if plan is not None and plan.consent else None
        out[by_candidate[consent.candidate_id]].append(
            _target(f"consent:{consent.id}", TargetKind.CONSENT, need, content, consent.id)
        )
    eligibility = Need.CRITICAL if plan is not None and plan.eligibility else None
    for fact in session.scalars(
        select(EnteredFact)
        .where(EnteredFact.candidate_id.in_(by_candidate), EnteredFact.retracted_at.is_(None))
        .order_by(EnteredFact.id)
    ):
        content = {n: getattr(fact, n) for n in _FACT_FIELDS}
        out[by_candidate[fact.candidate_id]].append(
            _target(f"fact:{fact.id}", TargetKind.FACT, eligibility, content, fact.id)
        )
    newest: dict[tuple[int, str], Judgment] = {}
    for judgment in session.scalars(
        select(Judgment).where(Judgment.candidate_id.in_(by_candidate)).order_by(Judgment.id)
    ):
        newest[judgment.candidate_id, judgment.criterion_id] = judgment
    for (candidate_id, criterion), judgment in sorted(newest.items()):
        content = {
            "criterion": criterion,
            "decision": judgment.decision,
            "reason": judgment.reason,
            "judgment": judgment.id,
            "signature": judgment.signature.digest,
            "signed_by": judgment.signature.signer,
            "signed_at": judgment.signature.signed_at,
        }
        out[by_candidate[candidate_id]].append(
            _target(f"judgment:{criterion}", TargetKind.JUDGMENT, eligibility, content, judgment.id)
        )
    events = Need.CRITICAL if plan is not None and plan.adverse_events else None
    for event in session.scalars(
        select(AdverseEvent)
        .where(AdverseEvent.enrolment_id.in_(chosen))
        .order_by(AdverseEvent.enrolment_id, AdverseEvent.sequence)
    ):
        out[event.enrolment_id].append(
            _target(
                f"ae:{event.id}", TargetKind.ADVERSE_EVENT, events, event_fields(event), event.id
            )
        )
    for record in session.scalars(
        select(FormRecord)
        .where(FormRecord.enrolment_id.in_(chosen))
        .order_by(FormRecord.enrolment_id, FormRecord.id)
    ):
        participant = chosen[record.enrolment_id]
        out[record.enrolment_id].extend(_items(study, plan, participant, record))
    return out


def _target(
    key: str, kind: TargetKind, need: Need | None, content: dict[str, Any], record_id: int
) -> Target:
    return Target(key, kind, need, _json(content), record_id=record_id)


def _json(content: dict[str, Any]) -> dict[str, Any]:
    value = to_json_value(content)
    assert isinstance(value, dict)
    return value


def _items(
    study: Study, plan: SdvPlan | None, participant: Participant, record: FormRecord
) -> list[Target]:
    form = study.forms.get(record.form_id)
    if form is None:
        return []
    visit_id = record.visit_key.split("#")[0]
    out: list[Target] = []
    for item in form.items:
        if item.derived is not None:
            continue
        value, entered = record.values.get(item.id), record.entered.get(item.id)
        if value is None and entered is None:
            continue  # nothing to check against the source
        need: Need | None = None
        if plan is not None:
            if plan.critical_item(visit_id, form.id, item.id):
                need = Need.CRITICAL
            elif plan.sampled(
                study.id, participant.subject_number, record.visit_key, form.id, record.row,
                item.id,
            ):  # fmt: skip
                need = Need.SAMPLED
        content = {"value": value, "unit": item.unit, "entered": entered}
        key = f"item:{record.visit_key}/{form.id}#{record.row}/{item.id}"
        out.append(
            Target(
                key,
                TargetKind.ITEM,
                need,
                _json(content),
                record.visit_key,
                form.id,
                record.row,
                item.id,
                record.id,
            )  # fmt: skip
        )
    return out


def group_by_form(targets: Iterable[Target]) -> dict[str, list[Target]]:
    """Item targets by ``<visit>/<form>#<row>``, the others by their kind: the page's
    sections, each verifiable at once."""
    out: dict[str, list[Target]] = defaultdict(list)
    for t in targets:
        where = f"{t.visit_key}/{t.form_id}#{t.row}" if t.kind is TargetKind.ITEM else t.kind
        out[where].append(t)
    return dict(out)
