"""What the OpenAPI document says about the API as a whole and about each of its tags.

The description used to say the API covered "public study records ... and the
pre-screening leads" long after it covered screening, conduct, safety and data review
(walkthrough D28). Each tag a route uses is described here, and a test refuses a tag
without a description, or a description whose tag no route uses, so the document stays
true to what the API covers.
"""

from __future__ import annotations

__all__ = ["DESCRIPTION", "TAGS"]

DESCRIPTION = """The trialdesk API: what the web pages do, as JSON.

**Public** (no sign-in): the study records as published, the patient self-check and the
contact request that creates a pre-screening lead.

**Staff** (signed in; each endpoint names the permission it needs): pre-screening leads,
screening (candidates, their facts, consent, the investigator's judgments, outcomes and the
screening log with the CONSORT counts), conduct (participants, visits, case report forms,
the end of participation), safety (adverse events, serious adverse event reports and their
clocks, the study hold, adverse events proposed from lab grades, alerts), data review
(queries, source data verification, protocol deviations) and the database lock with
casebook signatures.

A browser signed in to the staff pages is signed in here too: send its session cookie, and
on every request that changes something the `X-CSRF-Token` header with the token
`GET /api/me` gives. Signed-in staff can try every endpoint at `/staff/api-docs`.

Every error has the body `{"error": {"status", "code", "message", "field"}}`, with
`errors` (each field and its message) when several fields are wrong at once; its status
says what it means: 400 a malformed request, 401 not signed in, 403 not allowed for this
role, 404 not found, 409 a conflict with the data as they are now (someone else changed
the record: reload; the study is full), 415 not JSON, 422 invalid input (`field` names it:
`body` for a body that is not JSON, with its line and column), 500 a fault of the store."""

# Each tag and what its endpoints cover.
_TAG_DESCRIPTIONS = {
    "studies": "The studies served here, as their public pages show them.",
    "self-check": "The patient self-check: its questions and a result from answers.",
    "leads": "Pre-screening leads: a patient's contact request, its status, its erasure.",
    "staff": "The signed-in user, and the CSRF token for changes.",
    "screening": "Candidates: added, imported from FHIR or a feasibility list, their facts, "
    "consent, judgments, outcome and withdrawal; the screening log and consent forms.",
    "conduct": "Participants: the dashboard, visits and their dates, case report forms and "
    "logs, the visit signature and the end of participation.",
    "safety": "Adverse events and causality, SAE reports (CIOMS I) and their clocks, the "
    "study hold, lab grades proposed as adverse events.",
    "notifications": "Alerts that must leave the system (SAE), and their delivery.",
    "queries": "Data queries: raised by monitors, answered by the site, closed.",
    "sdv": "Source data verification: what is verified, what is left.",
    "deviations": "Protocol deviations: proposed from the data, entered, decided.",
    "lock": "Freezing casebooks, signing them, locking and unlocking the database.",
}
TAGS: list[dict[str, str]] = [
    {"name": name, "description": text} for name, text in _TAG_DESCRIPTIONS.items()
]
