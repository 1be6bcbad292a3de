"""Visits recorded by two people and by a lock: a scheduled visit takes place once, a form
opened before a visit was recorded cannot overwrite it, a participation that ended before
day 1 awaits nothing, and on PostgreSQL a write waiting for the participant's lock sees
what the previous holder committed."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from trialdesk.errors import FieldErrors, InputError, NotFoundError
from trialdesk.study.windows import VisitStatus
from trialdesk.trial.conduct import disposition, visits
from trialdesk.trial.conduct.calendar import calendar
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.conduct.views import visit_of_key
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.stale import StaleError

from .conduct_helpers import INJECTION, LATER, enrolled, inject, save, visit_on
from .screening_helpers import STUDY

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _record(store: Store, pid: int, visit_id: str, on: date, **kw: object) -> object:
    with store.transaction() as session:
        return visits.record_visit(
            session, actor="coord", study=STUDY, enrolment_id=pid, visit_id=visit_id, on=on,
            today=LATER.date(), now=LATER, **kw,  # type: ignore[arg-type]
        )  # fmt: skip


def test_a_scheduled_visit_takes_place_once(store: Store) -> None:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    with pytest.raises(NotFoundError, match="takes place once"):
        _record(store, pid, "W4", date(2026, 4, 13), occurrence=2)
    first = _record(store, pid, "UNS", date(2026, 4, 2))
    second = _record(store, pid, "UNS", date(2026, 4, 5))
    assert [first.key, second.key] == ["UNS", "UNS#2"]  # type: ignore[attr-defined]


def test_a_page_opened_before_the_visit_was_recorded_cannot_overwrite_it(store: Store) -> None:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    with store.transaction() as session:
        visits.mark_missed(
            session, actor="coord", study=STUDY, enrolment_id=pid, visit_id="W1",
            reason="participant in hospital", now=LATER, expected_version=0,
        )  # fmt: skip
    with pytest.raises(StaleError):  # version 0: "it was not recorded when I opened it"
        _record(store, pid, "W1", date(2026, 3, 23), expected_version=0)
    with pytest.raises(StaleError), store.transaction() as session:
        visits.mark_missed(
            session, actor="coord", study=STUDY, enrolment_id=pid, visit_id="W1",
            reason="holiday", now=LATER, expected_version=0,
        )  # fmt: skip


def test_an_end_before_day_1_leaves_nothing_awaited(store: Store) -> None:
    _, (pid,) = enrolled(store)
    with store.transaction() as session:
        disposition.end_participation(
            session, actor="coord", study=STUDY, enrolment_id=pid, term="PHYSICIAN DECISION",
            ended_on=date(2026, 3, 10), reason="new contraindication", now=LATER,
        )  # fmt: skip
    with store.read() as session:
        rows = calendar(session, STUDY, participant_or_404(session, pid), LATER.date())
    follow_up = [r for r in rows if r.visit.day is not None and r.visit.day > 0]
    assert follow_up and {r.status for r in follow_up} == {VisitStatus.NOT_DUE}


def test_a_withdrawal_in_the_shanghai_morning_is_on_the_site_s_day(store: Store) -> None:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    morning = datetime(2026, 4, 1, 6, 30, tzinfo=SHANGHAI)  # still 31 March in UTC
    with store.transaction() as session:
        done = disposition.end_participation(
            session, actor="coord", study=STUDY, enrolment_id=pid,
            term="WITHDRAWAL BY SUBJECT", ended_on=date(2026, 4, 1), reason=None, now=morning,
        )  # fmt: skip
    assert done.ended_on == date(2026, 4, 1)


def test_an_early_termination_visit_comes_with_the_end_of_participation(store: Store) -> None:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    with pytest.raises(InputError, match="recorded with the end of participation"):
        visit_on(store, pid, "ET", date(2026, 4, 2))  # still taking part
    with store.transaction() as session:
        done = disposition.end_participation(
            session, actor="coord", study=STUDY, enrolment_id=pid, term="LOST TO FOLLOW-UP",
            ended_on=date(2026, 4, 2), reason=None, now=LATER,
            termination_visit_on=date(2026, 4, 2),
        )  # fmt: skip
        assert done.visit_record_id is not None
    with store.read() as session:
        rows = calendar(session, STUDY, participant_or_404(session, pid), LATER.date())
    assert {r.key: r.date for r in rows}["ET"] == date(2026, 4, 2)


def _until_a_query_waits_for_a_lock(store: Store) -> None:
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND datname = current_database()"
    )
    deadline = time.monotonic() + 10
    with store.engine.connect() as connection:
        while time.monotonic() < deadline:
            if connection.execute(query).scalar_one():
                return
            time.sleep(0.01)
    raise AssertionError("the second writer never waited for the participant's lock")


def test_a_write_waiting_for_the_lock_sees_the_end_committed_before_it(
    store: Store, db_url: str
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite writers queue at BEGIN: the second one reads after the first commits")
    _, (pid,) = enrolled(store)
    inject(store, pid)
    holding, waiting = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def end() -> None:
        with store.transaction() as session:
            disposition.end_participation(
                session, actor="coord", study=STUDY, enrolment_id=pid, term="LOST TO FOLLOW-UP",
                ended_on=date(2026, 4, 1), reason=None, now=LATER,
            )  # fmt: skip
            holding.set()
            waiting.wait(10)
            _until_a_query_waits_for_a_lock(store)  # the visit date below is queued on it

    def late_visit() -> None:
        holding.wait(10)
        try:
            with store.transaction() as session:
                participant_or_404(session, pid)  # read before the lock, as a page's would be
                waiting.set()
                visits.record_visit(
                    session, actor="coord", study=STUDY, enrolment_id=pid, visit_id="W8",
                    on=date(2026, 5, 11), today=LATER.date(), now=datetime.now(UTC),
                )  # fmt: skip
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=end), threading.Thread(target=late_visit)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(failures) == 1 and "after participation ended" in str(failures[0])


def test_an_edit_check_reads_its_own_visit_not_another_of_the_same_day(store: Store) -> None:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    on = date(2026, 4, 13)
    visit_on(store, pid, "W4", on)
    unscheduled = _record(store, pid, "UNS", on)
    vitals = {"sysbp": 150, "diabp": 95, "pulse": 72, "temp": "36.6", "weight": "61.5"}
    save(store, pid, "vital_signs", vitals, visit=unscheduled.key)  # type: ignore[attr-defined]
    upside_down = {**vitals, "sysbp": 100, "diabp": 120}
    with pytest.raises(FieldErrors) as refused:
        save(store, pid, "vital_signs", upside_down, visit="W4")
    assert {e.field for e in refused.value.errors} == {"diabp", "sysbp"}


def test_an_injection_draft_without_its_time_is_refused_at_that_item(store: Store) -> None:
    _, (pid,) = enrolled(store)
    draft = {k: v for k, v in INJECTION.items() if k != "administered_at"}
    with pytest.raises(FieldErrors) as refused:
        save(store, pid, "injection", draft, visit="D1", complete=False)
    assert list(refused.value.by_field) == ["administered_at"]
    assert "even incomplete" in refused.value.by_field["administered_at"][0]
    with store.read() as session:
        rows = calendar(session, STUDY, participant_or_404(session, pid), LATER.date())
    assert {r.key: r.status for r in rows}["D1"] is VisitStatus.AWAITING_DAY1


def test_a_computed_form_is_not_entered_by_hand(store: Store) -> None:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    visit_on(store, pid, "W4", date(2026, 4, 13))
    with pytest.raises(InputError, match="computed by the server"):
        save(store, pid, "disease_activity", {}, visit="W4")


def test_an_early_termination_visit_after_the_end_is_that_end_s(store: Store) -> None:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    with store.transaction() as session:
        disposition.end_participation(
            session, actor="coord", study=STUDY, enrolment_id=pid, term="LOST TO FOLLOW-UP",
            ended_on=date(2026, 4, 2), reason=None, now=LATER,
        )  # fmt: skip
    et = visit_on(store, pid, "ET", date(2026, 4, 3))
    with store.read() as session:
        assert participant_or_404(session, pid).disposition.visit_record_id == et.id  # type: ignore[union-attr]
        assert audit.verify(session).ok


@pytest.mark.parametrize("key", ["UNS#", "W4#", "UNS#0", "UNS#x", "UNS#1000"])
def test_a_visit_key_with_a_bad_number_is_no_visit(key: str) -> None:
    with pytest.raises(NotFoundError):
        visit_of_key(key)
    assert visit_of_key("UNS#2") == ("UNS", 2) and visit_of_key("W4") == ("W4", 1)
