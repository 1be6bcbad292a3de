"""What the safety room's pages share: the reader's words, the study a page is about, an
adverse event as a form posts it, and the form's values to show again after a refusal."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.datastructures import FormData

from trialdesk.errors import NotFoundError
from trialdesk.study.loader import Study
from trialdesk.trial.safety.causality import CausalityInput
from trialdesk.trial.safety.event_input import EventInput
from trialdesk.trial.safety.models import AdverseEvent
from trialdesk.web import forms
from trialdesk.web.deps import study_or_404
from trialdesk.web.locale import locale_of
from trialdesk.web.rooms.conduct.changes import conduct_studies
from trialdesk.web.rooms.safety.labels import sayer, vocabulary

__all__ = [
    "MULTI",
    "causality_input",
    "event_input",
    "event_values",
    "posted",
    "safety_study",
    "words",
]

MULTI = ("seriousness", "special_interest")  # ticked boxes: several values of one name


def words(request: Request) -> dict[str, Any]:
    """The template's words: ``say``, the vocabularies' labels and the locale."""
    locale = locale_of(request)
    return {"say": sayer(locale), "vocab": vocabulary(locale), "locale": locale}


def safety_study(request: Request, asked: str | None) -> Study:
    """The study asked for, or the first served that follows participants."""
    if asked:
        study = study_or_404(request, asked)
        if study.schedule is None:
            raise NotFoundError(f"{study.id} has no visit schedule: it follows no participants")
        return study
    served = conduct_studies(request)
    if not served:
        raise NotFoundError("no study served here has a visit schedule")
    return served[0]


def _ticked(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str)][:20]


def event_input(form: FormData) -> EventInput:
    """The event as the page posted it: text as typed, the service reads and checks it."""
    return EventInput(
        verbatim=forms.text(form, "verbatim", 400),
        term=forms.text(form, "term", 200),
        onset=forms.text(form, "onset", 32) or None,
        end=forms.text(form, "end", 32) or None,
        grade=forms.text(form, "grade", 8) or None,
        seriousness=_ticked(form, "seriousness"),
        action_taken=forms.text(form, "action_taken", 40) or None,
        outcome=forms.text(form, "outcome", 40) or None,
        special_interest=_ticked(form, "special_interest"),
        baseline_grade=forms.text(form, "baseline_grade", 8) or None,
        worsened_on=forms.text(form, "worsened_on", 32) or None,
    )


def causality_input(form: FormData) -> CausalityInput:
    expected = forms.text(form, "expected", 8)
    return CausalityInput(
        product=forms.text(form, "relationship_product", 20) or None,
        procedure=forms.text(form, "relationship_procedure", 20) or None,
        expected={"yes": True, "no": False}.get(expected),
    )


def posted(form: FormData) -> dict[str, Any]:
    """What was posted, to fill the form again (never the password or the token)."""
    out: dict[str, Any] = {
        k: v
        for k, v in form.items()
        if isinstance(v, str) and k not in ("csrf_token", "password", *MULTI)
    }
    for name in MULTI:
        out[name] = _ticked(form, name)
    return out


def event_values(event: AdverseEvent) -> dict[str, Any]:
    """A stored event as its edit form shows it."""
    return {
        "verbatim": event.verbatim,
        "term": event.term,
        "onset": event.onset_date,
        "end": event.end_date or "",
        "grade": str(event.grade),
        "seriousness": list(event.seriousness),
        "action_taken": event.action_taken,
        "outcome": event.outcome,
        "special_interest": list(event.special_interest),
        "baseline_grade": str(event.baseline_grade) if event.baseline_grade else "",
        "worsened_on": event.worsened_on or "",
    }
