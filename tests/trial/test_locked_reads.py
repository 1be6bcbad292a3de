"""A transaction locks and reads a participant once (a visit recorded, then its forms
saved, as the simulator and an import do), and reads them again after it changed what
was read: an end of participation recorded, a freeze placed or thawed."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event

from trialdesk.trial.conduct import disposition, entry, freeze, visits
from trialdesk.trial.conduct.entry import FormEntry
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.store.db import Store

from .conduct_helpers import LATER, enrolled, inject
from .screening_helpers import STUDY

VITALS = {"sysbp": 128, "diabp": 78, "pulse": 72, "temp": "36.6", "weight": "61.5"}
LOCK = re.compile(r"^SELECT candidate\.id\s+FROM candidate JOIN enrolment", re.S)
READ = re.compile(r"^SELECT enrolment\.id, enrolment\.candidate_id", re.S)
FREEZES = re.compile(r"^SELECT data_freeze\.id", re.S)


@contextmanager
def statements(store: Store) -> Iterator[Counter[str]]:
    seen: Counter[str] = Counter()

    def count(_c: Any, _cur: Any, sql: str, *_rest: Any) -> None:
        for name, pattern in (("lock", LOCK), ("read", READ), ("freezes", FREEZES)):
            if pattern.match(sql):
                seen[name] += 1

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


@pytest.fixture
def injected(store: Store) -> int:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    return pid


def test_a_visit_and_its_forms_lock_and_read_the_participant_once(
    store: Store, injected: int
) -> None:
    with statements(store) as seen, store.transaction() as session:
        visits.record_visit(
            session, actor="coord", study=STUDY, enrolment_id=injected, visit_id="D2",
            on=date(2026, 3, 17), today=LATER.date(), now=LATER,
        )  # fmt: skip
        entry.save_forms(
            session, actor="coord", study=STUDY, enrolment_id=injected, visit_id="D2",
            forms=[("vital_signs", FormEntry(VITALS, complete=True))], now=LATER,
        )  # fmt: skip
    assert seen == {"lock": 1, "read": 1, "freezes": 1}


def test_an_end_of_participation_is_read_by_the_next_write_of_the_transaction(
    store: Store, injected: int
) -> None:
    with store.transaction() as session:
        assert participant_or_404(session, injected, for_update=True).disposition is None
        disposition.end_participation(
            session, actor="coord", study=STUDY, enrolment_id=injected,
            term="LOST TO FOLLOW-UP", ended_on=date(2026, 4, 1), reason="no answer",
            now=LATER,
        )  # fmt: skip
        ended = participant_or_404(session, injected, for_update=True).disposition
        assert ended is not None and ended.term == "LOST TO FOLLOW-UP"


def test_a_freeze_placed_or_thawed_is_read_by_the_next_write_of_the_transaction(
    store: Store, injected: int
) -> None:
    with store.transaction() as session:
        participant = participant_or_404(session, injected, for_update=True, study=STUDY)
        assert freeze.active_freezes(session, injected) == []
        row = freeze.freeze(
            session, STUDY, participant, target=freeze.WHOLE, actor="dm", reason=None, now=LATER
        )
        with pytest.raises(freeze.Frozen):
            freeze.refuse_if_frozen(session, participant)
        freeze.thaw(session, participant, freeze_id=row.id, actor="dm", reason="cleaned", now=LATER)
        freeze.refuse_if_frozen(session, participant)  # entry allowed again
