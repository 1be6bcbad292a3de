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
    DATA_MANAGER = "data_manager"  # cleans, freezes and locks the data (issue 15)


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
    VIEW_SAFETY = "view_safety"  # adverse events, SAE reports and alerts, safety listings
    RECORD_ADVERSE_EVENTS = "record_adverse_events"  # record and correct events, SAE reports
    # confirm or dismiss (with a reason) an adverse event a lab grade proposes
    DECIDE_AE_PROPOSALS = "decide_ae_proposals"
    # data review (issue 15): the monitor queries and verifies against the source, the
    # site answers, the investigator decides what the data show to be a deviation
    RAISE_QUERIES = "raise_queries"  # raise a query, close or cancel it
    ANSWER_QUERIES = "answer_queries"  # reply to a query (and correct the datum)
    VERIFY_SOURCE = "verify_source"  # mark items verified against the source documents
    RECORD_DEVIATIONS = "record_deviations"  # enter a protocol deviation by hand
    DECIDE_DEVIATIONS = "decide_deviations"  # confirm or dismiss a proposed deviation
    SIGN_CASEBOOKS = "sign_casebooks"  # investigator's signature on a participant's casebook
    FREEZE_DATA = "freeze_data"  # freeze and thaw a participant's casebook or one form
    LOCK_DATABASE = "lock_database"  # lock the study's database, and unlock it (signed)
    # download the CDISC submission package (SDTM, ADaM): every participant's and screen
    # failure's data at once, the data manager's hand-over to the sponsor (issue 16)
    EXPORT_DATA = "export_data"


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
                P.VIEW_SAFETY,
                P.RECORD_ADVERSE_EVENTS,
                P.DECIDE_AE_PROPOSALS,
                P.ANSWER_QUERIES,
                P.RECORD_DEVIATIONS,
                P.DECIDE_DEVIATIONS,
                P.SIGN_CASEBOOKS,
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
                P.VIEW_SAFETY,
                P.RECORD_ADVERSE_EVENTS,
                P.ANSWER_QUERIES,
                P.RECORD_DEVIATIONS,
            }
        ),
        # A sponsor's monitor reads and checks (source data verification); changes nothing.
        Role.MONITOR: frozenset(
            {
                P.VIEW_STAFF,
                P.VIEW_LEADS,
                P.VIEW_AUDIT,
                P.VIEW_CANDIDATES,
                P.VIEW_PARTICIPANTS,
                P.VIEW_SAFETY,
                P.RAISE_QUERIES,
                P.VERIFY_SOURCE,
                P.RECORD_DEVIATIONS,
            }
        ),
        # The data manager reads everything the monitor reads, queries the data, freezes
        # what is clean and locks the database; enters and signs nothing clinical.
        Role.DATA_MANAGER: frozenset(
            {
                P.VIEW_STAFF,
                P.VIEW_AUDIT,
                P.VIEW_CANDIDATES,
                P.VIEW_PARTICIPANTS,
                P.VIEW_SAFETY,
                P.RAISE_QUERIES,
                P.FREEZE_DATA,
                P.LOCK_DATABASE,
                P.EXPORT_DATA,
            }
        ),
    }
)


def has_permission(role: Role, p: Permission) -> bool:
    return p in ROLE_PERMISSIONS.get(Role(role), frozenset())
