"""The screening room's stored codes in the reader's words: a candidate's status, a
verdict, where a candidate came from, what kind a criterion or an enterable fact is.

The codes stay as stored (the store, the API, the CSV and CDISC exports keep them); pages
show these words instead. Each is a function, called while a page is made, so that the
words come in the reader's language and extraction sees every text."""

from __future__ import annotations

from trialdesk.i18n import _

__all__ = [
    "candidate_status_words",
    "criterion_kind_words",
    "entry_kind_words",
    "source_words",
    "verdict_words",
]


def verdict_words() -> dict[str, str]:
    """The checklist's verdicts (criteria/screening.py ``Verdict``), in their list order."""
    return {
        "eligible": _("eligible"),
        "ineligible": _("ineligible"),
        "incomplete": _("incomplete"),
        "needs_review": _("needs review"),
    }


def candidate_status_words() -> dict[str, str]:
    """A candidate's status (trial/screening/models.py ``CandidateStatus``)."""
    return {
        "screening": _("screening"),
        "screen_failed": _("screen failed"),
        "declined": _("declined"),
        "enrolled": _("enrolled"),
        "withdrawn": _("withdrawn"),
    }


def source_words() -> dict[str, str]:
    """How a candidate came in (``Candidate.source``)."""
    return {
        "form": _("form"),
        "fhir": _("FHIR upload"),
        "lead": _("self-check lead"),
        "feasibility": _("feasibility list"),
    }


def criterion_kind_words() -> dict[str, str]:
    """A criterion's kind (criteria/model.py ``Kind``)."""
    return {"inclusion": _("inclusion"), "exclusion": _("exclusion")}


def entry_kind_words() -> dict[str, str]:
    """What kind of fact a coordinator enters (clinical/valuesets.py ``KINDS``, and the
    record-review attestation)."""
    return {
        "lab": _("lab"),
        "vital": _("vital sign"),
        "score": _("score"),
        "condition": _("condition"),
        "medication": _("medication"),
        "procedure": _("procedure"),
        "vaccine": _("vaccine"),
        "device": _("device"),
        "finding": _("finding"),
        "attestation": _("attestation"),
    }
