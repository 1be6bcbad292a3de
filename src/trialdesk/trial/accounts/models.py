"""The accounts wing's tables: staff users, their browser sessions, the first-admin link,
and the electronic signatures they give."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String
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
