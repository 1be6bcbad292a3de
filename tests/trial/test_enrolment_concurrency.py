"""Enrolment under concurrency: no place is taken twice, no subject number reused, no
coordinator's change silently overwritten. Every test runs on SQLite and on PostgreSQL.

The candidates are real: copies of examples/01-eligible-looking.json imported through
``import_fhir``, dated, consented on a registered form version and with the six judgment
criteria signed by an investigator (password re-entered), so ``enrol`` runs every check it
runs in production before it reaches the place-taking UPDATE.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm.exc import StaleDataError

from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening import enrolment
from trialdesk.trial.screening.enrolment import EnrolmentFull
from trialdesk.trial.screening.models import Candidate, CandidateStatus, Enrolment, StudySite
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store, open_store
from trialdesk.trial.store.stale import StaleError

from .helpers import NOW
from .screening_helpers import (
    STUDY,
    TODAY,
    eligible_candidates,
    example,
    import_candidates,
    prepare_study,
)

TARGET = STUDY.target_enrollment
RACERS = 20


def test_the_default_study_has_a_target_of_15() -> None:
    assert TARGET == 15  # the registry record's enrolment count; the tests below rely on it


def _enrol(store: Store, candidate_id: int, actor: str = "coord") -> Enrolment:
    with store.transaction() as session:
        return enrolment.enrol(
            session,
            actor=actor,
            study=STUDY,
            candidate_id=candidate_id,
            expected_version=None,
            today=TODAY,
            now=NOW,
        )


def _site(store: Store) -> StudySite:
    with store.read() as session:
        site = session.get(StudySite, STUDY.id)
        assert site is not None
        return site


def _subject_numbers(store: Store) -> list[str]:
    with store.read() as session:
        return list(session.scalars(select(Enrolment.subject_number).order_by(Enrolment.id)))


def test_twenty_simultaneous_requests_for_the_last_place_enrol_exactly_one(
    store: Store, db_url: str
) -> None:
    if db_url.startswith("sqlite"):  # a file database in WAL mode, as deployed
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    investigator = prepare_study(store)
    racers = eligible_candidates(store, investigator, RACERS)
    # Precondition: all places but one taken. The row is set directly (enrolled = target - 1)
    # rather than by enrolling 14 more real candidates: what is under test is the race for
    # the last place, the sequential path to it is covered by the test below, and preparing
    # 14 more eligible candidates per backend would triple this test's time.
    with store.transaction() as session:
        session.add(
            StudySite(
                study_id=STUDY.id,
                site_code="01",
                target=TARGET,
                enrolled=TARGET - 1,
                last_sequence=TARGET - 1,
            )
        )

    barrier = threading.Barrier(RACERS, timeout=60)

    def attempt(candidate_id: int) -> str | EnrolmentFull:
        # Each thread has its own engine (own connection pool), as separate server
        # processes would; the connection is opened before the barrier so the requests
        # meet at the database, not at connect().
        own = open_store(db_url, migrate=False)
        try:
            with own.read() as session:
                session.scalar(select(Candidate.status).where(Candidate.id == candidate_id))
            barrier.wait()
            try:
                return _enrol(own, candidate_id, actor=f"coord{candidate_id}").subject_number
            except EnrolmentFull as refused:
                return refused
        finally:
            own.close()

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        outcomes = list(pool.map(attempt, racers))

    won = [o for o in outcomes if isinstance(o, str)]
    full = [o for o in outcomes if isinstance(o, EnrolmentFull)]
    assert won == [f"01-{TARGET:03d}"], outcomes
    assert len(full) == RACERS - 1
    assert all(f"all {TARGET} places" in e.message and e.field == "enrol" for e in full)
    site = _site(store)
    assert (site.enrolled, site.last_sequence) == (TARGET, TARGET)
    numbers = _subject_numbers(store)
    assert numbers == won and len(set(numbers)) == len(numbers)
    with store.read() as session:
        statuses = list(session.scalars(select(Candidate.status).where(Candidate.id.in_(racers))))
        assert statuses.count(CandidateStatus.ENROLLED) == 1
        assert statuses.count(CandidateStatus.SCREENING) == RACERS - 1
        assert audit.verify(session).ok


def test_numbers_run_to_the_target_then_enrolment_is_refused_and_never_reused(
    store: Store,
) -> None:
    investigator = prepare_study(store)
    people = eligible_candidates(store, investigator, TARGET + 1)
    for candidate_id in people[:5]:
        _enrol(store, candidate_id)
    # A withdrawal keeps the participant's number and place (the enrolment row stays and
    # the CONSORT diagram counts them as enrolled): the next number is 01-006, not 01-003.
    with store.transaction() as session:
        enrolment.withdraw(
            session,
            actor="coord",
            candidate_id=people[2],
            expected_version=None,
            withdrawn_on=NOW.date(),
            reason="moved away",
            now=NOW,
        )
    assert (_site(store).enrolled, _site(store).last_sequence) == (5, 5)
    for candidate_id in people[5:TARGET]:
        _enrol(store, candidate_id)
    numbers = _subject_numbers(store)
    assert numbers == [f"01-{n:03d}" for n in range(1, TARGET + 1)]
    assert numbers == sorted(numbers) and len(set(numbers)) == TARGET  # only ever grows

    with pytest.raises(EnrolmentFull) as refused:
        _enrol(store, people[TARGET])
    assert f"all {TARGET} places" in refused.value.message
    assert _subject_numbers(store) == numbers  # nothing written by the refusal
    site = _site(store)
    assert (site.enrolled, site.last_sequence) == (TARGET, TARGET)
    with store.read() as session:
        last = session.get(Candidate, people[TARGET])
        assert last is not None and last.status is CandidateStatus.SCREENING
        withdrawn = session.scalars(
            select(Enrolment).where(Enrolment.candidate_id == people[2])
        ).one()
        assert withdrawn.subject_number == "01-003" and withdrawn.withdrawn_at is not None
        assert audit.verify(session).ok


def test_the_sequence_only_grows_even_if_places_are_given_back(store: Store) -> None:
    """Were an administrator to free a place (enrolled - 1), the next number is still new."""
    investigator = prepare_study(store)
    first, second = eligible_candidates(store, investigator, 2)
    assert _enrol(store, first).subject_number == "01-001"
    with store.transaction() as session:
        session.execute(update(StudySite).values(enrolled=StudySite.enrolled - 1))
    assert _enrol(store, second).subject_number == "01-002"


# ------------------------------------------------------------------ optimistic locking


def _details(
    store: Store, candidate_id: int, expected: int | None, screening: date, reason: str
) -> Candidate:
    with store.transaction() as session:
        return cands.set_screening_details(
            session,
            study=STUDY,
            actor=reason,
            candidate_id=candidate_id,
            expected_version=expected,
            dates={"screening": screening, "baseline": date(2026, 3, 16)},
            parameters={"target_knee": "right"},
            reason=reason,
            now=NOW,
        )


def test_the_second_of_two_editors_gets_stale_and_the_first_edit_is_kept(store: Store) -> None:
    [cid] = import_candidates(store, example("03-incomplete-no-labs.json"))
    with store.read() as session:  # both coordinators open the form at version v
        v = cands.candidate_or_404(session, cid).version
    first = _details(store, cid, v, date(2026, 3, 2), "first coordinator")
    assert first.version == v + 1
    with pytest.raises(StaleError) as stale:
        _details(store, cid, v, date(2026, 3, 5), "second coordinator")
    assert stale.value.field == "version" and "reload" in stale.value.message
    with store.read() as session:
        kept = cands.candidate_or_404(session, cid)
        assert (kept.date_of("screening"), kept.version) == (date(2026, 3, 2), v + 1)
        assert audit.verify(session).ok
    # with the version just read, the second coordinator's change goes through
    assert _details(store, cid, v + 1, date(2026, 3, 5), "second coordinator").version == v + 2


def test_version_id_col_refuses_a_flush_from_a_copy_read_before_another_commit(
    store: Store,
) -> None:
    """Below the services: an ORM copy read before someone else's commit cannot be written
    back over it. SQLAlchemy's version_id_col adds ``AND version = <read version>`` to the
    UPDATE, which then matches no row: StaleDataError, and the transaction rolls back."""
    [cid] = import_candidates(store, example("03-incomplete-no-labs.json"))
    late = store.sessionmaker()  # expire_on_commit=False: the copy outlives its transaction
    try:
        with late.begin():
            stale_copy = late.get(Candidate, cid)
            assert stale_copy is not None
        v = stale_copy.version
        with store.transaction() as session:
            fresh = session.get(Candidate, cid)
            assert fresh is not None
            fresh.parameters = {"target_knee": "left"}
        with pytest.raises(StaleDataError), late.begin():
            stale_copy.parameters = {"target_knee": "right"}
            late.flush()
    finally:
        late.close()
    with store.read() as session:
        kept = session.get(Candidate, cid)
        assert kept is not None and (kept.parameters, kept.version) == (
            {"target_knee": "left"},
            v + 1,
        )


def test_a_candidate_read_before_it_is_locked_is_checked_as_locked(
    store: Store, db_url: str
) -> None:
    """The routes read the candidate (to find its study) before a service locks it. On
    PostgreSQL another transaction can commit between the two; the service must check the
    row it locked, not the copy read first (else: a 500 from StaleDataError, or worse)."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite write transactions hold the lock from BEGIN: no window to test")
    [cid] = import_candidates(store, example("03-incomplete-no-labs.json"))
    with store.transaction() as session:
        early = cands.candidate_or_404(session, cid)  # as _study_of does, no lock yet
        version = early.version
        with store.transaction() as other:  # meanwhile, another coordinator closes screening
            enrolment.decline(
                other, actor="other", candidate_id=cid, expected_version=version,
                reason="changed their mind", now=NOW,
            )  # fmt: skip
        with pytest.raises(StaleError):
            enrolment.decline(
                session, actor="me", candidate_id=cid, expected_version=version,
                reason="also declined", now=NOW,
            )  # fmt: skip
    with store.read() as session:
        row = cands.candidate_or_404(session, cid)
        assert (row.status, row.outcome_reason) == (CandidateStatus.DECLINED, "changed their mind")
        assert audit.verify(session).ok
