"""Who may use which route: one mechanism for every page and API endpoint.

Each route declares its access with ``dependencies=[allow(...)]``: ``PUBLIC`` or one
:class:`~trialdesk.trial.accounts.roles.Permission`. The app refuses to start if any route lacks a
declaration (:func:`check_every_route_declares_access`), so a new route cannot be
forgotten. The same dependency checks the CSRF token of every unsafe request, so no form
can skip it either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.store import audit
from trialdesk.trial.store.locks import StudyLocked
from trialdesk.web import csrf
from trialdesk.web.deps import StaffUser, all_studies, store_of
from trialdesk.web.problems import Forbidden, NotSignedIn, PasswordChangeDue

__all__ = [
    "PUBLIC",
    "Access",
    "allow",
    "access_of",
    "api_routes",
    "check_every_route_declares_access",
]


@dataclass(frozen=True)
class Access:
    """What a route requires: nothing (public) or a signed-in user holding a permission.

    ``own_account``: the route changes only the signed-in user's own account (their
    password, their second factor), never a study's data, so it stays open while a
    study's database is locked. ``before_password_change``: it stays open while the user
    must first change a password an administrator reset (the password page itself)."""

    permission: Permission | None
    own_account: bool = False
    before_password_change: bool = False

    @property
    def public(self) -> bool:
        return self.permission is None

    def __str__(self) -> str:
        return "public" if self.permission is None else self.permission.value


PUBLIC: Final = Access(None)
# what staff may still do while a study's database is locked: manage accounts, and unlock
_WHILE_LOCKED = frozenset({Permission.MANAGE_USERS, Permission.LOCK_DATABASE})
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def _locked_now(request: Request) -> frozenset[str]:
    with store_of(request).read() as session:
        return audit.locked_studies(session)


async def _refuse_if_locked(request: Request) -> None:
    """A staff write while every study served is locked gets the store's one answer
    before its input is read (the store refuses it anyway: store/locks.py). Read in the
    thread pool: a store read does not belong on the event loop."""
    locked = await run_in_threadpool(_locked_now, request)
    served = {s.id for s in all_studies(request)}
    if locked and served <= locked:
        raise StudyLocked(locked & served)


_MARK = "__trialdesk_access__"


def allow(
    access: Access | Permission, *, own_account: bool = False, before_password_change: bool = False
) -> Any:
    """The dependency that enforces ``access`` (and CSRF on unsafe methods). A user whose
    password an administrator reset is sent to change it first: a browser to the password
    page, an API client 403 ``password_change_required`` (problems.PasswordChangeDue)."""
    required = (
        access
        if isinstance(access, Access)
        else Access(access, own_account, before_password_change)
    )

    async def guard(request: Request) -> None:
        user: StaffUser | None = getattr(request.state, "user", None)
        if not required.public:
            if user is None:
                raise NotSignedIn()
            if user.must_change_password and not required.before_password_change:
                raise PasswordChangeDue()
            assert required.permission is not None
            if not user.can(required.permission):
                raise Forbidden.lacking(user.role, required.permission)
        await csrf.check(request)
        if (
            required.permission is not None
            and required.permission not in _WHILE_LOCKED
            and not required.own_account
            and request.method not in _SAFE
        ):
            await _refuse_if_locked(request)

    setattr(guard, _MARK, required)
    return Depends(guard)


def access_of(route: APIRoute) -> Access | None:
    """The access a route declared, or None when it declared none (a bug)."""
    found = [
        getattr(d.dependency, _MARK) for d in route.dependencies if hasattr(d.dependency, _MARK)
    ]
    return found[0] if len(found) == 1 else None


def api_routes(routers: Iterable[APIRouter]) -> list[APIRoute]:
    """Every route of the app's routers (FastAPI hides them behind included-router proxies)."""
    return [r for router in routers for r in router.routes if isinstance(r, APIRoute)]


def check_every_route_declares_access(routers: Iterable[APIRouter]) -> None:
    missing = [
        f"{sorted(r.methods or ())} {r.path}" for r in api_routes(routers) if access_of(r) is None
    ]
    if missing:
        raise RuntimeError(f"routes without an access declaration: {', '.join(missing)}")
