"""The application's rooms, one package each: its pages and its JSON API side by side.

Handlers are ``async`` and run on the event loop (their store calls are short), except
the few that hash a password with argon2, which stay plain functions so FastAPI runs them
in its thread pool. Measured with benchmarks/web_load.py: CPU-bound handlers in the pool
took the GIL from the event loop thread under load and made every async page wait
(trial page p50 325 ms with the staff pages in threads, against a 33 ms baseline).
"""

from __future__ import annotations

from fastapi import APIRouter

from trialdesk.web.rooms.accounts import api as accounts_api
from trialdesk.web.rooms.accounts import code_page, users
from trialdesk.web.rooms.accounts import pages as sign_in
from trialdesk.web.rooms.accounts import password as own_password
from trialdesk.web.rooms.accounts import second_factor as own_second_factor
from trialdesk.web.rooms.audit import pages as audit_pages
from trialdesk.web.rooms.conduct import api as conduct_api
from trialdesk.web.rooms.conduct import form_page, participants, visit_page
from trialdesk.web.rooms.dashboard import api_docs
from trialdesk.web.rooms.dashboard import pages as dashboard
from trialdesk.web.rooms.deviations import api as deviations_api
from trialdesk.web.rooms.deviations import pages as deviations_pages
from trialdesk.web.rooms.exports import pages as exports_pages
from trialdesk.web.rooms.leads import api as leads_api
from trialdesk.web.rooms.leads import pages as leads_pages
from trialdesk.web.rooms.lock import api as lock_api
from trialdesk.web.rooms.lock import pages as lock_pages
from trialdesk.web.rooms.notifications import api as notifications_api
from trialdesk.web.rooms.notifications import pages as notifications_pages
from trialdesk.web.rooms.public import api as public_api
from trialdesk.web.rooms.public import pages as public_pages
from trialdesk.web.rooms.queries import api as queries_api
from trialdesk.web.rooms.queries import pages as queries_pages
from trialdesk.web.rooms.safety import api as safety_api
from trialdesk.web.rooms.safety import event_pages, hold_pages, listing_pages, sae_api, sae_pages
from trialdesk.web.rooms.safety_proposals import api as proposals_api
from trialdesk.web.rooms.safety_proposals import pages as proposals_pages
from trialdesk.web.rooms.screening import (
    candidate_actions,
    candidate_api,
    candidate_list,
    candidate_page,
    candidates_api,
    consent_forms,
    log,
)
from trialdesk.web.rooms.sdv import api as sdv_api
from trialdesk.web.rooms.sdv import pages as sdv_pages
from trialdesk.web.rooms.selfcheck import api as selfcheck_api
from trialdesk.web.rooms.selfcheck import pages as selfcheck_pages
from trialdesk.web.rooms.signatures import candidate_signing
from trialdesk.web.rooms.signatures import pages as signature_pages
from trialdesk.web.rooms.week24 import pages as week24_pages

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    public_pages.router,
    public_api.router,
    selfcheck_pages.router,
    selfcheck_api.router,
    sign_in.router,
    code_page.router,
    users.router,
    accounts_api.router,
    own_password.router,
    own_second_factor.router,
    dashboard.router,
    api_docs.router,
    leads_pages.router,
    leads_api.router,
    candidate_list.router,
    candidate_page.router,
    candidate_actions.router,
    candidates_api.router,
    candidate_api.router,
    log.router,
    log.api,
    consent_forms.router,
    consent_forms.api,
    participants.router,
    visit_page.router,
    form_page.router,
    conduct_api.router,
    event_pages.router,
    listing_pages.router,
    hold_pages.router,
    safety_api.router,
    sae_pages.router,
    sae_api.router,
    audit_pages.router,
    proposals_pages.router,
    proposals_api.router,
    notifications_pages.router,
    notifications_api.router,
    deviations_pages.router,
    deviations_api.router,
    sdv_pages.router,
    sdv_api.router,
    queries_pages.router,
    queries_api.router,
    lock_pages.router,
    lock_api.router,
    exports_pages.router,
    week24_pages.router,
    signature_pages.router,
    candidate_signing.router,
)
