"""Giving an electronic signature from a page or the API: one path for every signature.

The password is checked (argon2, a fifth of a second by design) in a worker thread and
outside the write transaction, so a signature never holds the database's write lock while
it hashes; the signing itself runs in one transaction through the trial service given
(which calls ``signatures.sign``). A wrong password is counted towards the lockout in a
transaction of its own, since the signing transaction is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from trialdesk.trial.accounts import signatures
from trialdesk.trial.accounts.login import PasswordCheck, check_password
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.users import user_or_404
from trialdesk.trial.store.db import Session, Store
from trialdesk.web.deps import now, store_of, user_of

__all__ = ["sign"]

T = TypeVar("T")
# (session, the signer, the password check made outside the transaction) -> what was signed
SigningAct = Callable[[Session, User, PasswordCheck], T]


def _check(store: Store, username: str, password: str) -> PasswordCheck:
    with store.read() as session:
        return check_password(session, username=username, password=password)


async def sign(request: Request, password: str, act: SigningAct[T]) -> T:
    user, store = user_of(request), store_of(request)
    checked = await run_in_threadpool(_check, store, user.username, password)
    try:
        with store.transaction() as session:
            return act(session, user_or_404(session, user.id), checked)
    except signatures.SignatureRefused:
        with store.transaction() as session:
            signatures.count_wrong_password(session, user_id=user.id, now=now())
        raise
