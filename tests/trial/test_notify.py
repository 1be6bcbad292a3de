"""The serious adverse event alert outbox against a real SMTP server (aiosmtpd): an SAE
writes one message per recipient with the event, in its transaction; the worker delivers
each exactly once across restarts, retries an unreachable server with back-off, keeps
messages visibly undelivered with no server configured; every state change audited.
Every test runs on SQLite and PostgreSQL (tests/conftest.py)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from trialdesk.errors import FieldErrors, StoreError
from trialdesk.trial.notify import worker as worker_module
from trialdesk.trial.notify.alerts import REPORT_WITHIN
from trialdesk.trial.notify.models import OutboxMessage, State
from trialdesk.trial.notify.smtp import SmtpSettings, Tls, smtp_settings
from trialdesk.trial.notify.worker import CLAIM_LEASE, NOT_CONFIGURED, Worker, backoff
from trialdesk.trial.safety import stopping
from trialdesk.trial.safety.models import AdverseEvent
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store, open_store

from .conduct_helpers import enrolled, inject
from .helpers import audit_rows
from .notify_helpers import SENDER, free_port, settings_for, smtp_server
from .test_safety_helpers import WHEN, record, update, written

INVESTIGATOR = "investigator@example.org"  # the bundled study's safety.yaml
CONTACT = "safety-desk@example.org"
SITE = ZoneInfo("Asia/Shanghai")  # the bundled study's site (its schedule's time zone)
SAE: dict[str, Any] = {"seriousness": ("hospitalisation",), "grade": 3}


@pytest.fixture
def injected(store: Store) -> int:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    return pid


def outbox(store: Store) -> list[OutboxMessage]:
    with store.read() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def entries_of(store: Store, message: OutboxMessage) -> list[tuple[str, str | None]]:
    return [
        (r.action, r.reason)
        for r in audit_rows(store)
        if r.entity == "outbox_message" and r.entity_id == str(message.id)
    ]


def test_an_sae_sends_one_message_per_recipient_in_both_languages(
    store: Store, injected: int
) -> None:
    record(store, injected)  # not serious: no alert
    assert outbox(store) == []
    event = record(store, injected, **SAE).event
    assert event.serious_since == WHEN  # the 24-hour clock starts with the write
    messages = outbox(store)
    assert [(m.recipient_role, m.recipient, m.state) for m in messages] == [
        ("investigator", INVESTIGATOR, "pending"),
        ("safety_contact", CONTACT, "pending"),
    ]
    assert {m.adverse_event_id for m in messages} == {event.id}
    assert {m.reason for m in messages} == {"became_serious"}

    with smtp_server() as (inbox, settings):
        done = Worker(store, settings).run_once(WHEN)
        assert (done.sent, done.failed) == (2, 0)
        assert Worker(store, settings).run_once(WHEN + timedelta(hours=1)).sent == 0  # once
    assert [r.recipients for r in inbox.received] == [[INVESTIGATOR], [CONTACT]]
    (mail,) = inbox.to(INVESTIGATOR)
    sent = outbox(store)
    assert mail["Message-ID"] == sent[0].message_id  # the stored one: receivers dedupe by it
    assert mail["From"] == SENDER and mail["Auto-Submitted"] == "auto-generated"
    body = mail.get_content()
    subject_number = mail["Subject"].split("participant ")[1].split(",")[0]
    assert f"Participant: {subject_number}" in body and f"受试者：{subject_number}" in body
    assert "Joint effusion, grade 3" in body and "3 级" in body
    assert "Requires or prolongs hospitalisation" in body and "需要住院治疗或者延长住院时间" in body
    due = (WHEN + REPORT_WITHIN).astimezone(SITE).strftime("%Y-%m-%d %H:%M")
    assert f"Initial report due by: {due} (Asia/Shanghai)" in body
    assert "painful swollen" not in body  # the verbatim term (free text) is never sent
    assert "严重不良事件" in mail["Subject"] and "Serious adverse event" in mail["Subject"]
    assert all(m.state == "sent" and m.attempts == 1 and m.sent_at == WHEN for m in sent)
    assert [a for a, _ in entries_of(store, sent[0])] == ["create", "update", "update"]
    assert entries_of(store, sent[0])[2][1] == "accepted by the SMTP server"
    with store.read() as session:
        assert audit.verify(session).ok


def test_which_corrections_alert_and_the_clock_is_set_once(store: Store, injected: int) -> None:
    event = record(store, injected).event
    event = update(store, injected, event, now=WHEN + timedelta(hours=2), **SAE).event
    since = WHEN + timedelta(hours=2)
    assert event.serious_since == since
    event = update(store, injected, event, verbatim="knee swelling", **SAE).event  # no alert
    event = update(store, injected, event, now=WHEN + timedelta(hours=3),
                   **{**SAE, "grade": 2}).event  # fmt: skip
    event = update(store, injected, event, now=WHEN + timedelta(hours=4)).event  # unticked
    assert not event.serious and event.serious_since == since  # kept: the clock ignores it
    event = update(store, injected, event, now=WHEN + timedelta(hours=5), **SAE).event
    # serious again with no initial report submitted: the site knows of it from now, and a
    # clock from the first episode would be overdue from the start
    assert event.serious_since == WHEN + timedelta(hours=5)
    reasons = [m.reason for m in outbox(store)]
    assert reasons == [
        "became_serious", "became_serious",
        "seriousness_changed", "seriousness_changed",
        "no_longer_serious", "no_longer_serious",
        "became_serious", "became_serious",
    ]  # fmt: skip
    with smtp_server() as (inbox, settings):
        assert Worker(store, settings).run_once(WHEN + timedelta(hours=6)).sent == 8
    assert len(inbox.received) == 8
    assert "no longer serious" in inbox.received[4].message["Subject"]


def test_a_restart_between_commit_and_delivery_still_sends_exactly_once(
    db_url: str, store: Store, injected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(store, injected, **SAE)  # committed; the server stops before any delivery
    store.close()
    with smtp_server() as (inbox, settings):
        restarted = open_store(db_url, migrate=False)  # a new process on the same store
        try:
            assert Worker(restarted, settings).run_once(WHEN).sent == 2
            again = open_store(db_url, migrate=False)
            try:
                assert Worker(again, settings).run_once(WHEN + CLAIM_LEASE * 2).sent == 0
            finally:
                again.close()
        finally:
            restarted.close()
    assert sorted(r.recipients[0] for r in inbox.received) == [INVESTIGATOR, CONTACT]


def test_a_worker_dying_after_its_claim_is_replaced_once_the_lease_runs_out(
    db_url: str, store: Store, injected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(store, injected, **SAE)

    def dies(*_: object) -> None:
        raise KeyboardInterrupt  # the process stops between the claim and the send

    with smtp_server() as (inbox, settings):
        with monkeypatch.context() as patched:
            patched.setattr(worker_module, "deliver", dies)
            with pytest.raises(KeyboardInterrupt):
                Worker(store, settings, name="first").run_once(WHEN)
        claimed = outbox(store)[0]
        assert (claimed.state, claimed.claimed_by, claimed.attempts) == ("sending", "first", 1)
        restarted = open_store(db_url, migrate=False)
        try:
            later = Worker(restarted, settings, name="second")
            # within the lease the first may still be sending: only the other is sent
            assert later.run_once(WHEN + timedelta(seconds=30)).sent == 1
            assert later.run_once(WHEN + CLAIM_LEASE).sent == 1
            assert later.run_once(WHEN + CLAIM_LEASE * 3).sent == 0
        finally:
            restarted.close()
    assert sorted(r.recipients[0] for r in inbox.received) == [INVESTIGATOR, CONTACT]
    first = outbox(store)[0]
    assert (first.state, first.attempts) == ("sent", 2)
    reasons = [why for _, why in entries_of(store, first)]
    assert "claimed again: the claim of first ran out" in reasons


def test_an_unreachable_server_is_retried_with_back_off_and_shown_pending(
    store: Store, injected: int
) -> None:
    record(store, injected, **SAE)
    port = free_port()  # nothing listens: connection refused
    worker = Worker(store, settings_for(port))
    assert worker.run_once(WHEN).failed == 2
    first = outbox(store)[0]
    assert (first.state, first.attempts) == ("pending", 1)
    assert first.last_error is not None and "ConnectionRefusedError" in first.last_error
    assert first.next_attempt_at == WHEN + timedelta(minutes=1)
    assert worker.run_once(WHEN + timedelta(seconds=59)).failed == 0  # not yet due
    assert worker.run_once(WHEN + timedelta(minutes=1)).failed == 2
    second = outbox(store)[0]
    assert second.attempts == 2 and second.next_attempt_at == WHEN + timedelta(minutes=3)
    assert [backoff(n) for n in (1, 2, 3, 7, 20)] == [
        timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4),
        timedelta(hours=1), timedelta(hours=1),
    ]  # fmt: skip
    with smtp_server(port) as (inbox, _):  # the server is back on the same port
        assert worker.run_once(WHEN + timedelta(minutes=3)).sent == 2
    assert len(inbox.received) == 2
    done = outbox(store)[0]
    assert (done.state, done.attempts, done.last_error) == ("sent", 3, None)
    actions = [why for _, why in entries_of(store, done)]
    assert actions.count("attempt 1 failed") == 1 and actions.count("attempt 2 failed") == 1


def test_with_no_smtp_server_configured_messages_stay_undelivered_and_shown(
    store: Store, injected: int
) -> None:
    record(store, injected, **SAE)
    assert Worker(store, None).run_once(WHEN).undelivered == 2
    assert Worker(store, None).run_once(WHEN).undelivered == 0  # audited once
    messages = outbox(store)
    assert {(m.state, m.last_error, m.attempts) for m in messages} == {
        ("undelivered", NOT_CONFIGURED, 0)
    }
    assert entries_of(store, messages[0])[-1] == ("update", NOT_CONFIGURED)
    with smtp_server() as (inbox, settings):  # configured later: sent then
        assert Worker(store, settings).run_once(WHEN + timedelta(days=1)).sent == 2
    assert len(inbox.received) == 2


def test_the_alert_is_rolled_back_with_the_event_nothing_half_way(
    store: Store, injected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = written(store)

    def breaks(*_: object, **__: object) -> None:
        raise StoreError("the store failed after the alert was written")

    monkeypatch.setattr(stopping, "evaluate", breaks)  # runs after the outbox write
    with pytest.raises(StoreError):
        record(store, injected, **SAE)
    assert written(store) == before and outbox(store) == []
    with pytest.raises(FieldErrors):  # a refused event writes no alert either
        record(store, injected, grade=9, seriousness=("death",))
    assert outbox(store) == []
    with store.read() as session:
        assert session.scalars(select(AdverseEvent)).all() == []
        assert audit.verify(session).ok


def test_two_workers_at_once_send_each_message_once(
    db_url: str, store: Store, injected: int
) -> None:
    """The claim: two deliverers on one store, each with its own connection pool, racing."""
    for _ in range(3):
        record(store, injected, **SAE)  # six messages
    with smtp_server() as (inbox, settings):
        stores = [open_store(db_url, migrate=False) for _ in range(2)]
        sent: list[int] = []
        try:
            start = threading.Barrier(2)

            def run(s: Store) -> None:
                start.wait()
                sent.append(Worker(s, settings).run_once(WHEN).sent)

            threads = [threading.Thread(target=run, args=(s,)) for s in stores]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
        finally:
            for s in stores:
                s.close()
        deadline = time.monotonic() + 5
        while len(inbox.received) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert sum(sent) == 6 and len(inbox.received) == 6
    ids = [r.message["Message-ID"] for r in inbox.received]
    assert len(set(ids)) == 6
    assert {m.state for m in outbox(store)} == {State.SENT.value}


def test_smtp_settings_come_from_the_environment_every_problem_at_once() -> None:
    assert smtp_settings({}) is None  # no host: not configured
    assert smtp_settings({"TRIALDESK_SMTP_HOST": "mail.site", "TRIALDESK_SMTP_SENDER": "a@b.c"}) \
        == SmtpSettings("mail.site", 587, "a@b.c", Tls.STARTTLS)  # fmt: skip
    tls = smtp_settings(
        {"TRIALDESK_SMTP_HOST": "m", "TRIALDESK_SMTP_SENDER": "a@b.c", "TRIALDESK_SMTP_TLS": "TLS",
         "TRIALDESK_SMTP_USER": "u", "TRIALDESK_SMTP_PASSWORD": "secret"}
    )  # fmt: skip
    assert tls is not None and (tls.port, tls.tls, tls.user) == (465, Tls.TLS, "u")
    assert "secret" not in repr(tls) and "secret" not in tls.describe()
    with pytest.raises(FieldErrors) as refused:
        smtp_settings(
            {"TRIALDESK_SMTP_HOST": "m", "TRIALDESK_SMTP_PORT": "99999",
             "TRIALDESK_SMTP_TLS": "ssl", "TRIALDESK_SMTP_USER": "u"}
        )  # fmt: skip
    assert set(refused.value.by_field) == {
        "TRIALDESK_SMTP_PORT", "TRIALDESK_SMTP_TLS", "TRIALDESK_SMTP_SENDER",
        "TRIALDESK_SMTP_PASSWORD",
    }  # fmt: skip


def test_a_worker_whose_claim_ran_out_leaves_the_taker_s_claim_alone(
    store: Store, injected: int
) -> None:
    """A worker that stalled past its lease, once another has claimed the message again,
    neither marks it sent nor puts it back to pending: either would send it twice."""
    record(store, injected, **SAE)
    settings = settings_for(free_port())
    slow, other = Worker(store, settings, name="slow"), Worker(store, settings, name="other")
    mine = slow._claim(WHEN, set())
    assert mine is not None
    theirs = other._claim(WHEN + CLAIM_LEASE * 2, set())
    assert theirs is not None and theirs.id == mine.id
    slow._failed(mine.id, "connection reset", WHEN + CLAIM_LEASE * 2)
    slow._sent(mine.id, WHEN + CLAIM_LEASE * 2)
    now = next(m for m in outbox(store) if m.id == mine.id)
    assert (now.state, now.claimed_by, now.attempts) == (State.SENDING.value, "other", 2)
