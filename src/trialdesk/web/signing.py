"""Signing a judgment criterion from the pages or the API: one path for both.

The password is checked (argon2, a fifth of a second by design) in a worker thread and
outside the write transaction, so a signature never holds the database's write lock
while it hashes; a wrong password is counted towards the lockout in a transaction of its
own, since the signing transaction is rolled back.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from trialdesk.trial.accounts.login import PasswordCheck, check_password
from trialdesk.trial.accounts.users import user_or_404
from trialdesk.trial.screening import judgments
from trialdesk.trial.screening.candidates import candidate_or_404
from trialdesk.trial.store.db import Store
from trialdesk.web.deps import now, store_of, study_or_404, user_of

__all__ = ["sign"]


def _check(store: Store, username: str, password: str) -> PasswordCheck:
    with store.read() as session:
        return check_password(session, username=username, password=password)


async def sign(
    request: Request,
    candidate_id: int,
    *,
    password: str,
    criterion: str,
    decision: str,
    reason: str | None,
    basis: str,
) -> dict[str, Any]:
    user = user_of(request)
    store = store_of(request)
    checked = await run_in_threadpool(_check, store, user.username, password)
    moment = now()
    try:
        with store.transaction() as session:
            signer = user_or_404(session, user.id)
            study = study_or_404(request, candidate_or_404(session, candidate_id).study_id)
            row = judgments.sign_judgment(
                session, user=signer, password=password, study=study,
                candidate_id=candidate_id, criterion_id=criterion, decision=decision,
                reason=reason, basis=basis, today=moment.date(), now=moment, checked=checked,
            )  # fmt: skip
            return {
                "id": row.id,
                "criterion": row.criterion_id,
                "decision": row.decision,
                "signed_by": row.signed_by,
                "signed_at": row.signed_at.isoformat(),
            }
    except judgments.SignatureRefused:
        with store.transaction() as session:
            judgments.count_wrong_signature(session, user_id=user.id, now=moment)
        raise
