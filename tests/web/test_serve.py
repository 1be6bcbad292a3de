"""`trialdesk serve` end to end: first start migrates the store and prints a one-time
setup link; the link creates the first admin once; a second start prints none."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

LINK = re.compile(r"http://127\.0\.0\.1:\d+/setup/[\w-]+")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(db: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).with_name("trialdesk")
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--database-url", f"sqlite:///{db}"],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    pytest.fail(f"serve did not start: {log.read_text()}")


def test_first_start_prints_a_setup_link_that_works_once(tmp_path: Path) -> None:
    db, port = tmp_path / "trialdesk.db", _free_port()
    proc = _serve(db, port, tmp_path / "first.log")
    try:
        output = (tmp_path / "first.log").read_text()
        found = LINK.search(output)
        assert found, output
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as browser:
            form = browser.get(found.group(0)).text
            token = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert token
            done = browser.post(
                found.group(0),
                data={
                    "username": "root-admin",
                    "password": "a long admin passphrase",
                    "password_again": "a long admin passphrase",
                    "csrf_token": token.group(1),
                },
            )
            assert done.status_code == 303 and done.headers["location"].startswith("/login")
            again = browser.post(
                found.group(0),
                data={
                    "username": "second-admin",
                    "password": "a long admin passphrase",
                    "password_again": "a long admin passphrase",
                    "csrf_token": token.group(1),
                },
            )
            assert again.status_code == 422  # the link worked once
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    proc = _serve(db, port, tmp_path / "second.log")
    try:
        assert not LINK.search((tmp_path / "second.log").read_text())
        assert "default password" not in (tmp_path / "second.log").read_text().lower()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
