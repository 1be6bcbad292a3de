"""A lead becomes at most one candidate, however many requests ask at once (security probe
F1: on PostgreSQL, concurrent requests all passed the unlocked check, and one lead became
two to four candidates). Two layers, each tested alone: the lead's row lock before the
check, and the unique index on ``candidate.lead_id`` (migration 0015); and lead status
changes are checked against the version the form showed (F13).

Every test runs on SQLite and on PostgreSQL; the races matter on PostgreSQL (SQLite's
``BEGIN IMMEDIATE`` serialises writers), where each thread has its own engine, as separate
server workers would, and all meet at a barrier.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from trialdesk.errors import TrialdeskError
from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening import imports, leads
from trialdesk.trial.screening.imports import LeadTaken
from trialdesk.trial.screening.models import Candidate, Lead, LeadStatus
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store, create_store_engine, open_store
from trialdesk.trial.store.migrate import upgrade
from trialdesk.trial.store.stale import StaleError

from .helpers import NOW
from .screening_helpers import STUDY

RACERS = 8
ROUNDS = 3


def _lead(store: Store, name: str = "Dbl Click") -> int:
    with store.transaction() as session:
        return leads.store_lead(
            session,
            study_id=STUDY.id,
            contact=leads.LeadContact(name, "d@example.org"),
            answers={},
            outcome={"verdict": "may_be_eligible"},
            consent_text="I agree to be contacted.",
            consented=True,
            now=NOW,
        ).id


def _candidates_of(store: Store, lead_id: int) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).where(Candidate.lead_id == lead_id)) or 0


def _race(db_url: str, n: int, work: Callable[[Store], Any]) -> list[Any]:
    """``work`` from ``n`` threads at once, each on its own engine; each outcome, or the
    TrialdeskError it raised."""
    barrier = threading.Barrier(n, timeout=60)

    def attempt(_: int) -> Any:
        own = open_store(db_url, migrate=False)
        try:
            with own.read() as session:  # connect before the barrier: meet at the database
                session.scalar(select(1))
            barrier.wait()
            try:
                return work(own)
            except TrialdeskError as refused:
                return refused
        finally:
            own.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(attempt, range(n)))


def _from_lead(lead_id: int) -> Callable[[Store], int]:
    def work(own: Store) -> int:
        with own.transaction() as session:
            return imports.from_lead(session, actor="coord", lead_id=lead_id, now=NOW).id

    return work


def test_concurrent_requests_make_one_lead_one_candidate(store: Store, db_url: str) -> None:
    for round_ in range(ROUNDS):
        lead_id = _lead(store, f"Dbl Click {round_}")
        outcomes = _race(db_url, RACERS, _from_lead(lead_id))
        made = [o for o in outcomes if isinstance(o, int)]
        refused = [o for o in outcomes if isinstance(o, LeadTaken)]
        assert len(made) == 1 and len(refused) == RACERS - 1, outcomes
        # the lock let each loser see the winner's candidate, so it names it
        assert all(f"candidate {made[0]}" in r.message and r.field == "lead" for r in refused)
        assert _candidates_of(store, lead_id) == 1
    with store.read() as session:
        assert audit.verify(session).ok
        referred = session.scalars(select(Lead.status)).all()
        assert set(referred) == {LeadStatus.REFERRED}


def test_without_the_lock_the_unique_index_still_makes_one_candidate(
    store: Store, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second layer alone: were the lead read without its lock (a future path that
    forgets it), the concurrent requests all pass the check, and the database's unique
    index refuses all but the first, answered with the same error."""
    unlocked = leads.lead_or_404

    def without_lock(session: Any, lead_id: int, *, for_update: bool = False) -> Lead:
        return unlocked(session, lead_id)

    monkeypatch.setattr(leads, "lead_or_404", without_lock)
    lead_id = _lead(store)
    outcomes = _race(db_url, RACERS, _from_lead(lead_id))
    made = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if isinstance(o, LeadTaken)]
    assert len(made) == 1 and len(refused) == RACERS - 1, outcomes
    assert all(r.field == "lead" and "is already" in r.message for r in refused)
    assert _candidates_of(store, lead_id) == 1
    with store.read() as session:
        assert audit.verify(session).ok


def test_the_store_refuses_a_second_candidate_for_one_lead(store: Store) -> None:
    lead_id = _lead(store)
    person = cands.NewCandidate(name="Dbl Click")
    with store.transaction() as session:
        cands.add_candidate(
            session, actor="c", study_id=STUDY.id, person=person, now=NOW, lead_id=lead_id
        )
    with pytest.raises(IntegrityError), store.transaction() as session:
        cands.add_candidate(
            session, actor="c", study_id=STUDY.id, person=person, now=NOW, lead_id=lead_id
        )
    with store.transaction() as session:  # candidates not from a lead: as many as wanted
        for _ in range(2):
            cands.add_candidate(session, actor="c", study_id=STUDY.id, person=person, now=NOW)
    assert _candidates_of(store, lead_id) == 1


# ------------------------------------------------------------- lead versions (F13)


def _set(store: Store, lead_id: int, status: str, version: int | None, who: str) -> int:
    with store.transaction() as session:
        return leads.set_lead_status(
            session, actor=who, lead_id=lead_id, status=status, note=who, reason=None,
            expected_version=version,
        ).version  # fmt: skip


def test_a_lead_change_from_an_outdated_page_is_refused_not_overwritten(store: Store) -> None:
    lead_id = _lead(store)
    with store.read() as session:
        shown = leads.lead_or_404(session, lead_id).version
    assert _set(store, lead_id, "contacted", shown, "first") == shown + 1
    with pytest.raises(StaleError) as stale:
        _set(store, lead_id, "not_suitable", shown, "second")
    assert stale.value.field == "version"
    with store.read() as session:
        kept = leads.lead_or_404(session, lead_id)
        assert (kept.status, kept.status_note) == (LeadStatus.CONTACTED, "first")
    assert _set(store, lead_id, "not_suitable", shown + 1, "second") == shown + 2


def test_two_concurrent_lead_changes_from_one_page_keep_exactly_one(
    store: Store, db_url: str
) -> None:
    lead_id = _lead(store)

    def change(own: Store) -> int:  # both from the page showing version 1
        return _set(own, lead_id, "contacted", 1, threading.current_thread().name[-12:])

    outcomes = _race(db_url, 2, change)
    assert sorted(type(o).__name__ for o in outcomes) == ["StaleError", "int"], outcomes
    with store.read() as session:
        assert leads.lead_or_404(session, lead_id).version == 2
        assert audit.verify(session).ok


# ------------------------------------------------------------- migration 0015


def test_0015_keeps_the_oldest_link_when_a_lead_was_made_several_candidates(
    db_url: str,
) -> None:
    """A store where F1 struck before 0015: the oldest candidate keeps its lead, the later
    ones keep their source (``lead <reference>``) and lose the link, so the index can be
    made; every other candidate is untouched."""
    engine = create_store_engine(db_url)
    upgrade(engine, "0014")
    meta = sa.MetaData()
    candidate = sa.Table("candidate", meta, autoload_with=engine)
    lead = sa.Table("lead", meta, autoload_with=engine)
    row = {
        "study_id": STUDY.id, "name_key": "x", "source": "lead", "possible_duplicates": [],
        "anchor_dates": {}, "parameters": {}, "status": "screening", "failed_criteria": [],
        "created_at": NOW, "created_by": "c", "version": 1,
    }  # fmt: skip
    with engine.begin() as conn:
        for ref in ("AAAA-AAAA", "BBBB-BBBB"):
            conn.execute(sa.insert(lead).values(
                reference=ref, study_id=STUDY.id, created_at=NOW, name="n", answers={},
                outcome={}, consent_text="ok", consented_at=NOW, status="referred",
            ))  # fmt: skip
        ids = dict(conn.execute(sa.select(lead.c.reference, lead.c.id)).all())
        a, b = ids["AAAA-AAAA"], ids["BBBB-BBBB"]
        for name, lead_id in (("1", a), ("2", a), ("3", b), ("4", a), ("5", None)):
            conn.execute(sa.insert(candidate).values(**row, name=name, lead_id=lead_id))
    upgrade(engine)
    with engine.connect() as conn:
        links = dict(conn.execute(sa.select(candidate.c.name, candidate.c.lead_id)).all())
        versions = set(conn.execute(sa.select(sa.text("version")).select_from(lead)).scalars())
    assert links == {"1": a, "2": None, "3": b, "4": None, "5": None}
    assert versions == {1}  # leads from before 0015 start at version 1
    engine.dispose()
