"""The permission table, as the briefs define it (issue 4 accounts, issue 5 screening,
issue 13 follow-up: coordinators enter visits, investigators also sign them; issue 14
safety: coordinators record adverse events, only investigators sign causality, decide what
a lab grade proposes and sign the decision that resumes a paused study; monitors read it)."""

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
        P.VIEW_SAFETY,
        P.RECORD_ADVERSE_EVENTS,
        P.DECIDE_AE_PROPOSALS,
        P.ANSWER_QUERIES,
        P.RECORD_DEVIATIONS,
        P.DECIDE_DEVIATIONS,
        P.SIGN_CASEBOOKS,
    },
    Role.COORDINATOR: {
        P.VIEW_STAFF,
        P.VIEW_LEADS,
        P.EDIT_LEADS,
        P.VIEW_CANDIDATES,
        P.EDIT_CANDIDATES,
        P.VIEW_PARTICIPANTS,
        P.EDIT_VISITS,
        P.VIEW_SAFETY,
        P.RECORD_ADVERSE_EVENTS,
        P.ANSWER_QUERIES,
        P.RECORD_DEVIATIONS,
    },
    # a monitor reads candidates and participants (source data verification), changes nothing
    Role.MONITOR: {
        P.VIEW_STAFF,
        P.VIEW_LEADS,
        P.VIEW_AUDIT,
        P.VIEW_CANDIDATES,
        P.VIEW_PARTICIPANTS,
        P.VIEW_SAFETY,
        P.RAISE_QUERIES,
        P.VERIFY_SOURCE,
        P.RECORD_DEVIATIONS,
    },
    # issue 15: the data manager queries, freezes and locks; enters and signs nothing clinical
    Role.DATA_MANAGER: {
        P.VIEW_STAFF,
        P.VIEW_AUDIT,
        P.VIEW_CANDIDATES,
        P.VIEW_PARTICIPANTS,
        P.VIEW_SAFETY,
        P.RAISE_QUERIES,
        P.FREEZE_DATA,
        P.LOCK_DATABASE,
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


# issue 14, point 4: only the investigator confirms or dismisses an adverse event that a
# lab grade proposes
EXPECTED[Role.INVESTIGATOR].add(P.DECIDE_AE_PROPOSALS)


def test_only_investigators_decide_proposed_adverse_events() -> None:
    assert [r for r in Role if has_permission(r, P.DECIDE_AE_PROPOSALS)] == [Role.INVESTIGATOR]


# issue 16: the data manager downloads the CDISC submission package (everyone's data at
# once); the study team and the monitor read the data in the app, but do not download it
EXPECTED[Role.DATA_MANAGER].add(P.EXPORT_DATA)


def test_only_the_data_manager_downloads_the_package() -> None:
    assert [r for r in Role if has_permission(r, P.EXPORT_DATA)] == [Role.DATA_MANAGER]
