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

``targets_of`` builds every target whole, for a participant's page; ``item_needs`` reads
the items of many participants for the study's progress in one pass over the forms'
columns, with the same keys, needs and digests (hashed only when compared).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any, NamedTuple

from sqlalchemy import select

from trialdesk.study.loader import Study
from trialdesk.study.sdv_file import SdvPlan
from trialdesk.trial.accounts.models import Signature
from trialdesk.trial.conduct.models import FormRecord
from trialdesk.trial.conduct.participants import Participant
from trialdesk.trial.safety.events import event_fields
from trialdesk.trial.safety.models import AdverseEvent
from trialdesk.trial.screening.models import Consent, EnteredFact, Judgment
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.values import canonical_json_of, to_json_value

__all__ = [
    "ItemNeed",
    "content_digest",
    "Need",
    "Target",
    "TargetKind",
    "item_key",
    "item_place",
    "item_need",
    "item_needs",
    "kind_need",
    "record_targets",
    "targets_of",
]


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
        return content_digest(self.content)


def content_digest(content: dict[str, Any]) -> str:
    """SHA-256 of a target's content, which is plain JSON (``_json``): the digest
    ``signatures.digest_of`` gives, without walking the content into JSON again."""
    return hashlib.sha256(canonical_json_of(content).encode("utf-8")).hexdigest()


_FACT_FIELDS = (
    "concept", "on", "value", "unit", "end", "dose", "dose_unit", "per_day", "route",
    "laterality", "code", "upper_limit", "source_document",
)  # fmt: skip
_CONSENT_FIELDS = ("form_version", "consented_at", "obtained_by", "participant_signed_on")


_CONSENTS = select(
    Consent.id, Consent.candidate_id, *(getattr(Consent, n) for n in _CONSENT_FIELDS)
)
_FACTS = select(
    EnteredFact.id, EnteredFact.candidate_id, *(getattr(EnteredFact, n) for n in _FACT_FIELDS)
)
_JUDGMENTS = select(
    Judgment.id, Judgment.candidate_id, Judgment.criterion_id, Judgment.decision,
    Judgment.reason, Signature.digest, Signature.signer, Signature.signed_at,
).join(Signature, Signature.id == Judgment.signature_id)  # fmt: skip


def kind_need(plan: SdvPlan | None, kind: TargetKind) -> Need | None:
    """Whether the plan requires every record of a kind other than a form item."""
    if plan is None:
        return None
    flag = {
        TargetKind.CONSENT: plan.consent,
        TargetKind.FACT: plan.eligibility,
        TargetKind.JUDGMENT: plan.eligibility,
        TargetKind.ADVERSE_EVENT: plan.adverse_events,
    }.get(kind, False)
    return Need.CRITICAL if flag else None


def item_need(
    study: Study, subject: str, visit_key: str, form_id: str, row: int, item_id: str
) -> Need | None:
    """Whether the plan requires an item where it is, whether or not it holds a value now
    (an item verified, then blanked, keeps the need it had)."""
    # the need it has as if it held a value; none where the form has no such entered item
    found = _Layout(study).entered(subject, visit_key, form_id, row, {item_id: ""}, {})
    return found[0][1] if found else None


def item_key(visit_key: str, form_id: str, row: int, item_id: str) -> str:
    return f"item:{visit_key}/{form_id}#{row}/{item_id}"


def item_place(key: str) -> tuple[str, str, int, str]:
    """``item_key`` read back: the visit key (empty for a log), form, row and item."""
    where, _, item_id = key.removeprefix("item:").rpartition("/")
    visit_key, _, form_row = where.partition("/")
    form_id, _, row = form_row.partition("#")
    return visit_key, form_id, int(row or 1), item_id


def item_content(value: Any, unit: str | None, entered: Any) -> dict[str, Any]:
    return _json({"value": value, "unit": unit, "entered": entered})


def targets_of(
    session: Session, study: Study, participants: Iterable[Participant]
) -> dict[int, list[Target]]:
    """Every target of each participant (by enrolment id), in a stable order: consent,
    eligibility, adverse events, then form items by visit, form, row and item."""
    chosen = {p.id: p for p in participants}
    out = record_targets(session, study, chosen.values())
    if not chosen:
        return out
    layout = _Layout(study)
    for record in session.scalars(
        select(FormRecord)
        .where(FormRecord.enrolment_id.in_(chosen))
        .order_by(FormRecord.enrolment_id, FormRecord.id)
    ):
        participant = chosen[record.enrolment_id]
        out[record.enrolment_id].extend(_items(layout, participant, record))
    return out


def record_targets(
    session: Session, study: Study, participants: Iterable[Participant]
) -> dict[int, list[Target]]:
    """The targets of each participant that are whole records, not form items: consent,
    eligibility evidence and judgments, adverse events (fewer than the items by far)."""
    chosen = {p.id: p for p in participants}
    by_candidate = {p.candidate.id: p.id for p in chosen.values()}
    out: dict[int, list[Target]] = {pid: [] for pid in chosen}
    if not chosen:
        return out
    plan = study.sdv
    consents = kind_need(plan, TargetKind.CONSENT)
    for consent in session.execute(  # the columns, not the records: many rows, read only
        _CONSENTS.where(Consent.candidate_id.in_(by_candidate)).order_by(Consent.id)
    ):
        content = {n: getattr(consent, n) for n in _CONSENT_FIELDS}
        out[by_candidate[consent.candidate_id]].append(
            _target(f"consent:{consent.id}", TargetKind.CONSENT, consents, content, consent.id)
        )
    eligibility = kind_need(plan, TargetKind.FACT)
    for fact in session.execute(
        _FACTS.where(
            EnteredFact.candidate_id.in_(by_candidate), EnteredFact.retracted_at.is_(None)
        ).order_by(EnteredFact.id)
    ):
        content = {n: getattr(fact, n) for n in _FACT_FIELDS}
        out[by_candidate[fact.candidate_id]].append(
            _target(f"fact:{fact.id}", TargetKind.FACT, eligibility, content, fact.id)
        )
    newest: dict[tuple[int, str], Any] = {}
    for judgment in session.execute(
        _JUDGMENTS.where(Judgment.candidate_id.in_(by_candidate)).order_by(Judgment.id)
    ):
        newest[judgment.candidate_id, judgment.criterion_id] = judgment
    for (candidate_id, criterion), judgment in sorted(newest.items()):
        content = {
            "criterion": criterion,
            "decision": judgment.decision,
            "reason": judgment.reason,
            "judgment": judgment.id,
            "signature": judgment.digest,
            "signed_by": judgment.signer,
            "signed_at": judgment.signed_at,
        }
        out[by_candidate[candidate_id]].append(
            _target(f"judgment:{criterion}", TargetKind.JUDGMENT, eligibility, content, judgment.id)
        )
    events = kind_need(plan, TargetKind.ADVERSE_EVENT)
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
    return out


class ItemNeed(NamedTuple):
    """A form item as the progress reads it: where it is, whether the plan requires it,
    and what its content is made of (hashed only when a verification is compared)."""

    enrolment_id: int
    key: str
    need: Need | None
    value: Any
    unit: str | None
    entered: Any

    @property
    def digest(self) -> str:
        # read from the store's JSON columns: plain JSON already, as _json would make it
        return content_digest({"value": self.value, "unit": self.unit, "entered": self.entered})


_BATCH = 2000
_ITEM_ROWS = select(
    FormRecord.enrolment_id,
    FormRecord.visit_key,
    FormRecord.form_id,
    FormRecord.row,
    FormRecord.values,
    FormRecord.entered,
)


def item_needs(
    session: Session, study: Study, participants: Iterable[Participant]
) -> Iterator[ItemNeed]:
    """Every item target of the participants in one pass over their forms (one query:
    the columns an item's need and content come from, no record loaded whole), the plan
    applied in memory: the same keys, needs and digests as ``targets_of``."""
    subjects = {p.id: p.subject_number for p in participants}
    if not subjects:
        return
    layout = _Layout(study)
    rows = session.execute(
        _ITEM_ROWS.where(FormRecord.enrolment_id.in_(subjects))
        .order_by(FormRecord.enrolment_id, FormRecord.id)
        .execution_options(yield_per=_BATCH)  # streamed: a study's forms need not fit at once
    )
    for enrolment_id, visit_key, form_id, row, values, entered in rows:
        found = layout.entered(subjects[enrolment_id], visit_key, form_id, row, values, entered)
        for slot, need, value, typed in found:
            key = item_key(visit_key, form_id, row, slot.item_id)
            yield ItemNeed(enrolment_id, key, need, value, slot.unit, typed)


def _target(
    key: str, kind: TargetKind, need: Need | None, content: dict[str, Any], record_id: int
) -> Target:
    return Target(key, kind, need, _json(content), record_id=record_id)


def _json(content: dict[str, Any]) -> dict[str, Any]:
    value = to_json_value(content)
    assert isinstance(value, dict)
    return value


@dataclass(frozen=True)
class _Slot:
    item_id: str
    unit: str | None
    need: Need | None  # critical, or None: the sample decides per participant


class _Layout:
    """The plan over the study's forms, worked out once per read: each form's entered
    items at a visit (derived items are computed, never transcribed: not verified, their
    inputs are), critical or left to the sample."""

    def __init__(self, study: Study) -> None:
        self.study = study
        self._slots: dict[tuple[str, str], tuple[_Slot, ...]] = {}

    def slots(self, visit_key: str, form_id: str) -> tuple[_Slot, ...]:
        visit_id = visit_key.split("#")[0]
        found = self._slots.get((visit_id, form_id))
        if found is None:
            form, plan = self.study.forms.get(form_id), self.study.sdv
            found = tuple(
                _Slot(
                    item.id,
                    item.unit,
                    Need.CRITICAL
                    if plan is not None and plan.critical_item(visit_id, form_id, item.id)
                    else None,
                )
                for item in (form.items if form is not None else ())
                if item.derived is None
            )
            self._slots[visit_id, form_id] = found
        return found

    def entered(
        self,
        subject: str,
        visit_key: str,
        form_id: str,
        row: int,
        values: dict[str, Any],
        entered: dict[str, Any],
    ) -> list[tuple[_Slot, Need | None, Any, Any]]:
        """The items of one stored form that hold a value or what was typed (the others
        leave nothing to check against the source), each with its need: critical, drawn
        into the sample (sdv_file.sample_draw, for the form's items at once), or None."""
        found = [
            (slot, values.get(slot.item_id), entered.get(slot.item_id))
            for slot in self.slots(visit_key, form_id)
        ]
        found = [(slot, v, t) for slot, v, t in found if v is not None or t is not None]
        plan, drawn = self.study.sdv, set[str]()
        if plan is not None:
            open_ = [slot.item_id for slot, _, _ in found if slot.need is None]
            if open_:
                drawn = plan.sampled_items(self.study.id, subject, visit_key, form_id, row, open_)
        return [
            (slot, slot.need or (Need.SAMPLED if slot.item_id in drawn else None), v, t)
            for slot, v, t in found
        ]


def _items(layout: _Layout, participant: Participant, record: FormRecord) -> list[Target]:
    found = layout.entered(
        participant.subject_number, record.visit_key, record.form_id, record.row,
        record.values, record.entered,
    )  # fmt: skip
    return [
        Target(
            item_key(record.visit_key, record.form_id, record.row, slot.item_id),
            TargetKind.ITEM,
            need,
            item_content(value, slot.unit, typed),
            record.visit_key,
            record.form_id,
            record.row,
            slot.item_id,
            record.id,
        )  # fmt: skip
        for slot, need, value, typed in found
    ]
