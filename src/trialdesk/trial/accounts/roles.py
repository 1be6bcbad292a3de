"""Staff roles and what each may do. The web app checks permissions, never role names."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class Role(StrEnum):
    ADMIN = "admin"
    INVESTIGATOR = "investigator"
    COORDINATOR = "coordinator"
    MONITOR = "monitor"


class Permission(StrEnum):
    VIEW_LEADS = "view_leads"
    EDIT_LEADS = "edit_leads"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"
    VIEW_STAFF = "view_staff"  # any signed-in staff page
    SIGN_ELIGIBILITY = "sign_eligibility"  # investigator's signature on judgment criteria
    VIEW_CANDIDATES = "view_candidates"  # screening pages, screening log (personal data)
    EDIT_CANDIDATES = "edit_candidates"  # add, enter facts, consent, outcome, enrol, withdraw
    MANAGE_CONSENT_FORMS = "manage_consent_forms"  # register a new consent form version
    VIEW_PARTICIPANTS = "view_participants"  # visit calendars, forms, the site dashboard
    EDIT_VISITS = "edit_visits"  # record visits, enter forms, end participation
    SIGN_VISITS = "sign_visits"  # investigator's signature on a visit's data
    # investigator's signed causality (product, injection procedure) and expectedness of
    # an adverse event
    SIGN_CAUSALITY = "sign_causality"
    SIGN_SAFETY_REVIEW = "sign_safety_review"  # the decision that resumes a paused study


P = Permission
ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = MappingProxyType(
    {
        Role.ADMIN: frozenset({P.VIEW_STAFF, P.MANAGE_USERS, P.VIEW_AUDIT, P.VIEW_LEADS}),
        Role.INVESTIGATOR: frozenset(
            {
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
            }
        ),  # fmt: skip
        Role.COORDINATOR: frozenset(
            {
                P.VIEW_STAFF,
                P.VIEW_LEADS,
                P.EDIT_LEADS,
                P.VIEW_CANDIDATES,
                P.EDIT_CANDIDATES,
                P.VIEW_PARTICIPANTS,
                P.EDIT_VISITS,
            }
        ),
        # A sponsor's monitor reads and checks (source data verification); changes nothing.
        Role.MONITOR: frozenset(
            {P.VIEW_STAFF, P.VIEW_LEADS, P.VIEW_AUDIT, P.VIEW_CANDIDATES, P.VIEW_PARTICIPANTS}
        ),
    }
)


def has_permission(role: Role, p: Permission) -> bool:
    return p in ROLE_PERMISSIONS.get(Role(role), frozenset())
