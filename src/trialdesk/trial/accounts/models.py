"""The accounts wing's tables: staff users, their browser sessions, the first-admin link,
the electronic signatures they give, and their optional second factor with the sign-ins
waiting for it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store.models import Base, enum_column


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)  # always lower-case
    # the printed name a signature shows (21 CFR 11.50(a)(1)); the username until given
    full_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]
    # set by an administrator's password reset: every staff page asks for a new password
    # until the user has chosen one (issue 17 item 8; web/access.py). Deferred, and false
    # by the server's default: reads and inserts that do not need it leave it out, so the
    # services still run on a store at an older revision (tests/trial/test_migrations.py)
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, server_default=false(), deferred=True
    )

    # the server's defaults (must_change_password) are read when used, not returned by
    # every insert (which a store at an older revision cannot)
    __mapper_args__ = {"eager_defaults": False}

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, username={self.username!r}, role={self.role!r})"


class LoginSession(Base):
    """A staff browser session. Only the SHA-256 of the cookie token is stored."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class SetupToken(Base):
    """A one-time link that lets the first administrator create their account."""

    __tablename__ = "setup_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class Signature(Base):
    """An electronic signature: who signed (their printed name as it was then), what it
    means, when, and exactly what was signed: the content as JSON and its SHA-256, so a
    later change to what was signed shows and the signature lapses (signatures.py). The
    record signed points to its signature (e.g. ``judgment.signature_id``)."""

    __tablename__ = "signature"

    id: Mapped[int] = mapped_column(primary_key=True)
    signer: Mapped[str] = mapped_column(String(64))  # username
    printed_name: Mapped[str] = mapped_column(String(200))
    meaning: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))  # what was signed, in words
    content: Mapped[dict[str, Any]]
    digest: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime]


class SecondFactor(Base):
    """A user's authenticator app (TOTP, RFC 6238), from enrolment to its end.

    The shared secret is kept sealed (AES-GCM under a key derived from the store's audit
    key, which the database does not hold: secret_box.py); recovery codes only as their
    SHA-256. At most one is in use per user: confirmed and not ended. ``last_step`` is the
    time step of the last code accepted, so a code is taken once (replay refused)."""

    __tablename__ = "second_factor"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    sealed_secret: Mapped[str] = mapped_column(String(200))
    # [{"hash": SHA-256 hex, "used_at": ISO instant or null}, ...]
    recovery_codes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    last_step: Mapped[int | None] = mapped_column(Integer)
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(64))  # username, or "system"


class SignInChallenge(Base):
    """A sign-in whose password was right, waiting for the second factor's code. Only the
    SHA-256 of the browser's token is kept; it lasts minutes and is used once."""

    __tablename__ = "sign_in_challenge"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
