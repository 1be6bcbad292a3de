"""The permission table, as the briefs define it (issue 4 accounts, issue 5 screening,
issue 13 follow-up: coordinators enter visits, investigators also sign them; issue 14
safety: only investigators sign causality and the decision that resumes a paused study)."""

from __future__ import annotations

import pytest

from trialdesk.trial.accounts.roles import ROLE_PERMISSIONS, Permission, Role, has_permission

P = Permission
EXPECTED = {
    Role.ADMIN: {P.VIEW_STAFF, P.MANAGE_USERS, P.VIEW_AUDIT, P.VIEW_LEADS},
    Role.INVESTIGATOR: {
        P.VIEW_STAFF,
        P.VIEW_LEADS,
        P.EDIT_LEADS,
        P.SIGN_ELIGIBILITY,
        P.VIEW_CANDIDATES,
        P.EDIT_CANDIDATES,
        P.MANAGE_CONSENT_FORMS,
        P.VIEW_PARTICIPANTS,
        P.EDIT_VISITS,
        P.SIGN_VISITS,
        P.SIGN_CAUSALITY,
        P.SIGN_SAFETY_REVIEW,
    },
    Role.COORDINATOR: {
        P.VIEW_STAFF,
        P.VIEW_LEADS,
        P.EDIT_LEADS,
        P.VIEW_CANDIDATES,
        P.EDIT_CANDIDATES,
        P.VIEW_PARTICIPANTS,
        P.EDIT_VISITS,
    },
    # a monitor reads candidates and participants (source data verification), changes nothing
    Role.MONITOR: {
        P.VIEW_STAFF,
        P.VIEW_LEADS,
        P.VIEW_AUDIT,
        P.VIEW_CANDIDATES,
        P.VIEW_PARTICIPANTS,
    },
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_has_permission(role: Role, permission: Permission) -> None:
    assert has_permission(role, permission) is (permission in EXPECTED[role])


def test_every_role_has_an_entry_and_only_investigators_sign() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert [r for r in Role if has_permission(r, P.SIGN_ELIGIBILITY)] == [Role.INVESTIGATOR]
    assert [r for r in Role if has_permission(r, P.SIGN_VISITS)] == [Role.INVESTIGATOR]
    assert [r for r in Role if has_permission(r, P.SIGN_CAUSALITY)] == [Role.INVESTIGATOR]
    assert [r for r in Role if has_permission(r, P.SIGN_SAFETY_REVIEW)] == [Role.INVESTIGATOR]
    assert not any(has_permission(Role.MONITOR, p) for p in (P.EDIT_VISITS, P.SIGN_VISITS))
    assert not has_permission(Role.ADMIN, P.VIEW_PARTICIPANTS)
    assert not any(has_permission(Role.MONITOR, p) for p in (P.EDIT_LEADS, P.MANAGE_USERS))
    assert not any(has_permission(Role.MONITOR, p) for p in (P.EDIT_CANDIDATES, P.SIGN_ELIGIBILITY))
    assert not has_permission(Role.ADMIN, P.VIEW_CANDIDATES)  # accounts, not clinical data
