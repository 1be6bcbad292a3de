"""An erased lead's page names the fields its audit entries changed, never their values
(review finding 2): a lead stored before revision 0015 was audited with the person's
details, and those entries cannot change, so the page must not print them again."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI
from sqlalchemy import text

from trialdesk.trial.screening import leads
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from webclient import Api, client_as

NCT = "NCT06947746"
NAME, EMAIL, AGE = "Halvard Nesheim", "h.nesheim@example.org", "criterion-age-67"


def _lead_stored_before_0015(store: Store) -> int:
    """A lead as revision 0015 found it: no digest key, its values in the trail."""
    with store.transaction() as session:
        lead = leads.store_lead(
            session, study_id=NCT, contact=leads.LeadContact(NAME, EMAIL),
            answers={"age": AGE}, outcome={"verdict": "may_be_eligible"}, consent_text="ok",
            consented=True, now=datetime.now(UTC),
        )  # fmt: skip
        audit.event(
            session, lead, audit.Action.UPDATE, actor="public", reason="as audited before 0015",
            changes={"name": (None, NAME), "email": (None, EMAIL), "answers": (None, {"age": AGE})},
        )  # fmt: skip
        session.execute(text("UPDATE lead SET digest_key = NULL WHERE id = :i"), {"i": lead.id})
        return lead.id


def test_an_erased_leads_trail_shows_field_names_only(app: FastAPI, store: Store) -> None:
    lead_id = _lead_stored_before_0015(store)
    client = client_as(app, "coordinator")
    before = client.get(f"/staff/leads/{lead_id}").text
    assert AGE in before and 'id="trail-names-only"' not in before  # values while held
    erased = Api(app, "coordinator").post(f"/api/leads/{lead_id}/erase", {"reason": "asked"})
    assert erased.status_code == 200 and erased.json()["copies_in_trail"] is True
    for lang, names_only in (("en", "not their values"), ("zh-CN", "不显示其值")):
        page = client.get(f"/staff/leads/{lead_id}?lang={lang}")
        assert page.status_code == 200
        assert NAME not in page.text and EMAIL not in page.text and AGE not in page.text
        assert 'id="trail-names-only"' in page.text and names_only in page.text
        assert "name, email, answers" in page.text  # which fields the old entry changed
