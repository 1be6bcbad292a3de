"""Electronic signatures: one service for every signature a user gives, now and to come
(eligibility judgments; visits, causality and casebooks next).

21 CFR Part 11: a signature is given by re-entering the signer's own password at the
time of signing (11.200(a)(1)); the signed record shows the signer's printed name, the
date and time, and the meaning of the signature (11.50(a)); and the signature is linked
to what was signed so it cannot be moved to other content (11.70). Here that link is the
SHA-256 of exactly what was signed, as canonical JSON: when the record later differs
from what was signed, :func:`is_current` says so and the signature lapses. It is never
deleted; the page shows it as no longer current, and why.

A signer with two-step sign-in (second_factor.py) still signs with the password alone, by
choice: 11.200(a)(1) makes a signature of two components, the identification code (the
signed-in user) and the password, and asks within one session of controlled access that
each later signing use at least the password (11.200(a)(1)(i)). The second factor guards
the session the signing happens in; a code at every signature would add nothing the rule
asks for to each of an investigator's many signatures.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from trialdesk.errors import ForbiddenError, InputError
from trialdesk.trial.accounts.login import PasswordCheck, count_failure
from trialdesk.trial.accounts.models import Signature, User
from trialdesk.trial.accounts.passwords import verify_password
from trialdesk.trial.accounts.roles import Permission, has_permission
from trialdesk.trial.store import audit
from trialdesk.trial.store.values import as_utc, canonical_json

__all__ = [
    "Meaning",
    "SignatureRefused",
    "Signed",
    "audit_signature",
    "check_may_sign",
    "count_wrong_password",
    "digest_of",
    "is_current",
    "sign",
    "signatures_of",
]


class Meaning(StrEnum):
    """What a signature means, as the signed record states it (21 CFR 11.50(a)(3))."""

    ELIGIBILITY = "eligibility decision"
    VISIT = "visit data review"
    CAUSALITY = "causality assessment"  # an adverse event's relationship and expectedness
    SAFETY_REVIEW = "safety review decision"  # resumes a study a stopping rule paused
    SAE_REPORT = "serious adverse event report"  # submitted by the investigator
    CASEBOOK = "casebook approval"  # the investigator's sign-off of a participant's data
    DATABASE_LOCK = "database lock"  # the data manager locks the study's database
    DATABASE_UNLOCK = "database unlock"  # ... and unlocks it, for the reason given

    @property
    def statement(self) -> str:
        return _STATEMENTS[self]

    @property
    def permission(self) -> Permission:
        return _PERMISSIONS[self]


_STATEMENTS = {
    Meaning.ELIGIBILITY: "I decide this eligibility criterion for this candidate as shown",
    Meaning.VISIT: "I have reviewed this visit's data and confirm they are accurate",
    Meaning.CAUSALITY: (
        "I assess this adverse event's relationship to the study product and to the "
        "injection procedure, and its expectedness, as shown"
    ),
    Meaning.SAFETY_REVIEW: (
        "I have reviewed the safety data that met the stopping rule and decide the study "
        "resumes, for the reasons shown"
    ),
    Meaning.SAE_REPORT: "I submit this serious adverse event report to the sponsor as shown",
    Meaning.CASEBOOK: (
        "I have reviewed this participant's casebook and confirm that its data are complete "
        "and accurate"
    ),
    Meaning.DATABASE_LOCK: (
        "I lock this study's database: the data shown, with the hash shown, are final"
    ),
    Meaning.DATABASE_UNLOCK: "I unlock this study's database for the reason given",
}
_PERMISSIONS = {
    Meaning.ELIGIBILITY: Permission.SIGN_ELIGIBILITY,
    Meaning.VISIT: Permission.SIGN_VISITS,
    Meaning.CAUSALITY: Permission.SIGN_CAUSALITY,
    Meaning.SAFETY_REVIEW: Permission.SIGN_SAFETY_REVIEW,
    Meaning.SAE_REPORT: Permission.SIGN_CAUSALITY,  # the investigator's, as causality is
    Meaning.CASEBOOK: Permission.SIGN_CASEBOOKS,
    Meaning.DATABASE_LOCK: Permission.LOCK_DATABASE,
    Meaning.DATABASE_UNLOCK: Permission.LOCK_DATABASE,
}


class SignatureRefused(InputError):
    """The password given to sign did not match: nothing was signed."""

    def __init__(self) -> None:
        super().__init__("the password is not correct: nothing was signed", field="password")


@dataclass(frozen=True)
class Signed:
    """One thing to sign: what it is, in words, and exactly the content the signer saw."""

    subject: str  # e.g. "candidate 12, criterion E2"
    content: Mapping[str, Any]  # JSON data: what the signature vouches for


def digest_of(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def is_current(signature: Signature, content: Mapping[str, Any]) -> bool:
    """Whether ``content`` (the record as it is now) is still what was signed, and the
    stored content is still the content the digest was taken of."""
    return digest_of(content) == signature.digest == digest_of(signature.content)


def check_may_sign(signer: User, meaning: Meaning, now: datetime) -> None:
    """Refuse, before anything else, a signer whose role may not give this signature or
    whose account is disabled or locked."""
    if not has_permission(signer.role, meaning.permission):
        raise ForbiddenError(f"a {signer.role} cannot give a signature of {meaning}", field="user")
    if not signer.active:
        raise ForbiddenError("this account is disabled: it cannot sign", field="user")
    if signer.locked_until is not None and as_utc(now) < signer.locked_until:
        raise InputError(
            "your account is locked after repeated wrong passwords; try again later",
            field="password",
        )


def sign(
    session: Session,
    *,
    signer: User,
    password: str,
    meaning: Meaning,
    items: Sequence[Signed],
    now: datetime,
    checked: PasswordCheck | None = None,
) -> list[Signature]:
    """Sign every item in one act with one password entry; audited, one entry each.

    ``checked``: the password already checked (argon2) outside this transaction, as the
    web app does; it counts only against the hash it was checked with. A wrong password
    raises :class:`SignatureRefused` and signs nothing: the caller counts it with
    :func:`count_wrong_password` in a transaction of its own (this one is rolled back)."""
    rows = signatures_of(
        signer, password=password, meaning=meaning, items=items, now=now, checked=checked
    )
    session.add_all(rows)
    session.flush()  # stored together, in the order given
    for row in rows:
        audit_signature(session, row)
    return rows


def signatures_of(
    signer: User,
    *,
    password: str,
    meaning: Meaning,
    items: Sequence[Signed],
    now: datetime,
    checked: PasswordCheck | None = None,
) -> list[Signature]:
    """The signatures :func:`sign` stores, checked as it checks them (who may sign, the
    password) and made, not stored: for a service that stores them with rows of its own
    that point to them in one flush, then audits each with :func:`audit_signature` (its
    own entry after each, as when each was signed and recorded in turn)."""
    now = as_utc(now)
    check_may_sign(signer, meaning, now)
    if not items:
        raise InputError("choose what to sign", field="items")
    if (
        checked is not None
        and checked.username == signer.username
        and checked.checked_hash == signer.password_hash
    ):
        matches = checked.matches
    else:
        matches = verify_password(signer.password_hash, password)
    if not matches:
        raise SignatureRefused()
    printed = signer.full_name or signer.username
    rows = []
    for item in items:
        content = dict(item.content)
        rows.append(
            Signature(
                signer=signer.username,
                printed_name=printed,
                meaning=meaning.value,
                subject=item.subject,
                content=content,
                digest=digest_of(content),
                signed_at=now,
            )
        )
    return rows


def audit_signature(session: Session, row: Signature) -> None:
    """The audit entry of a stored signature: who signed, as whom, meaning what, and the
    digest of what was signed."""
    audit.created(
        session,
        row,
        actor=row.signer,
        fields={
            "signer": row.signer,
            "printed_name": row.printed_name,
            "meaning": row.meaning,
            "subject": row.subject,
            "digest": row.digest,
        },
        reason=f"signed (password re-entered): {Meaning(row.meaning).statement}",
        at=row.signed_at,
        action=audit.Action.SIGN,
    )


def count_wrong_password(session: Session, *, user_id: int, now: datetime) -> None:
    """A wrong password typed to sign counts towards the lockout like one typed to sign in
    (OWASP Authentication Cheat Sheet: every password check is a guess), and is audited."""
    user = session.get(User, user_id)
    if user is not None:
        count_failure(session, user, as_utc(now), reason="wrong password when signing")
