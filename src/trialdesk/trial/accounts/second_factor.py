"""The optional second factor of a staff account: an authenticator app (TOTP, RFC 6238).

Enrolment: the user starts it (a new secret, shown once as a QR code and as text), then
confirms it with a first code from the app; only then does sign-in ask for codes, and the
ten recovery codes are shown, once. A code is accepted once (the step of the last one
accepted is kept: replay refused) within one step either side (totp.py). Turning it off
takes the password and a code (or a recovery code); an administrator can end anyone
else's, for a person who lost their phone and their recovery codes. Every change is
audited; neither the secret nor a recovery code ever reaches the trail (sealed or hashed,
and redacted there).

Rows are never deleted: a second factor that ends keeps its row with ``ended_at`` and who
ended it. Accounts are not study data, so these changes pass a study's database lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from trialdesk.errors import FieldErrors, InputError, TrialdeskError
from trialdesk.trial.accounts import recovery_codes, totp
from trialdesk.trial.accounts.errors import AccountError
from trialdesk.trial.accounts.models import SecondFactor, User
from trialdesk.trial.accounts.secret_box import open_secret, seal_secret
from trialdesk.trial.accounts.users import REDACTED, normalise_username, user_or_404
from trialdesk.trial.store import audit
from trialdesk.trial.store.locks import writing_not_study_data
from trialdesk.trial.store.values import as_utc

__all__ = [
    "ISSUER",
    "Enrolment",
    "Used",
    "WrongCode",
    "WrongPassword",
    "active_of",
    "begin_enrolment",
    "check_code",
    "confirm_enrolment",
    "enrolment_in_progress",
    "recovery_codes_left",
    "renew_recovery_codes",
    "reset_by_admin",
    "states",
    "turn_off",
]

ENTITY = SecondFactor.__tablename__
ISSUER = "trialdesk"  # the name the authenticator app lists the account under


class WrongCode(InputError):
    """The code typed is not the app's current one, was used already, or is not an unused
    recovery code."""

    code = "wrong_code"

    def __init__(self) -> None:
        super().__init__(
            "the code is not correct (or was used already): type the code your "
            "authenticator app shows now",
            field="code",
        )


class WrongPassword(InputError):
    code = "wrong_password"

    def __init__(self) -> None:
        super().__init__("your password is not correct", field="password")


class Used(StrEnum):
    """What a sign-in's second factor was, as the audit trail says it."""

    TOTP = "authenticator app code"
    RECOVERY = "recovery code"


@dataclass(frozen=True)
class Enrolment:
    """A second factor being set up: what the QR code carries, and the secret as text for
    apps that take it typed."""

    secret: str
    uri: str


def _rows(
    session: Session, user_id: int, *, confirmed: bool, for_update: bool
) -> SecondFactor | None:
    when = SecondFactor.confirmed_at
    query = select(SecondFactor).where(
        SecondFactor.user_id == user_id,
        SecondFactor.ended_at.is_(None),
        when.is_not(None) if confirmed else when.is_(None),
    )
    if for_update:  # a code accepted once: concurrent uses of one code queue on the row
        query = query.with_for_update()
    return session.scalars(query.order_by(SecondFactor.id.desc())).first()


def active_of(session: Session, user_id: int, *, for_update: bool = False) -> SecondFactor | None:
    """The user's second factor in use (confirmed, not ended), or None."""
    return _rows(session, user_id, confirmed=True, for_update=for_update)


def _pending_of(session: Session, user_id: int) -> SecondFactor | None:
    return _rows(session, user_id, confirmed=False, for_update=True)


def _end(session: Session, row: SecondFactor, *, actor: str, now: datetime, reason: str) -> None:
    writing_not_study_data(session, ENTITY)
    row.ended_at, row.ended_by = now, actor
    audit.event(
        session,
        row,
        audit.Action.UPDATE,
        actor=actor,
        changes={"ended_at": (None, now), "ended_by": (None, actor)},
        reason=reason,
        at=now,
    )


def _enrolment(user: User, secret: str) -> Enrolment:
    return Enrolment(secret, totp.provisioning_uri(secret, account=user.username, issuer=ISSUER))


def begin_enrolment(session: Session, *, user_id: int, now: datetime) -> Enrolment:
    """A new secret for the user's authenticator app, waiting for its first code (one
    started before and not confirmed is replaced)."""
    now = as_utc(now)
    user = user_or_404(session, user_id)
    if active_of(session, user_id) is not None:
        raise AccountError(
            "your second factor is already on: turn it off first to set up another app"
        )
    pending = _pending_of(session, user_id)
    if pending is not None:
        _end(session, pending, actor=user.username, now=now, reason="enrolment started again")
    secret = totp.new_secret()
    row = SecondFactor(
        user_id=user.id,
        sealed_secret=seal_secret(session, user.id, secret),
        recovery_codes=[],
        created_at=now,
    )
    session.add(row)
    writing_not_study_data(session, ENTITY)
    audit.created(
        session,
        row,
        actor=user.username,
        fields={"user_id": user.id, "sealed_secret": REDACTED, "created_at": now},
        reason="second factor enrolment started (not yet in use)",
        at=now,
    )
    return _enrolment(user, secret)


def enrolment_in_progress(session: Session, *, user_id: int) -> Enrolment | None:
    """The enrolment the user started and has not confirmed, to show its QR code again."""
    row = _rows(session, user_id, confirmed=False, for_update=False)
    if row is None:
        return None
    user = user_or_404(session, user_id)
    return _enrolment(user, open_secret(session, user_id, row.sealed_secret))


def confirm_enrolment(session: Session, *, user_id: int, code: str, now: datetime) -> list[str]:
    """Turn the second factor on with the app's first code; the recovery codes, to show
    once (only their hashes are kept)."""
    now = as_utc(now)
    user = user_or_404(session, user_id)
    row = _pending_of(session, user_id)
    if row is None:
        raise AccountError("no second factor is being set up: start again", field="code")
    step = totp.matching_step(open_secret(session, user_id, row.sealed_secret), code, now)
    if step is None:
        raise WrongCode()
    codes = recovery_codes.new_codes()
    row.confirmed_at, row.last_step = now, step
    row.recovery_codes = recovery_codes.hashed(codes)
    writing_not_study_data(session, ENTITY)
    audit.event(
        session,
        row,
        audit.Action.UPDATE,
        actor=user.username,
        changes={"confirmed_at": (None, now), "recovery_codes": (REDACTED, REDACTED)},
        reason=f"second factor turned on (first code confirmed; {len(codes)} recovery codes)",
        at=now,
    )
    return codes


def check_code(session: Session, row: SecondFactor, typed: str, now: datetime) -> Used | None:
    """Take ``typed`` as the app's code (a step later than the last accepted) or as an
    unused recovery code, and mark it used on ``row`` (lock the row first: active_of's
    ``for_update``); None when it is neither."""
    now = as_utc(now)
    secret = open_secret(session, row.user_id, row.sealed_secret)
    step = totp.matching_step(secret, typed, now, after=row.last_step)
    if step is not None:
        row.last_step = step
        return Used.TOTP
    remaining = recovery_codes.use(row.recovery_codes, typed, now)
    if remaining is not None:
        row.recovery_codes = remaining
        return Used.RECOVERY
    return None


def states(session: Session) -> dict[int, str]:
    """Each user's second factor by user id: "on", or "setting up" (not yet confirmed);
    users without one are absent. For the administrator's list of users."""
    rows = session.execute(
        select(SecondFactor.user_id, SecondFactor.confirmed_at).where(
            SecondFactor.ended_at.is_(None)
        )
    ).all()
    found: dict[int, str] = {}
    for user_id, confirmed_at in rows:
        if confirmed_at is not None or user_id not in found:
            found[user_id] = "on" if confirmed_at is not None else "setting up"
    return found


def recovery_codes_left(row: SecondFactor) -> int:
    return recovery_codes.left(row.recovery_codes)


def _active_or_refuse(session: Session, user_id: int) -> SecondFactor:
    row = active_of(session, user_id, for_update=True)
    if row is None:
        raise AccountError("your second factor is not on", field="code")
    return row


def turn_off(
    session: Session, *, user_id: int, password_matches: bool, code: str, now: datetime
) -> None:
    """The user turns their second factor off, proving the password (checked by the
    caller, argon2 outside the transaction) and a code or recovery code. Both wrong are
    reported at once; the caller counts the failure towards the lockout in a transaction
    of its own (this one is rolled back)."""
    now = as_utc(now)
    user = user_or_404(session, user_id)
    row = _active_or_refuse(session, user_id)
    errors: list[TrialdeskError] = []
    if not password_matches:
        errors.append(WrongPassword())
    if check_code(session, row, code, now) is None:
        errors.append(WrongCode())
    if errors:
        raise FieldErrors(errors, resource=f"user/{user.id}")
    _end(session, row, actor=user.username, now=now, reason="second factor turned off by its user "
         "(password and code re-entered)")  # fmt: skip


def renew_recovery_codes(session: Session, *, user_id: int, code: str, now: datetime) -> list[str]:
    """Ten new recovery codes for ten old ones (all void), given a current app code."""
    now = as_utc(now)
    user = user_or_404(session, user_id)
    row = _active_or_refuse(session, user_id)
    secret = open_secret(session, user_id, row.sealed_secret)
    step = totp.matching_step(secret, code, now, after=row.last_step)
    if step is None:
        raise WrongCode()
    codes = recovery_codes.new_codes()
    row.last_step, row.recovery_codes = step, recovery_codes.hashed(codes)
    writing_not_study_data(session, ENTITY)
    audit.event(
        session,
        row,
        audit.Action.UPDATE,
        actor=user.username,
        changes={"recovery_codes": (REDACTED, REDACTED)},
        reason=f"new recovery codes ({len(codes)}); the old ones no longer work",
        at=now,
    )
    return codes


def reset_by_admin(
    session: Session, *, actor: str, user_id: int, reason: str | None, now: datetime
) -> None:
    """An administrator ends another user's second factor (a lost phone): their next
    sign-in asks only the password, and they may set up a new app."""
    now = as_utc(now)
    user = user_or_404(session, user_id)
    if normalise_username(actor) == user.username:
        raise AccountError(
            "turn your own second factor off on your own page (it asks your password and a code)"
        )
    row = active_of(session, user_id, for_update=True) or _pending_of(session, user_id)
    if row is None:
        raise AccountError(f"'{user.username}' has no second factor to reset")
    _end(session, row, actor=actor, now=now,
         reason=reason or "second factor reset by an administrator")  # fmt: skip
