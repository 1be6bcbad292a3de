"""Signing a judgment criterion: one path for the screening page and the API."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from trialdesk.trial.accounts.login import PasswordCheck
from trialdesk.trial.accounts.models import User
from trialdesk.trial.screening import judgments
from trialdesk.trial.store.db import Session
from trialdesk.web import signing
from trialdesk.web.deps import now
from trialdesk.web.rooms.screening.forms import study_of_candidate

__all__ = ["sign_judgment"]


async def sign_judgment(
    request: Request,
    candidate_id: int,
    *,
    password: str,
    criterion: str,
    decision: str,
    reason: str | None,
    basis: str,
) -> dict[str, Any]:
    """Sign, and say what was signed: by whom (printed name), when, meaning what."""

    def act(session: Session, signer: User, checked: PasswordCheck) -> dict[str, Any]:
        moment = now()
        row = judgments.sign_judgment(
            session, user=signer, password=password,
            study=study_of_candidate(request, session, candidate_id), candidate_id=candidate_id,
            criterion_id=criterion, decision=decision, reason=reason, basis=basis,
            today=moment.date(), now=moment, checked=checked,
        )  # fmt: skip
        signature = row.signature
        return {
            "id": row.id,
            "criterion": row.criterion_id,
            "decision": row.decision,
            "signed_by": signature.signer,
            "printed_name": signature.printed_name,
            "meaning": signature.meaning,
            "signed_at": signature.signed_at.isoformat(),
        }

    return await signing.sign(request, password, act)
