"""The investigator's signature on a visit: one path for the visit page and the API."""

from __future__ import annotations

from fastapi import Request

from trialdesk.trial.accounts.login import PasswordCheck
from trialdesk.trial.accounts.models import Signature, User
from trialdesk.trial.conduct import signoff
from trialdesk.trial.conduct.views import visit_of_key
from trialdesk.trial.store.db import Session
from trialdesk.web import signing
from trialdesk.web.deps import now
from trialdesk.web.rooms.conduct.changes import study_of_participant

__all__ = ["sign_visit"]


async def sign_visit(
    request: Request, enrolment_id: int, visit_key: str, password: str, reviewed: str
) -> Signature:
    """Sign the visit's data as the signer was shown them (``reviewed``: their digest)."""
    visit_id, occurrence = visit_of_key(visit_key)

    def act(session: Session, signer: User, checked: PasswordCheck) -> Signature:
        return signoff.sign_visit(
            session, signer=signer, password=password,
            study=study_of_participant(request, session, enrolment_id),
            enrolment_id=enrolment_id, visit_id=visit_id, occurrence=occurrence, now=now(),
            checked=checked, reviewed=reviewed,
        )  # fmt: skip

    return await signing.sign(request, password, act)
