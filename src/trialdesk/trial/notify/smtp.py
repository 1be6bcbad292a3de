"""The SMTP server alerts are sent through, from the environment (docs/web.md), and one
message handed to it with the standard library's smtplib.

``TRIALDESK_SMTP_HOST`` unset means no server: messages wait, shown as undelivered, until
one is configured. Bad settings are refused all at once, each at its variable.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from enum import StrEnum

from trialdesk.errors import FieldErrors, InputError, TrialdeskError

__all__ = [
    "ENV",
    "SMTP_TIMEOUT",
    "SmtpSettings",
    "Tls",
    "build_message",
    "deliver",
    "smtp_settings",
]

ENV = {
    "host": "TRIALDESK_SMTP_HOST",
    "port": "TRIALDESK_SMTP_PORT",
    "sender": "TRIALDESK_SMTP_SENDER",
    "tls": "TRIALDESK_SMTP_TLS",
    "user": "TRIALDESK_SMTP_USER",
    "password": "TRIALDESK_SMTP_PASSWORD",
}
# Seconds for each network operation: well inside the worker's claim lease (worker.py),
# so a claim never expires while its message is still being handed over.
SMTP_TIMEOUT = 30.0


class Tls(StrEnum):
    NONE = "none"  # plain SMTP: a relay on the same host or network only
    STARTTLS = "starttls"  # RFC 3207, submission port 587
    TLS = "tls"  # implicit TLS, RFC 8314 submissions port 465


_DEFAULT_PORTS = {Tls.NONE: 25, Tls.STARTTLS: 587, Tls.TLS: 465}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    tls: Tls = Tls.STARTTLS
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    def describe(self) -> str:
        """Where mail goes, for the notifications page (never the password)."""
        login = f", as {self.user}" if self.user else ""
        return f"{self.host}:{self.port} ({self.tls.value}{login}), from {self.sender}"


def smtp_settings(environ: Mapping[str, str]) -> SmtpSettings | None:
    """The server the environment names, or None when ``TRIALDESK_SMTP_HOST`` is unset.

    Raises:
        FieldErrors: every bad setting at once, each named by its variable.
    """
    given = {key: environ.get(name, "").strip() for key, name in ENV.items()}
    if not given["host"]:
        return None
    errors: list[TrialdeskError] = []
    tls = Tls.STARTTLS
    if given["tls"]:
        try:
            tls = Tls(given["tls"].lower())
        except ValueError:
            errors.append(
                InputError(
                    f"{ENV['tls']} must be one of none, starttls, tls (not '{given['tls']}')",
                    field=ENV["tls"],
                )
            )
    port = _DEFAULT_PORTS[tls]
    if given["port"]:
        if given["port"].isdigit() and 1 <= int(given["port"]) <= 65535:
            port = int(given["port"])
        else:
            errors.append(
                InputError(
                    f"{ENV['port']} must be a port number from 1 to 65535", field=ENV["port"]
                )
            )
    sender = given["sender"]
    if "@" not in sender:
        errors.append(
            InputError(
                f"{ENV['sender']} must be the From address of the alerts (it is "
                f"{'unset' if not sender else repr(sender)})",
                field=ENV["sender"],
            )
        )
    if bool(given["user"]) != bool(given["password"]):
        errors.append(
            InputError(
                f"{ENV['user']} and {ENV['password']} are given together or not at all",
                field=ENV["password"] if given["user"] else ENV["user"],
            )
        )
    if errors:
        raise FieldErrors(errors, resource="SMTP settings")
    return SmtpSettings(
        given["host"], port, sender, tls, given["user"] or None, given["password"] or None
    )


def build_message(
    settings: SmtpSettings, *, recipient: str, subject: str, body: str, message_id: str
) -> EmailMessage:
    """The e-mail, with the message's own Message-ID on every attempt (RFC 5322 3.6.4)."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = formatdate(usegmt=True)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies
    message.set_content(body)  # UTF-8: English and Chinese in one body
    return message


def deliver(settings: SmtpSettings, message: EmailMessage) -> None:
    """Hand one message to the server; returns once it has accepted it for every
    recipient, raises (smtplib.SMTPException, OSError) otherwise."""
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if settings.tls is Tls.TLS:
        client = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=SMTP_TIMEOUT, context=context
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT)
    try:
        client.ehlo()
        if settings.tls is Tls.STARTTLS:
            client.starttls(context=context)
            client.ehlo()
        if settings.user and settings.password:
            client.login(settings.user, settings.password)
        refused = client.send_message(message)
        if refused:  # some recipients refused: not delivered to them
            raise smtplib.SMTPRecipientsRefused(refused)
    except BaseException:
        client.close()
        raise
    try:  # accepted: a failed goodbye must not make it count as undelivered (sent twice)
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()
