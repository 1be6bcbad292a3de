"""An investigator's signed decision on a judgment criterion."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from trialdesk.errors import InputError, NotFoundError
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.login import PasswordCheck, count_failure
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.passwords import verify_password
from trialdesk.trial.accounts.roles import Permission, has_permission
from trialdesk.trial.screening.candidates import candidate_or_404
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.screening.facts import open_screening
from trialdesk.trial.screening.models import Judgment
from trialdesk.trial.store import audit
from trialdesk.trial.store.text import reason_text
from trialdesk.trial.store.values import as_utc

__all__ = ["DECISIONS", "SignatureRefused", "count_wrong_signature", "sign_judgment"]


DECISIONS = ("met", "not_met")


class SignatureRefused(InputError):
    """The password given to sign did not match: nothing was signed."""

    def __init__(self) -> None:
        super().__init__("the password is not correct: nothing was signed", field="password")


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
    """An investigator's decision on a judgment criterion, signed by re-entering their
    password (21 CFR 11.200(a): a signature is the user's own credentials, given at the
    time of signing). ``basis`` is the fingerprint the page showed: if the evidence changed
    since, the signature is refused rather than attached to facts the signer did not see.

    ``checked``: the password already checked (argon2) outside this transaction, as the
    web app does; it counts only against the hash it was checked with. A refused password
    raises SignatureRefused: the caller records it with :func:`count_wrong_signature` in a
    transaction of its own (this one is rolled back)."""
    now = as_utc(now)
    if not has_permission(user.role, Permission.SIGN_ELIGIBILITY):
        raise InputError(f"a {user.role} cannot sign eligibility decisions", field="user")
    if decision not in DECISIONS:
        raise InputError("must be met or not met", field="decision")
    why = reason_text(reason)
    criterion = study.criteria.get(criterion_id)
    if criterion is None:
        raise NotFoundError(f"no criterion {criterion_id} in {study.id}")
    open_screening(session, candidate_id)
    candidate = candidate_or_404(session, candidate_id)
    if candidate.screening_date is None:
        # Without it the checklist is read on "today", and a signature would lapse each day.
        raise InputError("set the screening date before signing", field="screening_date")
    if user.locked_until is not None and now < user.locked_until:
        raise InputError(
            "your account is locked after repeated wrong passwords; try again later",
            field="password",
        )
    checklist = build_checklist(session, study, candidate, today)
    current = checklist.bases.get(criterion_id)
    if current is None:
        raise InputError(f"{criterion_id} is decided from data, not by judgment", field="criterion")
    if current != basis:
        raise InputError(
            "the evidence for this criterion changed since the page was opened: reload and "
            "review it before signing",
            field="basis",
        )
    if (
        checked is not None
        and checked.username == user.username
        and checked.checked_hash == user.password_hash
    ):
        matches = checked.matches
    else:
        matches = verify_password(user.password_hash, password)
    if not matches:
        raise SignatureRefused()
    row = Judgment(
        candidate_id=candidate_id,
        criterion_id=criterion_id,
        decision=decision,
        reason=why,
        basis=basis,
        signed_by=user.username,
        signed_at=now,
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
            "basis": basis,
        },
        reason=f"signed (password re-entered): {criterion_id}, candidate {candidate_id}",
        at=now,
        action=audit.Action.SIGN,
    )
    return row


def count_wrong_signature(session: Session, *, user_id: int, now: datetime) -> None:
    """A wrong password typed to sign counts towards the lockout like one typed to sign in
    (OWASP Authentication Cheat Sheet: every password check is a guess), and is audited."""
    user = session.get(User, user_id)
    if user is not None:
        count_failure(session, user, as_utc(now), reason="wrong password when signing")
