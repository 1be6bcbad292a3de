"""Queries on the data (trial/review/queries.py, store/query_records.py), on SQLite and
PostgreSQL: raised by a monitor on each kind of target or by an edit check in the form
save's transaction, answered by the site, closed by the monitor; concurrent replies."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from trialdesk.errors import ConflictError, FieldErrors, ForbiddenError, TrialdeskError
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.review import queries, query_views
from trialdesk.trial.screening.models import Enrolment, EnteredFact
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store, open_store
from trialdesk.trial.store.models import AuditRecord
from trialdesk.trial.store.query_records import (
    CheckSeen,
    DataQuery,
    QueryMessage,
    QueryState,
    raise_from_checks,
)
from trialdesk.trial.store.stale import StaleError

from .conduct_helpers import LATER, enrolled, inject, save, visit_on
from .screening_helpers import STUDY
from .test_safety_helpers import record

W4 = date(2026, 4, 13)
ITEM = {"kind": "item", "visit": "W4", "form": "acute_phase", "item": "crp"}
# CRP below 1 mg/L beside ESR above 50 mm/h: the warning check crp_in_mg_dl fails
SUSPECT = {"crp": "0.5", "esr": 60}
CHECK_EN = "CRP below 1 mg/L with ESR above 50 mm/h: was CRP entered in mg/dL? Enter it in mg/L."
ASKED = LATER + timedelta(hours=1)


@pytest.fixture
def pid(store: Store) -> int:
    """An injected participant whose week-4 visit took place."""
    _, (enrolment_id,) = enrolled(store)
    inject(store, enrolment_id)
    visit_on(store, enrolment_id, "W4", W4)
    return enrolment_id


def raise_(
    store: Store, pid: int, target: dict[str, Any], text: str | None = "Please check.", **kw: Any
) -> DataQuery:
    with store.transaction() as session:
        return queries.raise_query(
            session, actor="mona", role=kw.get("role", Role.MONITOR), study=STUDY,
            enrolment_id=pid, target=target, text=text, now=kw.get("now", ASKED),
        )  # fmt: skip


def act(store: Store, what: str, query: DataQuery, role: Role, **kw: Any) -> Any:
    """One act on a query by ``role`` (the version read with it unless given)."""
    actor = {Role.MONITOR: "mona", Role.COORDINATOR: "coord"}.get(role, "someone")
    version = kw.pop("version", query.version)
    when = kw.pop("now", ASKED + timedelta(hours=2))
    if what == "close_query" and "shown_datum" not in kw:  # what the page shows now
        kw["shown_datum"] = shown(store, query.id)
    with store.transaction() as session:
        return getattr(queries, what)(
            session, actor=actor, role=role, study=STUDY, query_id=query.id,
            expected_version=version, now=when, **kw,
        )  # fmt: skip


def shown(store: Store, query_id: int) -> str | None:
    """The digest of the query's target as its page shows it now."""
    with store.read() as session:
        return query_views.query_view(session, STUDY, query_id, W4).digest


def fresh(store: Store, query_id: int) -> tuple[DataQuery, list[QueryMessage]]:
    with store.read() as session:
        view = query_views.query_view(session, STUDY, query_id, W4)
        return view.query, list(view.messages)


def asked(q: DataQuery) -> dict[str, Any]:
    """A check query's datum without what the check read (there when the save passes it)."""
    return {k: v for k, v in (q.datum or {}).items() if k != "reads"}


def check_queries(store: Store) -> list[DataQuery]:
    with store.read() as session:
        return list(session.scalars(select(DataQuery).where(DataQuery.origin == "check")))


def test_a_query_goes_open_answered_closed_and_its_thread_keeps_every_message(
    store: Store, pid: int
) -> None:
    save(store, pid, "acute_phase", {"crp": "5", "esr": 30}, visit="W4")
    q = raise_(store, pid, ITEM, "CRP 5 mg/L: the lab report reads 50?")
    assert (q.state, q.raised_by, q.datum) == (QueryState.OPEN, "mona", {"value": "5"})
    act(store, "reply", q, Role.COORDINATOR, text="The report reads 5 mg/L.")
    q, thread = fresh(store, q.id)
    assert q.state is QueryState.ANSWERED
    act(store, "reopen_query", q, Role.MONITOR, text="Please attach the report page.")
    q, _ = fresh(store, q.id)
    assert q.state is QueryState.OPEN
    act(store, "reply", q, Role.COORDINATOR, text="Filed with the source documents.")
    q, _ = fresh(store, q.id)
    act(store, "close_query", q, Role.MONITOR, text="Seen.")
    q, thread = fresh(store, q.id)
    assert (q.state, q.closed_by, q.closed_datum) == (QueryState.CLOSED, "mona", {"value": "5"})
    assert [(m.number, m.kind, m.author) for m in thread] == [
        (1, "raise", "mona"),
        (2, "answer", "coord"),
        (3, "reopen", "mona"),
        (4, "answer", "coord"),
        (5, "close", "mona"),
    ]
    with pytest.raises(ConflictError, match="closed: it takes no reply"):
        act(store, "reply", q, Role.COORDINATOR, text="One more thing.")
    act(store, "reopen_query", q, Role.MONITOR, text="Asked again.")
    q, _ = fresh(store, q.id)
    assert (q.state, q.closed_at, q.closed_datum) == (QueryState.OPEN, None, None)
    with pytest.raises(FieldErrors) as refused:
        act(store, "cancel_query", q, Role.MONITOR, reason="  ")
    assert "reason" in refused.value.by_field
    act(store, "cancel_query", q, Role.MONITOR, reason="raised on the wrong participant")
    q, thread = fresh(store, q.id)
    assert q.state is QueryState.CANCELLED
    assert thread[-1].text == "raised on the wrong participant"
    with pytest.raises(ConflictError):
        act(store, "reply", q, Role.COORDINATOR, text="too late")
    with store.read() as session:
        assert audit.verify(session).ok
        entries = session.scalars(
            select(AuditRecord).where(AuditRecord.entity.in_(["data_query", "query_message"]))
        ).all()
    # the query's creation and its six state changes; its seven messages
    assert sum(e.entity == "data_query" for e in entries) == 7
    assert sum(e.entity == "query_message" for e in entries) == 7


def test_a_failing_warning_check_raises_a_query_in_the_save_and_a_correction_closes_nothing(
    store: Store, pid: int
) -> None:
    first = save(store, pid, "acute_phase", SUSPECT, visit="W4")
    (q,) = check_queries(store)
    assert (q.item, q.check_id, q.raised_by, q.state) == ("crp", "crp_in_mg_dl", "system", "open")
    assert asked(q) == {"value": "0.5"}
    _, thread = fresh(store, q.id)
    assert [(m.kind, m.author, m.text) for m in thread] == [("raise", "system", CHECK_EN)]
    with store.read() as session:
        created = session.scalars(
            select(AuditRecord).where(
                AuditRecord.entity == "data_query", AuditRecord.entity_id == str(q.id)
            )
        ).one()
        form_entry = session.scalars(
            select(AuditRecord).where(
                AuditRecord.entity == "form_record", AuditRecord.entity_id == str(first.id)
            )
        ).one()
    assert created.actor == "coord" and created.at == form_entry.at  # the save's own act
    # saved again with the value unchanged: the site is asked already
    again = save(store, pid, "acute_phase", SUSPECT, visit="W4", version=first.version)
    assert len(check_queries(store)) == 1
    # replying "corrected" before correcting is refused
    with pytest.raises(FieldErrors) as refused:
        act(store, "reply", q, Role.COORDINATOR, text="Corrected.", correction=True)
    assert "correct the datum on the form first" in refused.value.by_field["correction"][0]
    corrected = save(
        store, pid, "acute_phase", {"crp": "5", "esr": 60}, visit="W4", version=again.version,
        reason="entered in mg/dL", now=LATER + timedelta(hours=3),
    )  # fmt: skip
    assert "crp" not in corrected.flags  # the check passes now
    (q,) = check_queries(store)
    assert q.state is QueryState.OPEN  # ... and its query stays open for the monitor
    act(store, "reply", q, Role.COORDINATOR, text="Was mg/dL: 5 mg/L.", correction=True,
        now=LATER + timedelta(hours=4))  # fmt: skip
    q, thread = fresh(store, q.id)
    assert q.state is QueryState.ANSWERED
    assert (thread[-1].kind, thread[-1].form_record_id, thread[-1].form_version) == (
        "correction",
        corrected.id,
        corrected.version,
    )
    act(store, "close_query", q, Role.MONITOR, text=None, now=LATER + timedelta(hours=5))
    q, _ = fresh(store, q.id)
    assert q.state is QueryState.CLOSED
    # the old value put back fails again: a new query (the monitor accepted 5, not 0.5)
    back = save(store, pid, "acute_phase", SUSPECT, visit="W4", version=corrected.version,
                reason="typing error", now=LATER + timedelta(hours=6))  # fmt: skip
    assert len(check_queries(store)) == 2
    newest = max(check_queries(store), key=lambda x: x.id)
    act(store, "close_query", newest, Role.MONITOR, text="Confirmed with the lab: 0.5.",
        now=LATER + timedelta(hours=7))  # fmt: skip
    # closed on 0.5: saving 0.5 again asks nothing more
    save(store, pid, "acute_phase", SUSPECT, visit="W4", version=back.version,
         reason="re-saved", now=LATER + timedelta(hours=8))  # fmt: skip
    assert len(check_queries(store)) == 2
    with store.read() as session:
        assert audit.verify(session).ok


def test_each_kind_of_target_is_validated_to_exist(store: Store, pid: int) -> None:
    save(store, pid, "acute_phase", {"crp": "5", "esr": 30}, visit="W4")
    event = record(store, pid).event
    with store.transaction() as session:
        enrolment = session.get(Enrolment, pid)
        assert enrolment is not None
        fact = EnteredFact(
            candidate_id=enrolment.candidate_id, concept="alt", on=date(2026, 3, 1),
            value="30", unit="U/L", source_document="lab report 2026-03-01",
            entered_at=datetime(2026, 3, 1, tzinfo=UTC), entered_by="coord",
        )  # fmt: skip
        session.add(fact)
        session.flush()
        fact_id = fact.id
    targets: list[dict[str, Any]] = [
        ITEM,
        {"kind": "visit", "visit": "W4"},
        {"kind": "visit", "visit": "W12"},  # scheduled, not recorded yet: a fair question
        {"kind": "adverse_event", "adverse_event": event.id},
        {"kind": "fact", "fact": str(fact_id)},
    ]
    raised = [raise_(store, pid, t) for t in targets]
    with store.read() as session:  # what each target holds now, as a close is judged on
        nows = [query_views.query_view(session, STUDY, q.id, W4).now for q in raised]
    assert nows[:3] == [
        {"value": "5"},
        {"date": W4.isoformat(), "missed": False},
        {"recorded": False},
    ]
    assert set(nows[3] or {}) == {"version"} and nows[4] == {"retracted": False}
    assert [q.target_key for q in raised] == [
        f"item:{pid}:W4:acute_phase:1:crp",
        f"visit:{pid}:W4",
        f"visit:{pid}:W12",
        f"adverse_event:{pid}:{event.id}",
        f"fact:{pid}:{fact_id}",
    ]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "nothing"}, "kind"),
        ({"kind": "item", "visit": "W4", "form": "acute_phase", "item": "nope"}, "item"),
        ({"kind": "item", "visit": "W4", "form": "nope", "item": "crp"}, "form"),
        ({"kind": "item", "visit": "W8", "form": "acute_phase", "item": "crp"}, "visit"),
        ({"kind": "visit", "visit": "W99"}, "visit"),
        ({"kind": "visit", "visit": "W4#"}, "visit"),
        ({"kind": "visit", "visit": "UNS#2"}, "visit"),
        ({"kind": "adverse_event", "adverse_event": event.id + 100}, "adverse_event"),
        ({"kind": "fact", "fact": "x"}, "fact"),
        ({"kind": "fact", "fact": 10**12}, "fact"),
    ]
    for bad, field in cases:
        with pytest.raises(FieldErrors) as refused:
            raise_(store, pid, bad)
        assert field in refused.value.by_field, bad


def test_bad_input_is_refused_all_at_once_and_nothing_is_stored(store: Store, pid: int) -> None:
    with pytest.raises(FieldErrors) as refused:
        raise_(store, pid, {"kind": "item", "visit": "W4", "form": "acute_phase"}, "\x00 bad")
    assert set(refused.value.by_field) == {"item", "text"}
    with pytest.raises(FieldErrors) as refused:
        raise_(store, pid, {"kind": "visit"}, "")
    assert set(refused.value.by_field) == {"visit", "text"}
    with pytest.raises(FieldErrors) as refused:
        raise_(store, pid, {"kind": "visit", "visit": "W4"}, "x" * (queries.MESSAGE_MAX + 1))
    assert "at most" in refused.value.by_field["text"][0]
    with store.read() as session:
        assert session.scalars(select(DataQuery)).all() == []
        assert session.scalars(select(QueryMessage)).all() == []


def test_who_may_do_what(store: Store, pid: int) -> None:
    visit = {"kind": "visit", "visit": "W4"}
    for role in (Role.COORDINATOR, Role.INVESTIGATOR, Role.ADMIN):
        with pytest.raises(ForbiddenError):
            raise_(store, pid, visit, role=role)
    q = raise_(store, pid, visit)
    with pytest.raises(ForbiddenError):
        act(store, "reply", q, Role.MONITOR, text="answering myself")
    monitor_acts: list[tuple[str, dict[str, Any]]] = [
        ("close_query", {"text": None}),
        ("cancel_query", {"reason": "no"}),
        ("reopen_query", {"text": "again"}),
    ]
    for what, kw in monitor_acts:
        with pytest.raises(ForbiddenError):
            act(store, what, q, Role.COORDINATOR, **kw)
    act(store, "reply", q, Role.INVESTIGATOR, text="The visit was on the 13th.")
    q, _ = fresh(store, q.id)
    assert q.state is QueryState.ANSWERED


def test_a_reply_from_a_stale_page_is_told_to_reload(store: Store, pid: int) -> None:
    q = raise_(store, pid, {"kind": "visit", "visit": "W4"})
    act(store, "reply", q, Role.COORDINATOR, text="first")
    with pytest.raises(StaleError):
        act(store, "reply", q, Role.COORDINATOR, text="second, from the old page")
    _, thread = fresh(store, q.id)
    assert [m.text for m in thread] == ["Please check.", "first"]


def test_concurrent_replies_one_is_refused_and_nothing_is_lost(
    store: Store, db_url: str, pid: int
) -> None:
    q = raise_(store, pid, {"kind": "visit", "visit": "W4"})
    racers = 4
    barrier = threading.Barrier(racers, timeout=60)

    def attempt(n: int) -> str:
        own = open_store(db_url, migrate=False)  # as separate server processes would
        try:
            with own.read() as session:
                session.scalar(select(DataQuery.id).limit(1))
            barrier.wait()
            with own.transaction() as session:
                queries.reply(
                    session, actor=f"coord{n}", role=Role.COORDINATOR, study=STUDY,
                    query_id=q.id, text=f"reply {n}", expected_version=q.version, now=ASKED,
                )  # fmt: skip
            return "ok"
        except TrialdeskError as refused:
            assert isinstance(refused, StaleError), refused
            return "stale"
        finally:
            own.close()

    with ThreadPoolExecutor(max_workers=racers) as pool:
        outcomes = list(pool.map(attempt, range(racers)))
    assert sorted(outcomes) == ["ok"] + ["stale"] * (racers - 1)
    q2, thread = fresh(store, q.id)
    assert len(thread) == 2 and q2.version == q.version + 1
    with store.read() as session:
        assert audit.verify(session).ok


def test_counts_and_ages_per_participant_and_site_in_site_days(store: Store) -> None:
    _, (a, b) = enrolled(store, 2)
    for p in (a, b):
        inject(store, p)
    # 2026-04-01 17:00 UTC is 2026-04-02 01:00 in Shanghai: the site's day is the 2nd
    late = datetime(2026, 4, 1, 17, 0, tzinfo=UTC)
    q1 = raise_(store, a, {"kind": "visit", "visit": "D1"}, now=late)
    raise_(store, a, {"kind": "visit", "visit": "W4"}, now=late + timedelta(days=3))
    q3 = raise_(store, b, {"kind": "visit", "visit": "D1"}, now=late)
    act(store, "reply", q3, Role.COORDINATOR, text="done", now=late + timedelta(days=1))
    today = date(2026, 4, 12)
    with store.read() as session:
        found = query_views.counts(session, STUDY, today)
        rows = query_views.list_queries(session, STUDY, today)
        older = query_views.list_queries(
            session, STUDY, today, query_views.QueryFilter(min_age_days=10)
        )
        answered = query_views.list_queries(
            session, STUDY, today, query_views.QueryFilter(state=QueryState.ANSWERED)
        )
        of_a = query_views.list_queries(
            session, STUDY, today, query_views.QueryFilter(enrolment_id=a)
        )
    assert (found.site.open, found.site.answered, found.site.oldest_open_days) == (2, 1, 10)
    assert (found.by_participant[a].open, found.by_participant[a].oldest_open_days) == (2, 10)
    assert (found.by_participant[b].open, found.by_participant[b].answered) == (0, 1)
    assert found.by_participant[b].oldest_open_days is None
    assert [r.age_days for r in rows] == [10, 10, 7]
    assert {r.id for r in older} == {q1.id, q3.id}
    assert [r.id for r in answered] == [q3.id]
    assert len(of_a) == 2


def _check_query(store: Store, check: str) -> list[DataQuery]:
    return [q for q in check_queries(store) if q.check_id == check]


SWAP = "esr_looks_like_crp"  # a warning on items [esr, crp]; the form has crp first
WEIGHT = "weight_changed_since_baseline"  # reads this visit's weight and day 1's


def test_a_check_on_several_items_raises_one_query_naming_the_others(
    store: Store, pid: int
) -> None:
    saved = save(store, pid, "acute_phase", {"crp": "150", "esr": 1}, visit="W4")
    flagged = {i for i, fs in saved.flags.items() for f in fs if f.get("check") == SWAP}
    assert flagged == {"esr", "crp"}  # the check flags both items ...
    (q,) = _check_query(store, SWAP)  # ... and asks once
    assert {q.item, *q.datum["others"]} == {"esr", "crp"}
    assert asked(q) == {"value": saved.values[q.item],
                       "others": {o: saved.values[o] for o in q.datum["others"]}}  # fmt: skip
    with store.read() as session:
        badges = query_views.form_badges(session, pid, "W4", "acute_phase")
        view = query_views.query_view(session, STUDY, q.id, W4)
    assert [b.id for b in badges["crp"]] == [b.id for b in badges["esr"]] == [q.id]
    assert view.others == tuple(q.datum["others"]) and view.now == asked(q)
    save(store, pid, "acute_phase", {"crp": "160", "esr": 1}, visit="W4",
         version=saved.version, reason="re-read")  # fmt: skip
    assert len(_check_query(store, SWAP)) == 1  # still asked: one live query for the check


def _raise(
    store: Store, pid: int, check: str, items: dict[str, Any], seen: CheckSeen,
    form: str = "vital_signs",
) -> list[DataQuery]:  # fmt: skip
    with store.transaction() as session:
        return raise_from_checks(
            session, study_id=STUDY.id, enrolment_id=pid, visit_key="W4", form_id=form,
            row=1, flags={i: [{"kind": "check", "check": check}] for i in items},
            values=items, messages={check: "?"}, actor="coord", now=ASKED, seen={check: seen},
        )  # fmt: skip


def test_the_query_of_a_check_is_on_the_first_item_it_declares(store: Store, pid: int) -> None:
    values = {"crp": "150", "esr": 1}  # the form's order
    (q,) = _raise(store, pid, SWAP, values, CheckSeen(("esr", "crp")), form="acute_phase")
    assert (q.item, q.datum) == ("esr", {"value": 1, "others": {"crp": "150"}, "reads": []})
    again = _raise(store, pid, SWAP, values, CheckSeen(("crp", "esr")), form="acute_phase")
    assert again == []  # asked already, on another of its items


def test_a_check_asks_again_when_another_visit_s_value_it_reads_changed(
    store: Store, pid: int
) -> None:
    """A closed query is the same question only while everything its check reads holds
    the same: the day-1 weight corrected makes the week-4 weight's question a new one."""
    d1 = save(store, pid, "vital_signs", {"weight": "70"}, visit="D1", complete=False)
    save(store, pid, "vital_signs", {"weight": "80"}, visit="W4", complete=False)
    (q,) = _check_query(store, WEIGHT)
    assert q.item == "weight" and asked(q) == {"value": "80"}
    act(store, "close_query", q, Role.MONITOR, text="Gained weight.")
    q, _ = fresh(store, q.id)
    read_at = {(r["resource"].split("/")[2], r["value"]) for r in q.closed_datum["reads"]}
    assert read_at == {("W4", 80.0), ("D1", 70.0)}  # both visits' weights, as closed

    def seen_now() -> CheckSeen:
        with store.read() as session:
            reads = queries.check_reads(session, STUDY, q)
        assert reads is not None
        return CheckSeen(("weight",), tuple(reads))

    assert _raise(store, pid, WEIGHT, {"weight": "80"}, seen_now()) == []  # the same question
    save(store, pid, "vital_signs", {"weight": "60"}, visit="D1", complete=False,
         version=d1.version, reason="scale misread")  # fmt: skip
    (again,) = _raise(store, pid, WEIGHT, {"weight": "80"}, seen_now())
    assert again.id != q.id and again.datum["value"] == "80"
    assert ("D1", 60.0) in {(r["resource"].split("/")[2], r["value"]) for r in again.datum["reads"]}


# Edit-check queries raised by real form saves carry what the check read (every value,
# other visits' too): asked again when the baseline read changes, not when the same data
# are saved again; a multi-item check's query sits on the first item the check names.


def test_a_cross_visit_check_is_asked_again_when_its_baseline_changes(
    store: Store, pid: int
) -> None:
    d1 = save(store, pid, "vital_signs", {"weight": "70"}, visit="D1", complete=False)
    w4 = save(store, pid, "vital_signs", {"weight": "80"}, visit="W4", complete=False)
    (q,) = _check_query(store, WEIGHT)
    assert {r["resource"].split("/")[2] for r in q.datum["reads"]} == {"D1", "W4"}
    act(store, "close_query", q, Role.MONITOR, text="ok")
    q, _ = fresh(store, q.id)
    assert q.closed_datum["reads"] == q.datum["reads"]  # close-time reads = save-time reads
    w4 = save(
        store, pid, "vital_signs", {"weight": "80"}, visit="W4", complete=False,
        version=w4.version,
    )  # fmt: skip
    assert len(_check_query(store, WEIGHT)) == 1  # the same question: not asked again
    save(
        store, pid, "vital_signs", {"weight": "60"}, visit="D1", complete=False,
        version=d1.version, reason="corrected from the source",
    )  # fmt: skip
    save(
        store, pid, "vital_signs", {"weight": "80"}, visit="W4", complete=False,
        version=w4.version,
    )  # fmt: skip
    assert len(_check_query(store, WEIGHT)) == 2  # day 1's weight changed: asked anew


def test_a_multi_item_check_asks_on_its_first_named_item(store: Store, pid: int) -> None:
    save(store, pid, "acute_phase", {"crp": "150", "esr": 1}, visit="W4")
    (s,) = _check_query(store, SWAP)
    assert s.item == "esr" and s.datum["others"] == {"crp": "150"}
