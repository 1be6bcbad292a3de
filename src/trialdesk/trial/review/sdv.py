"""Source data verification: a monitor marks items verified against the source documents,
one or many in one act; the verification keeps exactly what was verified (the content
and its SHA-256). Whether an item is verified is derived on every read by comparing that
digest with the item as it stands: any later change shows as "changed since
verification" at once, and the item can be verified again. Every write is audited.

Progress counts what the plan requires (sdv.yaml: critical items in full, the others by
a sample) against what is verified and what changed since, for the critical and the
sampled items separately, per participant and for the study (``study_progress``: its
``[0].met`` is whether the plan is met). An item verified and since blanked (a fact
retracted) stays required as it was until its absence is verified in turn. Which items
the sample drew is the monitor's to know (``shown_to``); everyone reads the counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select

from trialdesk.errors import ConflictError, FieldErrors, ForbiddenError, InputError, TrialdeskError
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.roles import Permission, Role, has_permission
from trialdesk.trial.conduct.participants import (
    Participant,
    list_participants,
    participant_or_404,
)
from trialdesk.trial.review.sdv_models import SdvVerification
from trialdesk.trial.review.sdv_plan import (
    ItemNeed,
    Need,
    Target,
    TargetKind,
    content_digest,
    item_need,
    item_needs,
    item_place,
    kind_need,
    record_targets,
    targets_of,
)
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Session

__all__ = [
    "Count",
    "ItemState",
    "Progress",
    "State",
    "Shown",
    "participant_states",
    "progress_of",
    "shown_to",
    "study_progress",
    "verify",
]

MAX_AT_ONCE = 5000  # a whole participant's casebook fits; more is no one act of checking


class State(StrEnum):
    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    CHANGED = "changed"  # verified once, changed since: verify it again


@dataclass(frozen=True)
class ItemState:
    target: Target
    verification: SdvVerification | None

    @property
    def state(self) -> State:
        if self.verification is None:
            return State.UNVERIFIED
        if self.verification.digest == self.target.digest:
            return State.VERIFIED
        return State.CHANGED


@dataclass
class Count:
    required: int = 0
    verified: int = 0
    changed: int = 0

    @property
    def pending(self) -> int:
        """Required and never verified (a changed one is counted under ``changed``)."""
        return self.required - self.verified - self.changed

    @property
    def percent(self) -> int:
        return 100 * self.verified // self.required if self.required else 100

    def add(self, other: Count) -> None:
        self.required += other.required
        self.verified += other.verified
        self.changed += other.changed


@dataclass
class Progress:
    critical: Count = field(default_factory=Count)
    sampled: Count = field(default_factory=Count)

    @property
    def met(self) -> bool:
        """Every required item verified as it stands."""
        return all(c.verified == c.required for c in (self.critical, self.sampled))

    def add(self, other: Progress) -> None:
        self.critical.add(other.critical)
        self.sampled.add(other.sampled)


def progress_of(states: Sequence[ItemState]) -> Progress:
    out = Progress()
    for s in states:
        _count(out, s.target.need, s.state)
    return out


def _count(progress: Progress, need: Need | None, state: State) -> None:
    if need is None:
        return
    count = progress.critical if need is Need.CRITICAL else progress.sampled
    count.required += 1
    if state is State.VERIFIED:
        count.verified += 1
    elif state is State.CHANGED:
        count.changed += 1


def _verifications(
    session: Session, enrolment_ids: Sequence[int]
) -> dict[tuple[int, str], SdvVerification]:
    rows = session.scalars(
        select(SdvVerification).where(SdvVerification.enrolment_id.in_(enrolment_ids))
    )
    return {(r.enrolment_id, r.target): r for r in rows}


def _states(
    session: Session, study: Study, participants: Sequence[Participant]
) -> dict[int, list[ItemState]]:
    targets = targets_of(session, study, participants)
    done = _verifications(session, [p.id for p in participants])
    out = {
        pid: [ItemState(t, done.pop((pid, t.key), None)) for t in found]
        for pid, found in targets.items()
    }
    subjects = {p.id: p.subject_number for p in participants}
    for (pid, key), verification in done.items():  # verified, and no target now
        out[pid].append(
            ItemState(_gone(study, subjects[pid], key, verification.kind), verification)
        )
    return out


_NOTHING = content_digest({})


def _gone(study: Study, subject: str, key: str, kind: str) -> Target:
    """A verified target that is no more (a value blanked, a fact retracted): listed with
    nothing now, so changed since verification until the monitor verifies the absence
    against the source, and required as it was (the plan's need of its kind, or of the
    item where it was), so neither the page nor the progress loses it."""
    target_kind = TargetKind(kind)
    if target_kind is not TargetKind.ITEM:
        return Target(key, target_kind, kind_need(study.sdv, target_kind), {})
    visit_key, form_id, row, item_id = item_place(key)
    need = item_need(study, subject, visit_key, form_id, row, item_id)
    return Target(key, target_kind, need, {}, visit_key or None, form_id, row, item_id)


def participant_states(
    session: Session, study: Study, enrolment_id: int
) -> tuple[Participant, list[ItemState]]:
    """Every target of one participant with its verification state (the plan's first)."""
    participant = participant_or_404(session, enrolment_id, study=study)
    return participant, _states(session, study, [participant])[participant.id]


def shown_to(role: Role | str, states: Sequence[ItemState]) -> list[ItemState]:
    """What a role may see of a participant's items. The sample stays with those who
    verify (``Permission.VERIFY_SOURCE``, the monitor): a site that knew which of its
    non-critical items were drawn could tidy those first, and the sample would then say
    nothing of the rest. Anyone else sees the critical items (all of them are required:
    nothing to hide) and the items verified or verified and changed since (the site
    knows of those already); of the rest of the sample, the progress counts only."""
    if has_permission(Role(role), Permission.VERIFY_SOURCE):
        return list(states)
    return [s for s in states if s.target.need is Need.CRITICAL or s.verification is not None]


def study_progress(
    session: Session, study: Study
) -> tuple[Progress, list[tuple[Participant, Progress]]]:
    """The study's progress, and each participant's, in subject-number order:
    ``study_progress(session, study)[0].met`` is whether the plan is met for the study.

    The same counts as ``progress_of(participant_states(...))`` for each participant,
    read in a fixed number of statements whatever the number of participants: one pass
    over the forms' item columns with the plan applied in memory (the SHA-256 of an
    item's content is taken only where a verification is there to compare it with), the
    verifications' digests only, and the few whole records (consent, eligibility,
    adverse events) as the page reads them."""
    participants = list_participants(session, study.id)
    ids = [p.id for p in participants]
    done: dict[tuple[int, str], tuple[str, str]] = {
        (pid, key): (kind, digest)
        for pid, key, kind, digest in session.execute(
            select(
                SdvVerification.enrolment_id,
                SdvVerification.target,
                SdvVerification.kind,
                SdvVerification.digest,
            ).where(SdvVerification.enrolment_id.in_(ids))
        )
    }
    mine = {pid: Progress() for pid in ids}

    def tally(pid: int, target: Target | ItemNeed) -> None:
        seen = done.pop((pid, target.key), None)
        if target.need is None:
            return
        state = State.UNVERIFIED
        if seen is not None:
            state = State.VERIFIED if seen[1] == target.digest else State.CHANGED
        _count(mine[pid], target.need, state)

    for pid, targets in record_targets(session, study, participants).items():
        for target in targets:
            tally(pid, target)
    for item in item_needs(session, study, participants):
        tally(item.enrolment_id, item)
    subjects = {p.id: p.subject_number for p in participants}
    for (pid, key), (kind, digest) in done.items():  # verified, and no target now
        gone = _gone(study, subjects[pid], key, kind)
        _count(mine[pid], gone.need, State.VERIFIED if digest == _NOTHING else State.CHANGED)
    overall = Progress()
    each: list[tuple[Participant, Progress]] = []
    for p in participants:
        overall.add(mine[p.id])
        each.append((p, mine[p.id]))
    return overall, each


@dataclass(frozen=True)
class Shown:
    """A target as the monitor was shown it: its key and the digest of its content then
    (None: the caller did not show it first, as a script; the content now is verified)."""

    target: str
    digest: str | None = None


def verify(
    session: Session,
    *,
    actor: str,
    role: Role | str,
    study: Study,
    enrolment_id: int,
    targets: Sequence[Shown],
    now: datetime,
) -> list[SdvVerification]:
    """Mark targets verified as they stand, in one act. A target whose content differs
    from what the monitor was shown is refused (it changed while they looked), and so is
    one the participant does not have; every refusal at once, nothing stored. One already
    verified as it stands is left as it is.

    Raises:
        ForbiddenError: the role may not verify against the source (only the monitor).
        FieldErrors: no target, or unknown or changed targets (each named).
    """
    if not has_permission(Role(role), Permission.VERIFY_SOURCE):
        raise ForbiddenError(f"your role ({role}) may not verify data against the source")
    if not targets:
        raise FieldErrors([InputError("choose at least one item to verify", field="targets")])
    if len(targets) > MAX_AT_ONCE:
        raise FieldErrors([InputError(f"at most {MAX_AT_ONCE} items at once", field="targets")])
    # the participant's lock, as every write to their data takes it: a change to an item
    # waits for the verification, or the verification sees it
    participant = participant_or_404(session, enrolment_id, for_update=True, study=study)
    # what the page lists: every target now, and each verified one that is no more (its
    # absence is verified against the source as any other change is)
    states = _states(session, study, [participant])[participant.id]
    current = {s.target.key: s.target for s in states}
    done = {s.target.key: s.verification for s in states if s.verification is not None}
    unknown: list[TrialdeskError] = []
    moved: list[str] = []
    chosen: dict[str, Target] = {}
    for shown in targets:
        target = current.get(shown.target)
        if target is None:
            unknown.append(
                InputError(f"no item {shown.target} of this participant", field="targets")
            )
        elif shown.digest is not None and shown.digest != target.digest:
            moved.append(shown.target)
        else:
            chosen[target.key] = target
    if unknown:
        raise FieldErrors(unknown, resource="source data verification")
    if moved:
        raise ConflictError(
            f"changed since the page was opened: {', '.join(moved)}; reload and check again",
            field="targets",
        )
    out: list[SdvVerification] = []
    for target in chosen.values():
        row = done.get(target.key)
        if row is None:
            row = SdvVerification(
                enrolment_id=participant.id, target=target.key, kind=target.kind.value,
                content=target.content, digest=target.digest, verified_at=now, verified_by=actor,
            )  # fmt: skip
            session.add(row)
            session.flush()
            audit.created(
                session, row, actor=actor, at=now, reason=None,
                fields={"enrolment_id": participant.id, "target": target.key,
                        "kind": target.kind.value, "content": target.content,
                        "digest": target.digest},
            )  # fmt: skip
        elif row.digest != target.digest:
            before = {"content": row.content, "digest": row.digest, "verified_by": row.verified_by,
                      "verified_at": row.verified_at}  # fmt: skip
            row.content, row.digest = target.content, target.digest
            row.verified_at, row.verified_by = now, actor
            session.flush()
            audit.updated(
                session, row, actor=actor, at=now, reason="verified again after a change",
                before=before,
                after={"content": row.content, "digest": row.digest, "verified_by": actor,
                       "verified_at": now},
            )  # fmt: skip
        out.append(row)
    return out
