"""A real SMTP server for the alert outbox tests (no tests here): aiosmtpd on 127.0.0.1 at
a free port, keeping every message it accepted with its envelope."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller

from trialdesk.trial.notify.smtp import SmtpSettings, Tls

SENDER = "trialdesk@site.example"


def free_port() -> int:
    """A port nothing listens on (bound, read, released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage


class Inbox:
    """The server's handler: every message accepted, in order."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self.received.append(Received(list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.received if address in r.recipients]


def settings_for(port: int) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, sender=SENDER, tls=Tls.NONE)


@contextmanager
def smtp_server(port: int | None = None) -> Iterator[tuple[Inbox, SmtpSettings]]:
    inbox = Inbox()
    port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, settings_for(port)
    finally:
        controller.stop()
