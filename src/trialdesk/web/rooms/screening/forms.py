"""What the screening room's pages and API share: the upload limits, and reading a form's
version and an entered fact."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from fastapi import Request
from starlette.datastructures import FormData

from trialdesk.errors import InputError
from trialdesk.study.loader import Study
from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening import imports
from trialdesk.trial.screening.fact_entry import FactEntry
from trialdesk.trial.screening.models import Candidate
from trialdesk.trial.store.db import Session
from trialdesk.web import forms
from trialdesk.web.deps import study_or_404
from trialdesk.web.rooms.screening.schemas import CandidateOut, candidate_out

__all__ = [
    "Details",
    "MAX_UPLOAD_FILES",
    "OUTCOMES",
    "UPLOAD_BODY_LIMIT",
    "candidate_json",
    "details_of",
    "fact_entry_of",
    "study_of_candidate",
    "version_of",
]

# Uploads (FHIR exports, feasibility lists) are bigger than forms; the service checks the
# exact limit and says so, this only stops a runaway body early.
UPLOAD_BODY_LIMIT = imports.MAX_UPLOAD_BYTES + 64 * 1024
OUTCOMES = ("enrol", "screen_fail", "decline")
# A Bulk Data export has one NDJSON file per resource type: a few dozen at most.
MAX_UPLOAD_FILES = 64


def version_of(form: FormData) -> int | None:
    try:
        return forms.number(form, "version")
    except ValueError:  # digits int() does not read, such as "²"
        raise InputError("must be a whole number", field="version") from None


def study_of_candidate(request: Request, session: Session, candidate_id: int) -> Study:
    return study_or_404(request, cands.candidate_or_404(session, candidate_id).study_id)


def fact_entry_of(form: FormData) -> FactEntry:
    """A FactEntry from the page's form (or the API's JSON, through the same names)."""

    def opt(name: str, limit: int = 64) -> str | None:
        return forms.text(form, name, limit) or None

    return FactEntry(
        concept=forms.text(form, "concept", 64),
        on=forms.day(form, "on"),
        value=opt("value"),
        unit=opt("unit", 32),
        end=forms.optional_day(form, "end"),
        dose=opt("dose", 32),
        dose_unit=opt("dose_unit", 16),
        per_day=opt("per_day", 16),
        route=opt("route", 32),
        laterality=opt("laterality", 10),
        upper_limit=opt("upper_limit", 40),
        source_document=forms.text(form, "source_document", 200),
        code=opt("code", 100),
    )


@dataclass(frozen=True)
class Details:
    """A candidate's study dates and parameters as a form or a JSON body sends them."""

    dates: dict[str, date | None]
    parameters: dict[str, str | None]


def details_of(study: Study, values: Mapping[str, object], *, strict: bool = False) -> Details:
    """The dates the site sets (fields ``<anchor>_date``) and the study's parameters (fields
    named after them), as the study declares them. ``strict`` (the API): any other field
    than these, ``version`` and ``reason`` is refused at its name, not ignored."""
    participant = study.participant
    date_fields = {f"{a.name}_date": a.name for a in participant.staff}
    if strict:
        known = {*date_fields, *participant.parameters, "version", "reason"}
        for name, value in values.items():
            if name not in known:
                raise InputError(
                    f"{study.id} has no such field; it takes {', '.join(sorted(known))}",
                    field=name,
                )
            declared = name in date_fields or name in participant.parameters
            if declared and value is not None and not isinstance(value, str):
                raise InputError("must be text or null", field=name)
    return Details(
        dates={anchor: forms.optional_day(values, name) for name, anchor in date_fields.items()},
        parameters={name: forms.text(values, name, 64) or None for name in participant.parameters},
    )


def candidate_json(request: Request, session: Session, candidate: Candidate) -> CandidateOut:
    """The candidate as the API shows it, with what their study declares."""
    studies: dict[str, Study] = request.app.state.studies
    return candidate_out(session, studies.get(candidate.study_id), candidate)
