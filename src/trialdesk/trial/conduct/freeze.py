"""Freezing a participant's data, or one form of it: no entry until it is thawed.

A data manager freezes what has been cleaned so it stays as reviewed; queries can still
be raised and answered by explanation, items verified and the casebook signed, but a
value, a visit's date, an adverse event or the end of participation cannot be entered or
changed (:class:`Frozen`). A freeze is never deleted: thawed, it stays on record with
who thawed it and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, select

from trialdesk.errors import ConflictError, InputError, NotFoundError
from trialdesk.study.loader import Study
from trialdesk.trial.conduct.models import WHOLE, DataFreeze, FormRecord
from trialdesk.trial.conduct.participants import Participant, locked_reads
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.text import REASON_MAX, plain_text, reason_text
from trialdesk.trial.store.values import as_utc

__all__ = [
    "DataFreeze",
    "Frozen",
    "WHOLE",
    "active_freezes",
    "form_target",
    "form_targets",
    "freeze",
    "refuse_if_frozen",
    "thaw",
]


def form_target(visit_key: str, form_id: str) -> str:
    """A form at a visit (``W4/vital_signs``), or a log form (``/concomitant_medications``)."""
    return f"{visit_key}/{form_id}"


class Frozen(ConflictError):
    """Entry refused: the participant, or this form, is frozen."""

    code = "frozen"

    def __init__(self, participant: Participant, row: DataFreeze) -> None:
        what = "the casebook" if row.whole else f"form {row.target}"
        super().__init__(
            f"participant {participant.subject_number}: {what} is frozen since "
            f"{row.frozen_at:%Y-%m-%d %H:%M} UTC by {row.frozen_by}; nothing can be entered "
            "until a data manager thaws it (queries can still be raised and answered)",
            field="frozen",
        )


def _fields(row: DataFreeze) -> dict[str, object]:
    names = ("enrolment_id", "target", "reason", "thawed_at", "thawed_by", "thaw_reason")
    return {n: getattr(row, n) for n in names}


def form_targets(session: Session, enrolment_ids: list[int]) -> dict[int, list[str]]:
    """Each participant's entered forms as freeze targets (``VISIT/form_id``)."""
    out: dict[int, list[str]] = {i: [] for i in enrolment_ids}
    rows = session.execute(
        select(FormRecord.enrolment_id, FormRecord.visit_key, FormRecord.form_id)
        .where(FormRecord.enrolment_id.in_(enrolment_ids))
        .distinct()
        .order_by(FormRecord.enrolment_id, FormRecord.visit_key, FormRecord.form_id)
    )
    for enrolment_id, visit_key, form_id in rows:
        out[enrolment_id].append(form_target(visit_key, form_id))
    return out


# Built once: every write to a participant's data reads their freezes first, and building
# the statement costs more than running it.
_ACTIVE = (
    select(DataFreeze)
    .where(DataFreeze.enrolment_id == bindparam("enrolment_id"), DataFreeze.thawed_at.is_(None))
    .order_by(DataFreeze.target)
)


def active_freezes(session: Session, enrolment_id: int) -> list[DataFreeze]:
    """The participant's active freezes; read once a transaction while it holds their lock
    (a visit recorded and its forms saved read them once): freeze and thaw take the same
    lock, and forget them."""
    reads = locked_reads(session)
    if enrolment_id not in reads.locked:
        return list(session.scalars(_ACTIVE, {"enrolment_id": enrolment_id}))
    found = reads.freezes.get(enrolment_id)
    if found is None:
        found = reads.freezes[enrolment_id] = list(
            session.scalars(_ACTIVE, {"enrolment_id": enrolment_id})
        )
    return list(found)


def refuse_if_frozen(
    session: Session, participant: Participant, *, visit_key: str | None = None,
    form_id: str | None = None, freezes: Sequence[DataFreeze] | None = None,
) -> None:  # fmt: skip
    """Refuse an entry to the participant's data while their casebook, or the form
    entered (``visit_key`` and ``form_id``), is frozen. ``freezes``: their active freezes
    as read already (a save of several forms reads them once)."""
    targets = {WHOLE}
    if form_id is not None:
        targets.add(form_target(visit_key or "", form_id))
    rows = active_freezes(session, participant.id) if freezes is None else freezes
    for row in rows:
        if row.target in targets:
            raise Frozen(participant, row)


def freeze(
    session: Session, study: Study, participant: Participant, *, target: str, actor: str,
    reason: str | None, now: datetime,
) -> DataFreeze:  # fmt: skip
    """Freeze the casebook (``WHOLE``) or one form (``VISIT/form_id``, a form of the
    study); refused when it is frozen already."""
    if target != WHOLE:
        visit_key, _, form_id = target.partition("/")
        if form_id not in study.forms or len(target) > 120:
            raise InputError(
                f"{target!r} is not a form of {study.id} (VISIT/form_id)", field="target"
            )
        target = form_target(visit_key, form_id)
    if any(r.target == target for r in active_freezes(session, participant.id)):
        raise ConflictError("it is frozen already", field="target")
    row = DataFreeze(
        enrolment_id=participant.id, target=target, frozen_at=as_utc(now), frozen_by=actor,
        reason=plain_text(reason, "reason", REASON_MAX, one_line=True),
    )  # fmt: skip
    session.add(row)
    session.flush()
    locked_reads(session).freezes.pop(participant.id, None)
    audit.created(session, row, actor=actor, fields=_fields(row), reason=row.reason, at=now)
    return row


def thaw(
    session: Session, participant: Participant, *, freeze_id: int, actor: str, reason: str,
    now: datetime,
) -> DataFreeze:  # fmt: skip
    """Thaw a freeze, with the reason (entry is allowed again); the freeze stays on record."""
    reason = reason_text(reason)
    row = session.get(DataFreeze, freeze_id, populate_existing=True)
    if row is None or row.enrolment_id != participant.id:
        raise NotFoundError(f"participant {participant.subject_number} has no freeze {freeze_id}")
    if row.thawed_at is not None:
        raise ConflictError("it was thawed already", field="freeze")
    before = _fields(row)
    row.thawed_at, row.thawed_by, row.thaw_reason = as_utc(now), actor, reason
    locked_reads(session).freezes.pop(participant.id, None)
    audit.updated(
        session, row, actor=actor, before=before, after=_fields(row), reason=reason, at=now
    )
    return row
