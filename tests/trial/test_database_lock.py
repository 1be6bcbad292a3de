"""Casebook sign-off, freezes and the study database lock (issue 15, points 4 and 5), on
SQLite and PostgreSQL: the lock refused with every blocker, then given once they are
cleared; every write refused afterwards with one named error, whatever service it goes
through; the lock's hash in the audit chain; unlock with a reason and a signature; and a
write that began before the lock cannot slip past it."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest
from sqlalchemy import select

from trialdesk.errors import ConflictError, InputError
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.conduct import freeze, visits
from trialdesk.trial.conduct.freeze import Frozen
from trialdesk.trial.conduct.models import WHOLE
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.review import casebook, database_lock, deviation_decisions, deviations, sdv
from trialdesk.trial.review.database_lock import BlockerKind, LockRefused
from trialdesk.trial.review.sdv import Shown
from trialdesk.trial.screening import leads
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.locks import StudyLocked
from trialdesk.trial.store.models import AuditRecord
from trialdesk.trial.store.stale import StaleError

from .conduct_helpers import LATER, enrolled, inject, save, typical_values, visit_on
from .helpers import PASSWORD
from .screening_helpers import STUDY, prepare_study
from .test_safety_helpers import investigator, user


def _data_manager(store: Store) -> User:
    return user(store, "dana", Role.DATA_MANAGER)


def _sign_casebooks(store: Store, ids: list[int]) -> None:
    signer = investigator(store)
    with store.read() as session:
        shown = {s.participant.id: s.digest for s in casebook.casebook_states(session, STUDY, ids)}
    with store.transaction() as session:
        casebook.sign_casebook(
            session, signer=signer, password=PASSWORD, study=STUDY, enrolment_ids=ids,
            reviewed=shown, now=LATER,
        )  # fmt: skip


def _verify_everything(store: Store, pid: int, now: datetime = LATER) -> None:
    with store.read() as session:
        _, states = sdv.participant_states(session, STUDY, pid)
        shown = [Shown(s.target.key, s.target.digest) for s in states if s.target.need]
    if shown:
        with store.transaction() as session:
            sdv.verify(
                session, actor="mona", role=Role.MONITOR, study=STUDY, enrolment_id=pid,
                targets=shown, now=now,
            )  # fmt: skip


def _dismiss_proposals(store: Store, now: datetime = LATER) -> None:
    with store.read() as session:
        proposed = deviations.unresolved(session, STUDY, now)
    for d in proposed:
        with store.transaction() as session:
            deviation_decisions.decide(
                session, actor="ivy", role=Role.INVESTIGATOR, study=STUDY,
                enrolment_id=d.enrolment_id, kind=d.kind.value, what=d.what,
                decision="dismiss", reason="checked against the source: not a deviation",
                expected_version=d.stored.version if d.stored else None, shown_term=d.dvterm,
                now=now,
            )  # fmt: skip


def _lock(store: Store, who: User) -> database_lock.StudyLock:
    with store.transaction() as session:
        return database_lock.lock_database(
            session, signer=who, password=PASSWORD, study=STUDY, now=LATER
        )


def _blocker_kinds(store: Store) -> set[BlockerKind]:
    with store.read() as session:
        return {b.kind for b in database_lock.blockers(session, STUDY, LATER)}


def _date_visit(store: Store, pid: int, on: date = date(2026, 4, 13)) -> None:
    visit_on(store, pid, "W4", on)


def _ready(store: Store) -> int:
    """One participant injected, every item verified, every proposed deviation dismissed
    and the casebook signed: nothing blocks the lock."""
    _, (pid,) = enrolled(store)
    inject(store, pid)
    _verify_everything(store, pid)
    _dismiss_proposals(store)
    _sign_casebooks(store, [pid])
    return pid


def test_a_casebook_sign_off_lapses_when_its_data_change(store: Store) -> None:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    _sign_casebooks(store, [pid])
    with store.read() as session:
        (state,) = casebook.casebook_states(session, STUDY)
    assert state.current and state.signature is not None
    assert state.signature.meaning == "casebook approval" and state.signature.printed_name
    _date_visit(store, pid)
    with store.read() as session:
        (after,) = casebook.casebook_states(session, STUDY)
    assert after.lapsed and not after.current and after.digest != state.digest
    # signed again as it stands now, it holds again; a digest shown before is refused
    with store.transaction() as session, pytest.raises(StaleError):
        casebook.sign_casebook(
            session, signer=investigator(store), password=PASSWORD, study=STUDY,
            enrolment_ids=[pid], reviewed={pid: state.digest}, now=LATER,
        )  # fmt: skip
    _sign_casebooks(store, [pid])


def test_a_coordinator_cannot_sign_a_casebook(store: Store) -> None:
    _, (pid,) = enrolled(store)
    coordinator = user(store, "cora")
    with store.read() as session:
        (state,) = casebook.casebook_states(session, STUDY)
    with store.transaction() as session, pytest.raises(Exception, match="cannot give"):
        casebook.sign_casebook(
            session, signer=coordinator, password=PASSWORD, study=STUDY, enrolment_ids=[pid],
            reviewed={pid: state.digest}, now=LATER,
        )  # fmt: skip


def test_a_frozen_casebook_takes_no_entry_until_thawed(store: Store) -> None:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    with store.transaction() as session:
        participant = participant_or_404(session, pid)
        row = freeze.freeze(
            session, STUDY, participant, target=WHOLE, actor="dana", reason="cleaned",
            now=LATER,
        )  # fmt: skip
    with pytest.raises(Frozen, match="frozen"):
        _date_visit(store, pid)
    with store.transaction() as session, pytest.raises(ConflictError, match="already"):
        freeze.freeze(
            session, STUDY, participant_or_404(session, pid), target=WHOLE, actor="dana",
            reason=None, now=LATER,
        )  # fmt: skip
    with store.transaction() as session, pytest.raises(InputError, match="not a form"):
        freeze.freeze(
            session, STUDY, participant_or_404(session, pid), target="W4/no_such_form",
            actor="dana", reason=None, now=LATER,
        )  # fmt: skip
    with store.transaction() as session:
        freeze.thaw(
            session, participant_or_404(session, pid), freeze_id=row.id, actor="dana",
            reason="a correction is needed", now=LATER,
        )  # fmt: skip
    _date_visit(store, pid)


def test_a_frozen_form_takes_no_entry_and_the_others_do(store: Store) -> None:
    _, (pid,) = enrolled(store)
    with store.transaction() as session:
        freeze.freeze(
            session, STUDY, participant_or_404(session, pid), target="D1/injection",
            actor="dana", reason="verified against the source", now=LATER,
        )  # fmt: skip
    with pytest.raises(Frozen, match="D1/injection"):
        inject(store, pid)
    with store.transaction() as session:
        (row,) = freeze.active_freezes(session, pid)
        freeze.thaw(
            session, participant_or_404(session, pid), freeze_id=row.id, actor="dana",
            reason="the lot number was mistyped", now=LATER,
        )  # fmt: skip
    inject(store, pid)
    with store.transaction() as session:
        freeze.freeze(
            session, STUDY, participant_or_404(session, pid), target=WHOLE, actor="dana",
            reason=None, now=LATER,
        )  # fmt: skip
    with pytest.raises(Frozen, match="casebook"):
        save(store, pid, "joint_counts", typical_values("joint_counts"), visit="D1")


def test_the_lock_is_refused_with_every_blocker_then_given(store: Store) -> None:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    manager = _data_manager(store)
    found = _blocker_kinds(store)
    assert {BlockerKind.SDV_NOT_MET, BlockerKind.UNSIGNED_CASEBOOKS} <= found
    with pytest.raises(LockRefused) as refused:
        _lock(store, manager)
    assert refused.value.code == "lock_refused"
    assert {b.kind for b in refused.value.blockers} == found
    assert "casebooks" in str(refused.value)

    _verify_everything(store, pid)
    _dismiss_proposals(store)
    _sign_casebooks(store, [pid])
    assert _blocker_kinds(store) == set()
    lock = _lock(store, manager)

    with store.read() as session:
        status = database_lock.lock_status(session, STUDY)
        entry = session.scalars(select(AuditRecord).where(AuditRecord.action == "lock")).one()
        assert audit.verify(session).ok
    assert status.lock is not None and status.lock.id == lock.id and status.intact is True
    assert entry.changes["data_hash"] == [None, lock.data_hash]
    assert len(lock.data_hash) == 64
    assert status.signature is not None and status.signature.content["data_hash"] == (
        lock.data_hash
    )


def test_every_write_is_refused_once_locked_and_allowed_after_unlock(store: Store) -> None:
    pid = _ready(store)
    manager = _data_manager(store)
    lock = _lock(store, manager)
    rows_before = _count_audit(store)

    with pytest.raises(StudyLocked) as refused:
        _date_visit(store, pid)
    assert refused.value.code == "study_locked" and "NCT06947746" in str(refused.value)
    with store.transaction() as session, pytest.raises(StudyLocked):  # a contact request
        leads.store_lead(
            session, study_id=STUDY.id,
            contact=leads.LeadContact("Ada Example", "ada@example.org", None, None),
            answers={}, outcome={"verdict": "may_be_eligible"}, consent_text="ok",
            consented=True, now=LATER,
        )  # fmt: skip
    with pytest.raises(StudyLocked):
        _sign_casebooks(store, [pid])  # a signature is a write too
    with store.transaction() as session, pytest.raises(ConflictError, match="locked already"):
        database_lock.lock_database(
            session, signer=manager, password=PASSWORD, study=STUDY, now=LATER
        )
    assert _count_audit(store) == rows_before  # nothing was written

    # an unlock needs a reason, the lock as shown, and the password
    with store.transaction() as session, pytest.raises(InputError, match="reason"):
        database_lock.unlock_database(
            session, signer=manager, password=PASSWORD, study=STUDY, reason=" ",
            lock_id=lock.id, now=LATER,
        )  # fmt: skip
    with store.transaction() as session, pytest.raises(StaleError):
        database_lock.unlock_database(
            session, signer=manager, password=PASSWORD, study=STUDY, reason="a late lab",
            lock_id=lock.id + 1, now=LATER,
        )  # fmt: skip
    with store.transaction() as session:
        database_lock.unlock_database(
            session, signer=manager, password=PASSWORD, study=STUDY,
            reason="a late laboratory result arrived", lock_id=lock.id, now=LATER,
        )  # fmt: skip
    _date_visit(store, pid)  # writes go again
    with store.read() as session:
        status = database_lock.lock_status(session, STUDY)
        assert status.lock is None and status.history[0].unlock_reason
        unlock = session.scalars(select(AuditRecord).where(AuditRecord.action == "unlock")).one()
        assert unlock.reason == "a late laboratory result arrived"
        assert audit.verify(session).ok


def _count_audit(store: Store) -> int:
    with store.read() as session:
        return len(session.scalars(select(AuditRecord.id)).all())


def test_only_the_data_manager_locks(store: Store) -> None:
    prepare_study(store)
    with pytest.raises(Exception, match="cannot give"):
        _lock(store, investigator(store))


def test_a_write_that_began_before_the_lock_cannot_pass_it(store: Store) -> None:
    """A write holds the audit head from its first entry: the lock waits for it and then
    hashes it in. A write whose first entry comes after the lock committed is refused,
    though it began (and read) before the lock."""
    pid = _ready(store)
    manager = _data_manager(store)
    with store.read() as session:
        (signed,) = casebook.casebook_states(session, STUDY)

    # 1. a write that appended first: the lock waits for its commit, then sees it (the
    # casebook changed, so its sign-off lapsed: the lock is refused for it)
    began, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def writer() -> None:
        with store.transaction() as session:
            visits.record_visit(
                session, actor="coord", study=STUDY, enrolment_id=pid, visit_id="W4",
                on=date(2026, 4, 13), today=LATER.date(), now=LATER,
            )  # fmt: skip
            session.flush()
            began.set()
            release.wait(10)

    def locker() -> None:
        try:
            outcome["lock"] = _lock(store, manager)
        except Exception as error:  # noqa: BLE001 - the outcome is asserted below
            outcome["lock"] = error

    w = threading.Thread(target=writer)
    w.start()
    assert began.wait(10)
    t = threading.Thread(target=locker)
    t.start()
    t.join(0.5)
    assert t.is_alive()  # waiting for the write's head
    release.set()
    w.join(10)
    t.join(20)
    assert isinstance(outcome["lock"], LockRefused)
    assert {b.kind for b in outcome["lock"].blockers} == {BlockerKind.UNSIGNED_CASEBOOKS}
    with store.read() as session:
        (changed,) = casebook.casebook_states(session, STUDY)
    assert changed.lapsed and changed.digest != signed.digest

    # 2. a write that read before the lock and appends after it committed: refused (on
    # PostgreSQL; SQLite's writers hold the write lock from their first statement, so the
    # lock would wait for them as in 1.)
    if store.engine.dialect.name != "postgresql":
        return
    _sign_casebooks(store, [pid])
    with store.transaction() as session:
        participant = participant_or_404(session, pid, study=STUDY)  # reads, says the study
        _lock(store, manager)  # another transaction locks meanwhile
        with pytest.raises(StudyLocked):
            freeze.freeze(
                session, STUDY, participant, target=WHOLE, actor="dana", reason=None,
                now=LATER,
            )  # fmt: skip
        session.rollback()


def test_another_study_locked_does_not_stop_this_one(store: Store) -> None:
    """Two studies in one store: the other one locked, this one's writes, lock and unlock
    go on (each says which study it writes), and a write naming no study fails closed."""
    pid = _ready(store)
    with store.transaction() as session:
        audit.set_study_locked(session, "NCT00000000", True)
    with store.transaction() as session:
        leads.store_lead(
            session, study_id=STUDY.id,
            contact=leads.LeadContact("Ada Example", "ada@example.org", None, None),
            answers={}, outcome={"verdict": "may_be_eligible"}, consent_text="ok",
            consented=True, now=LATER,
        )  # fmt: skip
    manager = _data_manager(store)
    lock = _lock(store, manager)
    with store.transaction() as session:
        database_lock.unlock_database(
            session, signer=manager, password=PASSWORD, study=STUDY, reason="re-opened",
            lock_id=lock.id, now=LATER,
        )  # fmt: skip
    _date_visit(store, pid)
    with store.transaction() as session, pytest.raises(StudyLocked, match="NCT00000000"):
        audit.append(session, actor="x", action=audit.Action.UPDATE, entity="lead", entity_id="1")
