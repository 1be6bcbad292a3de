"""The confirmation step of an irreversible outcome (enrol, screen failure, decline,
withdraw): a second page, no JavaScript needed (issue 17, D10).

The outcome form posts without ``confirmed``: the change is tried in a transaction that is
then rolled back, so a refusal shows at once on the screening page and the confirmation
shows only what would be stored: what it means, the date (today at the site unless
changed) and the warnings (planned baseline passed, screening window closed). The
confirmation form posts the same fields with ``confirmed=yes``, and the change is made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from trialdesk.errors import TrialdeskError
from trialdesk.i18n import _
from trialdesk.study.loader import Study
from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening import enrolment
from trialdesk.trial.screening.models import Candidate, Enrolment
from trialdesk.trial.screening.outcome_dates import OutcomeWarning, outcome_warnings
from trialdesk.trial.store.db import Session
from trialdesk.web.deps import store_of, study_or_404
from trialdesk.web.pages import render
from trialdesk.web.rooms.screening.candidate_page import apply_change, refused_on_page
from trialdesk.web.rooms.screening.site_clock import SiteClock, site_clock

__all__ = ["Change", "action_text", "confirm_or_apply"]

CONFIRMED = "yes"


# (session, form, study, clock) -> what the service returned
Change = Callable[[Session, FormData, Study, SiteClock], object]


@dataclass
class _Preview:
    """What the confirmation page says, read inside the rolled-back transaction."""

    name: str
    fields: dict[str, str] = field(default_factory=dict)  # for explained()'s placeholders
    warnings: list[OutcomeWarning] = field(default_factory=list)


class _RolledBack(Exception):  # noqa: N818 - not an error: carries the preview out of the block
    def __init__(self, preview: _Preview) -> None:
        super().__init__("dry run")
        self.preview = preview


async def confirm_or_apply(
    request: Request, candidate_id: int, action: str, change: Change, anchor: str
) -> Response:
    """Make the change when the form says it was confirmed; else try it, roll it back and
    show the confirmation page (or the refusal, at its field on the screening page)."""
    form = await request.form()
    if form.get("confirmed") == CONFIRMED:

        def confirmed(session: Session, posted: FormData) -> object:
            study = _study(request, session, candidate_id)
            return change(session, posted, study, site_clock(study))

        return await apply_change(request, candidate_id, confirmed, anchor)
    try:
        with store_of(request).transaction() as session:
            study = _study(request, session, candidate_id)
            clock = site_clock(study)
            result = change(session, form, study, clock)
            raise _RolledBack(_preview(session, study, action, result, clock, form))
    except _RolledBack as dry:
        preview = dry.preview
    except TrialdeskError as error:
        return refused_on_page(request, candidate_id, error, form)
    return _confirm_page(request, candidate_id, action, form, preview, study, clock)


def _study(request: Request, session: Session, candidate_id: int) -> Study:
    return study_or_404(request, cands.candidate_or_404(session, candidate_id).study_id)


def _on(form: FormData, clock: SiteClock) -> date:
    raw = form.get("on")
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) and raw else clock.today
    except ValueError:  # the service refused it already; not reached
        return clock.today


def _preview(
    session: Session, study: Study, action: str, result: object, clock: SiteClock, form: FormData
) -> _Preview:
    if isinstance(result, Enrolment):
        candidate = cands.candidate_or_404(session, result.candidate_id)
        taken, target = enrolment.places(session, study)
        fields = {"place": str(taken), "target": str(target), "study": study.id,
                  "subject": result.subject_number}  # fmt: skip
        warnings = outcome_warnings(study, candidate, _on(form, clock)) if action == "enrol" else []
        return _Preview(candidate.name, fields, warnings)
    assert isinstance(result, Candidate)
    criteria = ", ".join(result.failed_criteria)
    return _Preview(result.name, {"criteria": criteria, "study": study.id})


def _confirm_page(
    request: Request,
    candidate_id: int,
    action: str,
    form: FormData,
    preview: _Preview,
    study: Study,
    clock: SiteClock,
) -> Response:
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    context: dict[str, Any] = {
        "action": action, "action_text": action_text(action),
        "explained": explained(action, preview.name, preview.fields),
        "warnings": [warning_text(w) for w in preview.warnings],
        "values": values, "candidate_id": candidate_id, "study": study,
        "zone": clock.label, "today": clock.today.isoformat(),
        "date_field": "withdrawn_on" if action == "withdraw" else "on",
        "target": f"/staff/candidates/{candidate_id}/"
        + ("withdraw" if action == "withdraw" else "outcome"),
    }  # fmt: skip
    return render(request, "candidate_confirm.html", context)


def action_text(action: str) -> str:
    """The outcome a button asks for, as a verb phrase."""
    return {
        "enrol": _("Enrol"),
        "screen_fail": _("Record screen failure"),
        "decline": _("Record as declined"),
        "withdraw": _("Record withdrawal"),
    }[action]


def explained(action: str, name: str, fields: dict[str, str]) -> str:
    """What confirming ``action`` does, for the candidate ``name``."""
    if action == "enrol":
        return _(
            "%(name)s takes place %(place)s of %(target)s in %(study)s and gets the next "
            "subject number.",
            name=name, place=fields["place"], target=fields["target"], study=fields["study"],
        )  # fmt: skip
    if action == "screen_fail":
        return _(
            "%(name)s's screening closes as a screen failure, excluded by %(criteria)s; the "
            "screening log and the CONSORT diagram count it.",
            name=name, criteria=fields["criteria"],
        )  # fmt: skip
    if action == "decline":
        return _("%(name)s's screening closes without enrolment for the reason given.", name=name)
    return _(
        "%(name)s (%(subject)s) is recorded as withdrawn; the enrolment and everything before "
        "it stay.",
        name=name, subject=fields["subject"],
    )  # fmt: skip


def warning_text(warning: OutcomeWarning) -> str:
    """Why the date deserves a second look; dates as the date fields take them (ISO)."""
    dates = [d.isoformat() for d in warning.dates]
    if warning.kind == "baseline_passed":
        return _(
            "The planned baseline date (%(date)s) has passed: set a new planned baseline date.",
            date=dates[0],
        )
    if warning.kind == "baseline_not_set":
        return _("The planned baseline date is not set: the screening window cannot be checked.")
    return _(
        "The screening window (%(start)s to %(end)s, before the planned baseline) closed on "
        "%(end)s: screening results may be too old for this baseline.",
        start=dates[0], end=dates[1],
    )  # fmt: skip
