"""The optional second factor through the services: enrolment, the two-step sign-in, replay,
recovery codes, the lockout, turning it off, an administrator's reset; and the forced
password change after an administrator's reset. Nothing secret reaches the trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from trialdesk.errors import FieldErrors
from trialdesk.trial import accounts
from trialdesk.trial.accounts import challenges, second_factor, secret_box, totp
from trialdesk.trial.accounts.code_sign_in import complete_with_code, waiting_user
from trialdesk.trial.accounts.models import SecondFactor, User
from trialdesk.trial.accounts.own_password import change_own_password
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store.audit_key import KEY_ENV
from trialdesk.trial.store.audit_replay import verify_data
from trialdesk.trial.store.db import Store

from .helpers import NOW, PASSWORD, audit_rows


@pytest.fixture
def keyed(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The store with an audit key (the second factor's secret is sealed under it)."""
    monkeypatch.setenv(KEY_ENV, "ab" * 32)
    return store


def _user(store: Store, name: str = "ivy", role: Role = Role.INVESTIGATOR) -> int:
    with store.transaction() as session:
        return accounts.create_user(
            session, actor="system", username=name, password=PASSWORD, role=role, reason="t"
        ).id


def _enrol(store: Store, uid: int) -> tuple[str, list[str]]:
    """(the secret, the recovery codes) of a second factor turned on at NOW."""
    with store.transaction() as session:
        enrolment = second_factor.begin_enrolment(session, user_id=uid, now=NOW)
    code = totp.code_at(enrolment.secret, totp.step_of(NOW))
    with store.transaction() as session:
        codes = second_factor.confirm_enrolment(session, user_id=uid, code=code, now=NOW)
    return enrolment.secret, codes


def _password_step(store: Store, name: str = "ivy", at=NOW) -> str:  # noqa: ANN001
    with store.transaction() as session:
        try:
            accounts.authenticate(session, username=name, password=PASSWORD, now=at)
        except accounts.SecondFactorNeeded as needed:
            return needed.token
    raise AssertionError("the password alone signed in")


def _code_step(store: Store, token: str, code: str, at=NOW) -> User | accounts.LoginFailed:  # noqa: ANN001
    with store.transaction() as session:  # committed when refused: failures count
        try:
            return complete_with_code(session, token=token, code=code, now=at)
        except accounts.LoginFailed as refused:
            failure = refused
    return failure


def test_enrolment_then_sign_in_asks_the_code(keyed: Store) -> None:
    uid = _user(keyed)
    secret, codes = _enrol(keyed, uid)
    assert len(codes) == 10
    later = NOW + timedelta(minutes=1)
    token = _password_step(keyed, at=later)
    with keyed.read() as session:
        assert waiting_user(session, token, later) == "ivy"
        user = session.get(User, uid)
        assert user is not None and user.last_login_at is None  # not signed in yet
    wrong = _code_step(keyed, token, "000000", later)
    assert isinstance(wrong, accounts.WrongSignInCode)
    code = totp.code_at(secret, totp.step_of(later))
    user = _code_step(keyed, token, code, later)
    assert isinstance(user, User) and user.id == uid
    entry = audit_rows(keyed)[-1]
    assert (entry.action, entry.reason) == ("login", "password and authenticator app code")
    assert entry.changes["failed_logins"] == [1, 0]  # the wrong code counted, then cleared
    # the challenge is used up, and the same code is refused on a new one (replay)
    assert isinstance(_code_step(keyed, token, code, later), accounts.SignInExpired)
    again = _password_step(keyed, at=later)
    assert isinstance(_code_step(keyed, again, code, later), accounts.WrongSignInCode)


def test_a_challenge_expires(keyed: Store) -> None:
    uid = _user(keyed)
    secret, _ = _enrol(keyed, uid)
    token = _password_step(keyed)
    late = NOW + challenges.CHALLENGE_LIFETIME
    code = totp.code_at(secret, totp.step_of(late))
    assert isinstance(_code_step(keyed, token, code, late), accounts.SignInExpired)


def test_a_recovery_code_signs_in_once(keyed: Store) -> None:
    uid = _user(keyed)
    _, codes = _enrol(keyed, uid)
    user = _code_step(keyed, _password_step(keyed), codes[0].upper())
    assert isinstance(user, User)
    assert audit_rows(keyed)[-1].reason == "password and recovery code (9 left)"
    assert isinstance(_code_step(keyed, _password_step(keyed), codes[0]), accounts.WrongSignInCode)


def test_wrong_codes_lock_the_account_and_right_passwords_do_not_reset_the_count(
    keyed: Store,
) -> None:
    uid = _user(keyed)
    secret, _ = _enrol(keyed, uid)
    outcomes = []
    for _ in range(accounts.MAX_FAILED_LOGINS):
        outcomes.append(_code_step(keyed, _password_step(keyed), "000000"))
    assert all(isinstance(o, accounts.WrongSignInCode) for o in outcomes[:-1])
    assert isinstance(outcomes[-1], accounts.AccountLocked)
    assert audit_rows(keyed)[-1].action == "lockout"
    with pytest.raises(accounts.AccountLocked), keyed.transaction() as session:
        accounts.authenticate(session, username="ivy", password=PASSWORD, now=NOW)


def test_the_secret_is_sealed_and_nothing_secret_is_audited(keyed: Store) -> None:
    uid = _user(keyed)
    secret, codes = _enrol(keyed, uid)
    with keyed.read() as session:
        row = session.scalars(select(SecondFactor)).one()
        assert secret not in row.sealed_secret
        assert secret_box.open_secret(session, uid, row.sealed_secret) == secret
        with pytest.raises(secret_box.SecretUnreadable):  # bound to its user
            secret_box.open_secret(session, uid + 1, row.sealed_secret)
        stored = str(row.recovery_codes)
        assert not any(c in stored or c.replace("-", "") in stored for c in codes)
        report = verify_data(session)
    trail = " ".join(f"{e.changes} {e.reason}" for e in audit_rows(keyed))
    assert secret not in trail and not any(c in trail for c in codes)
    assert report.ok, report.problems
    assert "second_factor" in report.tables


def test_without_a_store_key_enrolment_says_what_to_do(store: Store) -> None:
    uid = _user(store)
    with (
        pytest.raises(secret_box.NoStoreKey, match="trialdesk audit key init"),
        store.transaction() as session,
    ):
        second_factor.begin_enrolment(session, user_id=uid, now=NOW)


def test_turning_it_off_takes_the_password_and_a_code(keyed: Store) -> None:
    uid = _user(keyed)
    secret, _ = _enrol(keyed, uid)
    later = NOW + timedelta(minutes=2)
    with pytest.raises(FieldErrors) as refused, keyed.transaction() as session:
        second_factor.turn_off(
            session, user_id=uid, password_matches=False, code="000000", now=later
        )
    assert [e.field for e in refused.value.errors] == ["password", "code"]  # both at once
    with keyed.transaction() as session:
        second_factor.turn_off(
            session, user_id=uid, password_matches=True,
            code=totp.code_at(secret, totp.step_of(later)), now=later,
        )  # fmt: skip
    with keyed.transaction() as session:  # the password alone signs in again
        assert accounts.authenticate(session, username="ivy", password=PASSWORD, now=later)


def test_an_admin_resets_someone_elses_second_factor(keyed: Store) -> None:
    _user(keyed, "root", Role.ADMIN)
    uid = _user(keyed)
    _enrol(keyed, uid)
    with pytest.raises(accounts.AccountError, match="your own"), keyed.transaction() as s:
        second_factor.reset_by_admin(s, actor="ivy", user_id=uid, reason=None, now=NOW)
    with keyed.transaction() as session:
        second_factor.reset_by_admin(
            session, actor="root", user_id=uid, reason="lost phone", now=NOW
        )
    entry = audit_rows(keyed)[-1]
    assert (entry.actor, entry.entity, entry.reason) == ("root", "second_factor", "lost phone")
    assert entry.changes["ended_by"] == [None, "root"]
    with keyed.transaction() as session:
        assert accounts.authenticate(session, username="ivy", password=PASSWORD, now=NOW)
    with pytest.raises(accounts.AccountError, match="no second factor"), keyed.transaction() as s:
        second_factor.reset_by_admin(s, actor="root", user_id=uid, reason=None, now=NOW)


def test_renewed_recovery_codes_void_the_old_ones(keyed: Store) -> None:
    uid = _user(keyed)
    secret, old = _enrol(keyed, uid)
    later = NOW + timedelta(minutes=1)
    with keyed.transaction() as session:
        new = second_factor.renew_recovery_codes(
            session, user_id=uid, code=totp.code_at(secret, totp.step_of(later)), now=later
        )
    assert set(new).isdisjoint(old)
    assert isinstance(_code_step(keyed, _password_step(keyed), old[0]), accounts.WrongSignInCode)
    assert isinstance(_code_step(keyed, _password_step(keyed), new[0]), User)


def test_second_factor_changes_pass_a_study_lock(keyed: Store) -> None:
    from trialdesk.trial.store import audit

    uid = _user(keyed)
    with keyed.transaction() as session:
        audit.set_study_locked(session, "NCT06947746", True)
    secret, _ = _enrol(keyed, uid)  # accounts are not study data
    user = _code_step(keyed, _password_step(keyed), totp.code_at(secret, totp.step_of(NOW) + 1))
    assert isinstance(user, User)
    with keyed.read() as session:
        assert audit.locked_studies(session) == {"NCT06947746"}


def test_an_admin_reset_password_is_temporary_until_changed(store: Store) -> None:
    _user(store, "root", Role.ADMIN)
    uid = _user(store, "cara", Role.COORDINATOR)
    temporary = "a temporary passphrase"
    with store.transaction() as session:
        accounts.reset_password(session, actor="root", user_id=uid, password=temporary)
    entry = audit_rows(store)[-1]
    assert entry.changes["must_change_password"] == [False, True]
    assert temporary not in str(entry.changes)
    with store.transaction() as session:
        user = accounts.authenticate(session, username="cara", password=temporary, now=NOW)
        assert user.must_change_password
    with store.transaction() as session:
        change_own_password(
            session, user_id=uid, current_password=temporary, new_password=PASSWORD + " two",
            new_password_again=PASSWORD + " two", now=NOW,
        )  # fmt: skip
    assert audit_rows(store)[-1].changes["must_change_password"] == [True, False]
    with store.read() as session:
        user = session.get(User, uid)
        assert user is not None and not user.must_change_password
        assert verify_data(session).ok
