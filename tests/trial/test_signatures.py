"""The electronic-signature service: re-authentication, printed name, meaning, time,
exactly what was signed, and lapse when that changes (21 CFR 11.50, 11.70, 11.200)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from trialdesk.errors import ForbiddenError, TrialdeskError
from trialdesk.trial import accounts
from trialdesk.trial.accounts import signatures
from trialdesk.trial.accounts.models import Signature, User
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store.audit import verify
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord

from .helpers import NOW, PASSWORD

MEANING = signatures.Meaning.ELIGIBILITY
ITEMS = [
    signatures.Signed("candidate 3, criterion E2", {"criterion": "E2", "decision": "not_met"}),
    signatures.Signed("candidate 3, criterion I4", {"criterion": "I4", "decision": "met"}),
]


def add_user(store: Store, name: str, role: Role, full_name: str | None = None) -> int:
    with store.transaction() as session:
        user = accounts.create_user(
            session, actor="system", username=name, password=PASSWORD, role=role,
            full_name=full_name,
        )  # fmt: skip
        return user.id


def sign(store: Store, user_id: int, password: str = PASSWORD) -> list[int]:
    with store.transaction() as session:
        signer = session.get(User, user_id)
        assert signer is not None
        rows = signatures.sign(
            session, signer=signer, password=password, meaning=MEANING, items=ITEMS, now=NOW
        )
        return [r.id for r in rows]


def rows(store: Store) -> list[Signature]:
    with store.read() as session:
        return list(session.scalars(select(Signature).order_by(Signature.id)))


def test_several_items_are_signed_in_one_act_with_the_printed_name_meaning_and_time(
    store: Store,
) -> None:
    ivy = add_user(store, "ivy", Role.INVESTIGATOR, full_name="  Dr.  Ivy   Chen ")
    assert len(sign(store, ivy)) == 2
    signed = rows(store)
    assert [(s.signer, s.printed_name, s.meaning, s.signed_at) for s in signed] == [
        ("ivy", "Dr. Ivy Chen", "eligibility decision", NOW)
    ] * 2
    assert [s.subject for s in signed] == [i.subject for i in ITEMS]
    assert [s.content for s in signed] == [dict(i.content) for i in ITEMS]
    with store.read() as session:
        entries = session.scalars(
            select(AuditRecord).where(AuditRecord.entity == "signature")
        ).all()
        assert [e.action for e in entries] == ["sign", "sign"]
        assert all(e.changes["printed_name"] == [None, "Dr. Ivy Chen"] for e in entries)
        assert verify(session).ok


def test_the_username_is_the_printed_name_until_a_full_name_is_given(store: Store) -> None:
    sign(store, add_user(store, "ivy", Role.INVESTIGATOR))
    assert {s.printed_name for s in rows(store)} == {"ivy"}


def test_a_signature_lapses_when_what_was_signed_changes(store: Store) -> None:
    sign(store, add_user(store, "ivy", Role.INVESTIGATOR))
    first = rows(store)[0]
    assert signatures.is_current(first, {"decision": "not_met", "criterion": "E2"})
    assert not signatures.is_current(first, {"criterion": "E2", "decision": "met"})
    assert not signatures.is_current(first, {"criterion": "E2", "decision": "not_met", "x": 1})


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MONITOR, Role.ADMIN])
def test_a_role_that_may_not_sign_is_refused_and_nothing_is_stored(
    store: Store, role: Role
) -> None:
    user = add_user(store, "someone", role)
    with pytest.raises(ForbiddenError) as refused:
        sign(store, user)
    assert refused.value.field == "user"
    assert rows(store) == []


def test_a_wrong_password_signs_nothing_and_counts_towards_the_lockout(store: Store) -> None:
    ivy = add_user(store, "ivy", Role.INVESTIGATOR)
    with pytest.raises(signatures.SignatureRefused):
        sign(store, ivy, password="not my password")
    assert rows(store) == []
    with store.transaction() as session:
        signatures.count_wrong_password(session, user_id=ivy, now=NOW)
    with store.read() as session:
        user = session.get(User, ivy)
        assert user is not None and user.failed_logins == 1


def test_a_locked_account_cannot_sign(store: Store) -> None:
    ivy = add_user(store, "ivy", Role.INVESTIGATOR)
    with store.transaction() as session:
        user = session.get(User, ivy)
        assert user is not None
        user.locked_until = NOW + timedelta(minutes=5)
    with pytest.raises(TrialdeskError) as refused:
        sign(store, ivy)
    assert refused.value.field == "password" and "locked" in refused.value.message
    assert rows(store) == []


def test_a_full_name_set_later_is_printed_on_later_signatures_only(store: Store) -> None:
    ivy = add_user(store, "ivy", Role.INVESTIGATOR)
    sign(store, ivy)
    with store.transaction() as session:
        accounts.set_full_name(
            session, actor="admin", user_id=ivy, full_name=" Dr.  Ivy Chen ", reason="on file"
        )
    sign(store, ivy)
    assert [s.printed_name for s in rows(store)] == ["ivy", "ivy", "Dr. Ivy Chen", "Dr. Ivy Chen"]
    with store.read() as session:
        entry = session.scalars(
            select(AuditRecord).where(AuditRecord.entity == "user_account")
        ).all()[-1]
        assert (entry.action, entry.changes, entry.reason) == (
            "update",
            {"full_name": [None, "Dr. Ivy Chen"]},
            "on file",
        )


def test_a_disabled_account_cannot_sign(store: Store) -> None:
    ivy = add_user(store, "ivy", Role.INVESTIGATOR)
    add_user(store, "ada", Role.ADMIN)
    with store.transaction() as session:
        accounts.set_active(session, actor="ada", user_id=ivy, active=False, reason="left")
    with pytest.raises(ForbiddenError, match="disabled"):
        sign(store, ivy)
    assert rows(store) == []


def test_a_stored_content_that_no_longer_matches_its_digest_is_not_current(
    store: Store,
) -> None:
    sign(store, add_user(store, "ivy", Role.INVESTIGATOR))
    first = rows(store)[0]
    signed = dict(first.content)
    assert signatures.is_current(first, signed)
    first.content = {**signed, "decision": "met"}  # edited in the table, not re-signed
    assert not signatures.is_current(first, signed)
