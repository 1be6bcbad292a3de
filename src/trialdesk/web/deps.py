"""What every room's routes share: who is asking, the store, the studies served, the
clock. Routes get these here and do their work through the trial services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from fastapi import Request

from trialdesk.study.loader import Study
from trialdesk.study.page import TrialPage, trial_page
from trialdesk.trial.accounts import sessions
from trialdesk.trial.accounts.roles import Permission, Role, has_permission
from trialdesk.trial.store.db import Store
from trialdesk.web.csrf import SESSION_COOKIE
from trialdesk.web.problems import NotFound

__all__ = [
    "StaffUser",
    "all_studies",
    "load_user",
    "now",
    "page_of",
    "store_of",
    "study_or_404",
    "today",
    "user_of",
]


@dataclass(frozen=True)
class StaffUser:
    """A snapshot of the signed-in user for one request (never an ORM object)."""

    id: int
    username: str
    role: Role
    must_change_password: bool = False  # an administrator reset it (web/access.py)

    def can(self, permission: Permission | str) -> bool:
        return has_permission(self.role, Permission(permission))


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return now().date()


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def user_of(request: Request) -> StaffUser:
    """The signed-in user of a route whose access check (access.allow) let them in."""
    user: StaffUser = request.state.user
    return user


async def load_user(request: Request) -> None:
    """Resolve the session cookie; runs before every route's own access check."""
    request.state.user = None
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return
    store = store_of(request)
    moment = now()
    with store.read() as session:  # most requests only read; SQLite readers do not queue
        found = sessions.peek(session, token, moment)
        if found is None:
            return
        request.state.user = StaffUser(
            found.user_id, found.username, Role(found.role), found.must_change_password
        )
    if found.touch_due:  # the idle timeout counts from here; written at most once a minute
        with store.transaction() as session:
            sessions.resolve(session, token, moment)


def all_studies(request: Request) -> list[Study]:
    studies: dict[str, Study] = request.app.state.studies
    return [studies[k] for k in sorted(studies)]


def study_or_404(request: Request, nct_id: str) -> Study:
    studies: dict[str, Study] = request.app.state.studies
    study = studies.get(nct_id)
    if study is None:
        raise NotFound(f"no study {nct_id!r} here")
    return study


def page_of(request: Request, study: Study) -> TrialPage:
    """The study's page model: immutable, so built once per app and study."""
    pages: dict[str, TrialPage] = request.app.state.pages
    page = pages.get(study.id)
    if page is None:
        page = pages[study.id] = trial_page(study)
    return page
