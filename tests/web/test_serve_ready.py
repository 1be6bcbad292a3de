"""`trialdesk serve` says it is ready, and prints the setup link, only once the port
answers (walkthrough D18: the banner came about 7 s before /healthz answered)."""

from __future__ import annotations

import http.server
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from trialdesk.errors import InputError
from trialdesk.web.serve_ready import ReadyWatch, probe_host, refuse_busy_port


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _lines(proc: subprocess.Popen[str]) -> Iterator[str]:
    """Its output line by line as it comes (breaking off leaves the pipe open)."""
    assert proc.stdout is not None
    while line := proc.stdout.readline():
        yield line


def test_ready_is_printed_only_when_the_port_answers(tmp_path: Path) -> None:
    port = _free_port()
    exe = Path(sys.executable).with_name("trialdesk")
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--database-url",
         f"sqlite:///{tmp_path / 'ready.db'}"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    seen: list[str] = []
    try:
        for line in _lines(proc):
            seen.append(line)
            if "trialdesk ready at" in line:
                # the very moment the line is read, the server answers: no retry, no wait
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                assert answer.status_code == 200
                break
        else:
            pytest.fail("serve ended without saying it was ready:\n" + "".join(seen))
        link_line = next(line for line in _lines(proc) if "/setup/" in line)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    text = "".join(seen)
    starting = text.index(f"starting on http://127.0.0.1:{port}")
    assert starting < text.index("trialdesk ready at")
    assert "/setup/" not in text  # the link only after "ready": opened at once, it works
    assert f"http://127.0.0.1:{port}/setup/" in link_line


def test_a_port_in_use_stops_the_start_naming_it(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        exe = Path(sys.executable).with_name("trialdesk")
        done = subprocess.run(
            [str(exe), "serve", "--port", str(port), "--database-url",
             f"sqlite:///{tmp_path / 'busy.db'}"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 2
    assert f"port {port}" in done.stderr and "already in use" in done.stderr
    assert not (tmp_path / "busy.db").exists()  # refused before the store was touched


def test_refuse_busy_port_lets_a_free_port_pass() -> None:
    refuse_busy_port("127.0.0.1", _free_port())
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        with pytest.raises(InputError) as refused:
            refuse_busy_port("127.0.0.1", holder.getsockname()[1])
    assert refused.value.field == "--port"


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        self.send_response(200 if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def test_the_watch_fires_once_when_healthz_answers() -> None:
    port = _free_port()
    calls: list[int] = []
    watch = ReadyWatch("127.0.0.1", port, lambda: calls.append(port), every=0.05).start()
    try:
        assert not watch.ready.is_set()  # nothing listens: refused, not ready
        server = http.server.HTTPServer(("127.0.0.1", port), _Health)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            assert watch.ready.wait(timeout=30)
        finally:
            server.shutdown()
            server.server_close()
    finally:
        watch.stop()
    assert calls == [port]


def test_a_socket_that_listens_but_does_not_answer_is_not_ready() -> None:
    """A port accepted into the backlog (a worker still warming up) is no answer."""
    with socket.socket() as mute:
        mute.bind(("127.0.0.1", 0))
        mute.listen(8)
        port = mute.getsockname()[1]
        answered = ReadyWatch("127.0.0.1", port, lambda: None)._answers()
    assert answered is False


@pytest.mark.parametrize(
    ("host", "probe"),
    [("0.0.0.0", "127.0.0.1"), ("::", "::1"), ("127.0.0.1", "127.0.0.1"), ("10.1.2.3", "10.1.2.3")],
)
def test_a_wildcard_host_is_asked_on_loopback(host: str, probe: str) -> None:
    assert probe_host(host) == probe
