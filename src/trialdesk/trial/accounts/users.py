"""Staff accounts: create, change role, disable, reset password (temporary), list.

Every write is audited in the caller's transaction. No password, and no password hash,
ever reaches the audit log.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, undefer

from trialdesk.errors import NotFoundError
from trialdesk.trial.accounts import sessions
from trialdesk.trial.accounts.errors import AccountError
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.passwords import check_password_policy, hash_password
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store import audit
from trialdesk.trial.store.text import plain_text
from trialdesk.trial.store.values import utc_now

ENTITY = User.__tablename__
REDACTED = "[redacted]"
USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
RESERVED = frozenset({"public", "system"})  # actor names of the audit log


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _valid_username(username: str) -> str:
    name = normalise_username(username)
    if not USERNAME.fullmatch(name):
        raise AccountError(
            "a username is 1-64 characters: letters, digits and . _ @ -, starting with a "
            "letter or digit",
            field="username",
        )
    if name in RESERVED:
        raise AccountError(f"'{name}' is reserved", field="username")
    return name


def find_user(session: Session, username: str) -> User | None:
    name = normalise_username(username)
    return session.scalars(select(User).where(User.username == name)).one_or_none()


def user_or_404(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"no user with id {user_id}")
    return user


def list_users(session: Session) -> list[User]:
    query = select(User).options(undefer(User.must_change_password)).order_by(User.username)
    return list(session.scalars(query))


def create_user(
    session: Session,
    *,
    actor: str,
    username: str,
    password: str,
    role: Role,
    reason: str | None = None,
    full_name: str | None = None,
    must_change_password: bool = False,
) -> User:
    """A staff account; ``full_name`` is the name printed on their signatures;
    ``must_change_password``: the password given is temporary (set by an administrator),
    so the first sign-in asks for a new one before anything else."""
    name = _valid_username(username)
    printed = plain_text(full_name, "full_name", 200, one_line=True)
    role = Role(role)
    check_password_policy(password, username=name)
    if find_user(session, name) is not None:
        raise AccountError(f"a user named '{name}' already exists", field="username")
    user = User(
        username=name,
        password_hash=hash_password(password),
        role=role,
        full_name=printed,
        active=True,
        failed_logins=0,
        created_at=utc_now(),
        # false is the column's server default (models.py says why it is left out)
        **({"must_change_password": True} if must_change_password else {}),
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # created concurrently since the check above
        raise AccountError(f"a user named '{name}' already exists", field="username") from None
    audit.created(
        session,
        user,
        actor=actor,
        fields={
            "username": name,
            "full_name": printed,
            "role": role,
            "active": True,
            **({"must_change_password": True} if must_change_password else {}),
        },
        reason=reason,
        at=user.created_at,
    )
    return user


def _active_admin_ids(session: Session) -> list[int]:
    # Locked on PostgreSQL so two admins cannot concurrently disable each other.
    query = select(User.id).where(User.role == Role.ADMIN, User.active.is_(True))
    return list(session.scalars(query.with_for_update()))


def _keeps_an_admin(session: Session, user: User, verb: str) -> None:
    if user.role is Role.ADMIN and user.active and _active_admin_ids(session) == [user.id]:
        raise AccountError(f"cannot {verb} '{user.username}': it is the last active admin")


def set_role(
    session: Session, *, actor: str, user_id: int, role: Role, reason: str | None = None
) -> User:
    user, role = user_or_404(session, user_id), Role(role)
    if user.role is role:
        return user
    if role is not Role.ADMIN:
        _keeps_an_admin(session, user, "demote")
    old, user.role = user.role, role
    audit.event(
        session,
        user,
        audit.Action.UPDATE,
        actor=actor,
        changes={"role": (old, role)},
        reason=reason,
    )
    return user


def set_active(
    session: Session, *, actor: str, user_id: int, active: bool, reason: str | None = None
) -> User:
    user = user_or_404(session, user_id)
    if user.active is active:
        return user
    changes: dict[str, tuple[object, object]] = {"active": (user.active, active)}
    if not active:
        if normalise_username(actor) == user.username:
            raise AccountError("you cannot disable your own account")
        _keeps_an_admin(session, user, "disable")
        ended = sessions.end_all(session, user.id, utc_now())
        if ended:
            changes["open_sessions"] = (ended, 0)
    user.active = active
    audit.event(session, user, audit.Action.UPDATE, actor=actor, changes=changes, reason=reason)
    return user


def reset_password(
    session: Session,
    *,
    actor: str,
    user_id: int,
    password: str,
    reason: str | None = None,
    temporary: bool = True,
) -> User:
    """Set a new password; also unlocks the account and signs it out everywhere (OWASP
    Session Management Cheat Sheet: renew sessions after a credential change).

    ``temporary`` (the default): whoever set it knows it, so the user must choose their
    own at their next sign-in before anything else (OWASP Forgot Password Cheat Sheet: a
    password set for a user is changed at first use; NIST SP 800-63B §6.1.2.3 likewise
    for a replaced authenticator); every staff page sends them to the password page."""
    user = user_or_404(session, user_id)
    if temporary and normalise_username(actor) == user.username:
        raise AccountError(
            "to change your own password use 'Change my password' (it asks your current one)"
        )
    check_password_policy(password, username=user.username)
    user.password_hash = hash_password(password)
    changes: dict[str, tuple[object, object]] = {"password_hash": (REDACTED, REDACTED)}
    if user.must_change_password is not temporary:
        changes["must_change_password"] = (user.must_change_password, temporary)
        user.must_change_password = temporary
    if user.failed_logins:
        changes["failed_logins"] = (user.failed_logins, 0)
        user.failed_logins = 0
    if user.locked_until is not None:
        changes["locked_until"] = (user.locked_until, None)
        user.locked_until = None
    ended = sessions.end_all(session, user.id, utc_now())
    if ended:
        changes["open_sessions"] = (ended, 0)
    audit.event(
        session,
        user,
        audit.Action.UPDATE,
        actor=actor,
        changes=changes,
        reason=reason or "password reset",
    )
    return user


def set_full_name(
    session: Session, *, actor: str, user_id: int, full_name: str | None, reason: str | None
) -> User:
    """The name printed on the user's signatures from now on (21 CFR 11.50(a)(1));
    blank goes back to the username. Signatures already given keep the name they showed."""
    user = user_or_404(session, user_id)
    printed = plain_text(full_name, "full_name", 200, one_line=True)
    before = {"full_name": user.full_name}
    user.full_name = printed
    audit.updated(
        session, user, actor=actor, before=before, after={"full_name": printed}, reason=reason
    )
    return user
