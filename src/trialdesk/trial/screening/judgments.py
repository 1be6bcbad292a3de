"""An investigator's decision on a judgment criterion, signed through the signature service.

What the investigator signs is the decision, its reason and the evidence the page showed
for the criterion (its fingerprint, the ``basis``): if the evidence changed since the page
was opened, the signature is refused rather than attached to facts the signer did not see;
if it changes afterwards, the signature lapses (checklist.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from trialdesk.errors import ConflictError, InputError, NotFoundError
from trialdesk.study.loader import Study
from trialdesk.trial.accounts import signatures
from trialdesk.trial.accounts.login import PasswordCheck
from trialdesk.trial.accounts.models import User
from trialdesk.trial.screening.checklist import build_checklist, signed_content
from trialdesk.trial.screening.facts import open_screening
from trialdesk.trial.screening.models import Judgment
from trialdesk.trial.store import audit
from trialdesk.trial.store.text import reason_text
from trialdesk.trial.store.values import as_utc

__all__ = ["DECISIONS", "Decision", "sign_judgment", "sign_judgments"]

DECISIONS = ("met", "not_met")
MEANING = signatures.Meaning.ELIGIBILITY


@dataclass(frozen=True)
class Decision:
    """One criterion decided: ``basis`` is the fingerprint the page showed for it."""

    criterion_id: str
    decision: str
    reason: str | None
    basis: str


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
    (row,) = sign_judgments(
        session, user=user, password=password, study=study, candidate_id=candidate_id,
        decisions=[Decision(criterion_id, decision, reason, basis)], today=today, now=now,
        checked=checked,
    )  # fmt: skip
    return row


def sign_judgments(
    session: Session,
    *,
    user: User,
    password: str,
    study: Study,
    candidate_id: int,
    decisions: Sequence[Decision],
    today: date,
    now: datetime,
    checked: PasswordCheck | None = None,
) -> list[Judgment]:
    """Several criteria of one candidate decided and signed in one act: the password
    entered once, the candidate locked and the checklist built once, then each decision
    recorded and signed in order exactly as :func:`sign_judgment` does it (a signature
    and a judgment each, audited in the same order). The first decision refused raises
    before anything is signed."""
    now = as_utc(now)
    signatures.check_may_sign(user, MEANING, now)
    if not decisions:
        raise InputError("choose what to sign", field="items")
    reasons = []
    for d in decisions:
        if d.decision not in DECISIONS:
            raise InputError("must be met or not met", field="decision")
        reasons.append(reason_text(d.reason))
        if study.criteria.get(d.criterion_id) is None:
            raise NotFoundError(f"no criterion {d.criterion_id} in {study.id}")
    candidate = open_screening(session, candidate_id)
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
    for d in decisions:
        current = checklist.bases.get(d.criterion_id)
        if current is None:
            raise InputError(
                f"{d.criterion_id} is decided from data, not by judgment", field="criterion"
            )
        if current != d.basis:  # a conflict, as a stale edit: reload, then decide again
            raise ConflictError(
                "the evidence for this criterion changed since the page was opened: reload "
                "and review it before signing",
                field="basis",
            )
    items = [
        signatures.Signed(
            subject=f"candidate {candidate_id}, criterion {d.criterion_id}",
            content=signed_content(candidate_id, d.criterion_id, d.decision, why, d.basis),
        )
        for d, why in zip(decisions, reasons, strict=True)
    ]
    signed = signatures.signatures_of(
        user, password=password, meaning=MEANING, items=items, now=now, checked=checked
    )
    rows = [
        Judgment(
            candidate_id=candidate_id,
            criterion_id=d.criterion_id,
            decision=d.decision,
            reason=why,
            signature=signature,
        )  # fmt: skip
        for d, why, signature in zip(decisions, reasons, signed, strict=True)
    ]
    session.add_all([*signed, *rows])
    session.flush()  # stored together: each signature before the judgment it signs
    for signature, row in zip(signed, rows, strict=True):
        signatures.audit_signature(session, signature)
        audit.created(
            session,
            row,
            actor=user.username,
            fields={
                "candidate_id": candidate_id,
                "criterion_id": row.criterion_id,
                "decision": row.decision,
                "reason": row.reason,
                "signature_id": signature.id,
            },
            reason=f"{row.criterion_id} decided for candidate {candidate_id}",
            at=now,
        )
    return rows
