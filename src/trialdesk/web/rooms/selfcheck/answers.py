"""What the self-check's pages and API share: the answers that count, the consent text a
person agrees to, and their contact details as a lead."""

from __future__ import annotations

from collections.abc import Mapping

from trialdesk import selfcheck
from trialdesk.study.loader import Study
from trialdesk.trial.screening import leads

__all__ = ["ANSWER_PREFIX", "CONTACT_FIELDS", "answered", "consent_text", "lead_contact"]


ANSWER_PREFIX = "a."


CONTACT_FIELDS = ("name", "email", "phone", "preferred_contact")


def consent_text(study: Study) -> str:
    return (
        f"I agree that the team running study {study.id} may contact me about taking part, "
        "using the details above. My answers and contact details are kept only for this and "
        "I can ask for them to be deleted at any time before my screening begins."
    )


def answered(study: Study, form: Mapping[str, object], prefix: str = "") -> dict[str, str]:
    """The non-blank answers to the questions that apply, as raw strings."""
    questions = selfcheck.questions(study)
    raw = {
        q.id: value.strip()
        for q in questions
        if isinstance(value := form.get(prefix + q.id), str) and value.strip()
    }
    shown = {q.id for q in selfcheck.visible(questions, raw)}
    return {k: v for k, v in raw.items() if k in shown}


def lead_contact(contact: Mapping[str, str | None]) -> leads.LeadContact:
    """Blank fields count as not given; LeadContact names the field that is wrong."""
    return leads.LeadContact(
        name=contact.get("name") or "",
        email=contact.get("email") or None,
        phone=contact.get("phone") or None,
        preferred_contact=contact.get("preferred_contact") or None,
    )
