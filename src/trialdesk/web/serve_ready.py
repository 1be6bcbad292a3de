"""Saying "ready" only when the server answers (walkthrough D18).

``trialdesk serve`` used to print its address and the setup link seconds before the port
accepted connections (the worker imports, warms up, then binds): a link opened at once
failed. :class:`ReadyWatch` asks ``/healthz`` from a thread until it answers 200, then
runs its callback once; with several workers the first that answers is enough (they
share the socket). Before starting, :func:`refuse_busy_port` stops a start on a port
another server holds, so the watch cannot mistake that server's answer for ours.
"""

from __future__ import annotations

import errno
import http.client
import socket
import threading
from collections.abc import Callable

from trialdesk.errors import InputError

__all__ = ["ReadyWatch", "probe_host", "refuse_busy_port"]

ANY_V4, ANY_V6 = ("0.0.0.0", ""), ("::",)


def probe_host(host: str) -> str:
    """Where to ask: a wildcard address listens on loopback too."""
    if host in ANY_V4:
        return "127.0.0.1"
    if host in ANY_V6:
        return "::1"
    return host


def refuse_busy_port(host: str, port: int) -> None:
    """An InputError naming ``--port`` when something already listens there."""
    family = socket.AF_INET6 if ":" in probe_host(host) else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # as uvicorn binds: a port left in TIME_WAIT by the last run is free
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise InputError(
                    f"cannot listen on {host}:{port}: {error.strerror}", field="--port"
                ) from None
            raise InputError(
                f"port {port} on {host} is already in use (another trialdesk serve?): "
                "stop it or choose another --port",
                field="--port",
            ) from None


class ReadyWatch:
    """A daemon thread that calls ``on_ready`` once ``GET /healthz`` answers 200."""

    def __init__(
        self, host: str, port: int, on_ready: Callable[[], None], every: float = 0.1
    ) -> None:
        self.host, self.port = probe_host(host), port
        self.on_ready = on_ready
        self.every = every
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="trialdesk-ready", daemon=True)

    def start(self) -> ReadyWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _answers(self) -> bool:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            return conn.getresponse().status == 200
        except (OSError, http.client.HTTPException):  # refused, reset, cut off: not yet
            return False
        finally:
            conn.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._answers():
                self.ready.set()
                self.on_ready()
                return
            self._stop.wait(self.every)
