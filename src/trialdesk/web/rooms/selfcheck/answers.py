"""What the self-check's pages and API share: the answers that count, the consent text a
person agrees to, and their contact details as a lead."""

from __future__ import annotations

from collections.abc import Mapping

from trialdesk import selfcheck
from trialdesk.study.loader import Study
from trialdesk.trial.screening import leads
from trialdesk.web.rooms.selfcheck.texts import TEXTS

__all__ = ["ANSWER_PREFIX", "CONTACT_FIELDS", "answered", "consent_text", "lead_contact"]


ANSWER_PREFIX = "a."


CONTACT_FIELDS = ("name", "email", "phone", "preferred_contact")


def consent_text(study: Study, locale: str = "en") -> str:
    """The consent wording as the person read it, in their language: stored with the lead."""
    return TEXTS["consent"].get(locale).format(study=study.id)


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


def lead_contact(contact: Mapping[str, str | None], consented: object) -> leads.LeadContact:
    """The contact details and the consent checked together: blank fields count as not
    given, and every field that is wrong is named at once (FieldErrors)."""
    return leads.LeadContact.with_consent(
        consented,
        name=contact.get("name") or "",
        email=contact.get("email") or None,
        phone=contact.get("phone") or None,
        preferred_contact=contact.get("preferred_contact") or None,
    )
