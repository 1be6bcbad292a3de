"""The notifications page and its API: an SAE recorded from the safety page writes its
alerts; the page shows each with its recipient and delivery state (pending, undelivered
with no SMTP server, retrying with its next attempt and error, sent) in English and
Chinese; the API gives the same to the same readers. `trialdesk notify run --once` and
`trialdesk serve` deliver over a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from trial.conduct_helpers import enrolled, inject
from trial.notify_helpers import free_port, settings_for, smtp_server
from trial.test_safety_helpers import EVENT, record
from trialdesk.trial.notify.worker import NOT_CONFIGURED, Worker
from trialdesk.trial.store.db import Store, open_store
from trialdesk.web.rooms.notifications.words import ZH
from webclient import client_as, csrf_token

SMTP_ENV = ("HOST", "PORT", "SENDER", "TLS", "USER", "PASSWORD")


@pytest.fixture(autouse=True)
def no_smtp(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page reads the SMTP settings from the environment: none unless a test sets them."""
    for name in SMTP_ENV:
        monkeypatch.delenv(f"TRIALDESK_SMTP_{name}", raising=False)


@pytest.fixture
def participant(store: Store) -> int:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    return pid


def _record_sae(app: FastAPI, pid: int) -> None:
    """An SAE recorded from the safety page, as a coordinator does."""
    client = client_as(app, "coordinator")
    page = f"/staff/participants/{pid}/adverse-events"
    form = {**EVENT, "grade": "3", "seriousness": ["hospitalisation"]}
    data = {k: v for k, v in form.items() if v not in ((), None)}
    done = client.post(page, data={**data, "csrf_token": csrf_token(client, page)})
    assert done.status_code == 303, done.text


def _states(html: str) -> list[str]:
    return re.findall(r'data-state="([a-z]+)"', html)


def test_the_page_follows_each_alert_from_written_to_sent(
    app: FastAPI, store: Store, participant: int
) -> None:
    _record_sae(app, participant)
    monitor = client_as(app, "monitor")  # reads safety data, changes nothing
    page = monitor.get("/staff/notifications")
    assert page.status_code == 200
    assert _states(page.text) == ["pending", "pending"]
    assert "investigator@example.org" in page.text and "safety-desk@example.org" in page.text
    assert "became serious" in page.text and 'data-smtp="not-configured"' in page.text
    assert f"/staff/participants/{participant}/adverse-events/" in page.text

    now = datetime.now(UTC)
    Worker(store, None).run_once(now)  # no server configured: kept, shown
    page = monitor.get("/staff/notifications")
    assert _states(page.text) == ["undelivered", "undelivered"]
    assert "undelivered: SMTP not configured" in page.text

    Worker(store, settings_for(free_port())).run_once(now)  # nothing listens there
    page = monitor.get("/staff/notifications")
    assert _states(page.text) == ["retrying", "retrying"]
    assert "failed, retrying" in page.text and "next attempt" in page.text
    assert "ConnectionRefusedError" in page.text
    api = monitor.get("/api/notifications").json()
    assert api["smtp"] == {"configured": False, "server": None, "problem": None}
    first = api["messages"][0]
    assert first["state"] == "retrying" and first["attempts"] == 1
    assert "ConnectionRefusedError" in first["last_error"]
    assert first["state_text"] == {"en": "failed, retrying", "zh-CN": ZH["retrying"]}
    assert first["reason_text"]["zh-CN"] == ZH["became_serious"]
    assert datetime.fromisoformat(first["next_attempt_at"]) > now
    assert {m["recipient_role"] for m in api["messages"]} == {"investigator", "safety_contact"}

    with smtp_server() as (inbox, settings):
        Worker(store, settings).run_once(now + timedelta(minutes=1))
    assert len(inbox.received) == 2
    page = monitor.get("/staff/notifications")
    assert _states(page.text) == ["sent", "sent"]
    assert NOT_CONFIGURED not in page.text  # the error of a sent message is not shown
    sent = monitor.get("/api/notifications").json()["messages"]
    assert {m["state"] for m in sent} == {"sent"} and all(m["sent_at"] for m in sent)
    assert {m["message_id"] for m in sent} == {r.message["Message-ID"] for r in inbox.received}


def test_the_page_in_chinese_and_the_smtp_server_shown(
    app: FastAPI, participant: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    _record_sae(app, participant)
    monkeypatch.setenv("TRIALDESK_SMTP_HOST", "mail.site.example")
    monkeypatch.setenv("TRIALDESK_SMTP_SENDER", "trialdesk@site.example")
    monkeypatch.setenv("TRIALDESK_SMTP_PASSWORD", "never shown")
    monkeypatch.setenv("TRIALDESK_SMTP_USER", "td")
    investigator = client_as(app, "investigator")
    page = investigator.get("/staff/notifications?lang=zh-CN")
    assert page.status_code == 200
    for word in ("Notifications", "pending", "became_serious", "investigator", "SMTP server"):
        assert ZH[word] in page.text
    assert "mail.site.example:587 (starttls), from trialdesk@site.example" in page.text
    assert "never shown" not in page.text
    api = investigator.get("/api/notifications").json()
    assert api["smtp"]["configured"] and "never shown" not in str(api)
    monkeypatch.setenv("TRIALDESK_SMTP_PORT", "nope")
    wrong = investigator.get("/api/notifications").json()["smtp"]
    assert not wrong["configured"] and "TRIALDESK_SMTP_PORT" in wrong["problem"]


def test_who_may_read_the_notifications(app: FastAPI, participant: int) -> None:
    _record_sae(app, participant)
    for role, status in (("admin", 403), ("coordinator", 200), ("monitor", 200)):
        client = client_as(app, role)
        assert client.get("/staff/notifications").status_code == status, role
        assert client.get("/api/notifications").status_code == status, role
    anonymous = client_as(app, None)
    assert anonymous.get("/api/notifications").status_code == 401
    assert client_as(app, "monitor").get("/api/notifications?study=NCT00000000").status_code == 404
    none_yet = client_as(app, "monitor").get("/api/notifications?study=NCT06947746").json()
    assert len(none_yet["messages"]) == 2


def _db(tmp_path: Path) -> tuple[str, int]:
    """A SQLite store with an enrolled participant's SAE: two alerts waiting."""
    url = f"sqlite:///{tmp_path / 'trialdesk.db'}"
    store = open_store(url)
    try:
        _, (pid,) = enrolled(store)
        inject(store, pid)
        record(store, pid, seriousness=("hospitalisation",), grade=3)
    finally:
        store.close()
    return url, pid


def _env(port: int) -> dict[str, str]:
    return {
        **os.environ,
        "TRIALDESK_SMTP_HOST": "127.0.0.1",
        "TRIALDESK_SMTP_PORT": str(port),
        "TRIALDESK_SMTP_TLS": "none",
        "TRIALDESK_SMTP_SENDER": "trialdesk@site.example",
    }


def _trialdesk(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("trialdesk")
    return subprocess.run(
        [str(exe), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_notify_run_once_delivers_from_the_command_line(tmp_path: Path) -> None:
    url, _ = _db(tmp_path)
    with smtp_server() as (inbox, settings):
        done = _trialdesk("notify", "run", "--once", "--database-url", url, env=_env(settings.port))
        assert done.returncode == 0, done.stderr
        assert "sent 2, failed 0" in done.stdout
        again = _trialdesk(
            "notify", "run", "--once", "--database-url", url, env=_env(settings.port)
        )
        assert "sent 0" in again.stdout  # exactly once
    assert len(inbox.received) == 2
    bad = _trialdesk(
        "notify", "run", "--once", "--database-url", url,
        env={**_env(1), "TRIALDESK_SMTP_TLS": "ssl"},
    )  # fmt: skip
    assert bad.returncode == 2 and "TRIALDESK_SMTP_TLS" in bad.stderr


def test_serve_runs_the_worker(tmp_path: Path) -> None:
    url, _ = _db(tmp_path)
    port = free_port()
    log = tmp_path / "serve.log"
    with smtp_server() as (inbox, settings):
        exe = Path(sys.executable).with_name("trialdesk")
        proc = subprocess.Popen(
            [str(exe), "serve", "--port", str(port), "--database-url", url],
            env=_env(settings.port),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        try:
            deadline, up = time.monotonic() + 60, 0
            while (len(inbox.received) < 2 or up != 200) and time.monotonic() < deadline:
                try:
                    up = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code
                except httpx.TransportError:
                    time.sleep(0.2)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    output = log.read_text()
    assert len(inbox.received) == 2, output
    assert up == 200
    assert f"safety alerts by e-mail: 127.0.0.1:{settings.port} (none)" in output
