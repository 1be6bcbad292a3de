"""An investigator's decision on a judgment criterion, signed through the signature service.

What the investigator signs is the decision, its reason and the evidence the page showed
for the criterion (its fingerprint, the ``basis``): if the evidence changed since the page
was opened, the signature is refused rather than attached to facts the signer did not see;
if it changes afterwards, the signature lapses (checklist.py).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from trialdesk.errors import ConflictError, InputError, NotFoundError
from trialdesk.study.loader import Study
from trialdesk.trial.accounts import signatures
from trialdesk.trial.accounts.login import PasswordCheck
from trialdesk.trial.accounts.models import User
from trialdesk.trial.screening.candidates import candidate_or_404
from trialdesk.trial.screening.checklist import build_checklist, signed_content
from trialdesk.trial.screening.facts import open_screening
from trialdesk.trial.screening.models import Judgment
from trialdesk.trial.store import audit
from trialdesk.trial.store.text import reason_text
from trialdesk.trial.store.values import as_utc

__all__ = ["DECISIONS", "sign_judgment"]

DECISIONS = ("met", "not_met")
MEANING = signatures.Meaning.ELIGIBILITY


def sign_judgment(
    session: Session,
    *,
    user: User,
    password: str,
    study: Study,
    candidate_id: int,
    criterion_id: str,
    decision: str,
    reason: str | None,
    basis: str,
    today: date,
    now: datetime,
    checked: PasswordCheck | None = None,
) -> Judgment:
    """Record the decision and sign it (``signatures.sign``: the password re-entered).
    ``basis`` is the fingerprint the page showed. A wrong password raises
    ``signatures.SignatureRefused``; the caller counts it in a transaction of its own."""
    now = as_utc(now)
    signatures.check_may_sign(user, MEANING, now)
    if decision not in DECISIONS:
        raise InputError("must be met or not met", field="decision")
    why = reason_text(reason)
    criterion = study.criteria.get(criterion_id)
    if criterion is None:
        raise NotFoundError(f"no criterion {criterion_id} in {study.id}")
    open_screening(session, candidate_id)
    candidate = candidate_or_404(session, candidate_id)
    # A date not set is read as "today" (checklist.py), and a signature would then lapse
    # each day; one that may not precede another is read as that one, which holds still.
    unset = [
        a
        for a in study.participant.staff
        if candidate.date_of(a.name) is None and a.not_before is None
    ]
    if unset:
        field = f"{unset[0].name}_date"
        raise InputError(f"set the {unset[0].label.lower()} before signing", field=field)
    checklist = build_checklist(session, study, candidate, today)
    current = checklist.bases.get(criterion_id)
    if current is None:
        raise InputError(f"{criterion_id} is decided from data, not by judgment", field="criterion")
    if current != basis:  # a conflict, as a stale edit: reload, then decide again
        raise ConflictError(
            "the evidence for this criterion changed since the page was opened: reload and "
            "review it before signing",
            field="basis",
        )
    item = signatures.Signed(
        subject=f"candidate {candidate_id}, criterion {criterion_id}",
        content=signed_content(candidate_id, criterion_id, decision, why, basis),
    )
    (signature,) = signatures.sign(
        session, signer=user, password=password, meaning=MEANING, items=[item], now=now,
        checked=checked,
    )  # fmt: skip
    row = Judgment(
        candidate_id=candidate_id,
        criterion_id=criterion_id,
        decision=decision,
        reason=why,
        signature=signature,
    )
    session.add(row)
    session.flush()
    audit.created(
        session,
        row,
        actor=user.username,
        fields={
            "candidate_id": candidate_id,
            "criterion_id": criterion_id,
            "decision": decision,
            "reason": why,
            "signature_id": signature.id,
        },
        reason=f"{criterion_id} decided for candidate {candidate_id}",
        at=now,
    )
    return row
