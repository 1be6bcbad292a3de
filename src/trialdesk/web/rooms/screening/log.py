"""The screening log: every candidate with dates, outcome and reasons, filtered; its CSV
export and the CONSORT diagram (pages and JSON API)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from trialdesk.errors import InputError, TrialdeskError
from trialdesk.reports.consort import (
    SAFETY_SET,
    ConsortCounts,
    FollowUpCounts,
    consort_of,
    consort_svg,
)
from trialdesk.study.loader import Study
from trialdesk.study.windows import site_today, site_zone
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.screening import enrolment
from trialdesk.trial.screening.models import CandidateStatus
from trialdesk.trial.screening.screening_log import LogFilter, LogRow, screening_log
from trialdesk.trial.store.db import Session
from trialdesk.web import forms
from trialdesk.web.access import allow
from trialdesk.web.deps import all_studies, now, store_of, study_or_404
from trialdesk.web.errors import ERROR_RESPONSES
from trialdesk.web.locale import locale_of
from trialdesk.web.pages import render
from trialdesk.web.rooms.screening.log_csv import BOM, log_csv, pseudonymised_csv
from trialdesk.web.rooms.screening.log_texts import LOG_TEXTS
from trialdesk.web.rooms.screening.site_clock import site_clock
from trialdesk.web.rooms.screening.texts import TEXTS

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["screening"])


def chosen_study(request: Request, study: str | None) -> Study:
    return study_or_404(request, study) if study else all_studies(request)[0]


def consort_today(session: Session, study: Study) -> ConsortCounts:
    """The CONSORT counts, after enrolment as of today at the site (its time zone)."""
    return consort_of(session, study, site_today(study.schedule, now()))


def filter_values(
    status: str = "", added_from: str = "", added_to: str = "", criterion: str = ""
) -> dict[str, str]:
    """The log's filters as typed in the query string (the page shows them back)."""
    return {
        "status": status,
        "added_from": added_from,
        "added_to": added_to,
        "criterion": criterion,
    }


Filters = Annotated[dict[str, str], Depends(filter_values)]


def log_filter(values: dict[str, str], study: Study | None = None) -> LogFilter:
    """The filters; a criterion the study does not have is refused by name (D29), not
    answered with an empty log. Ids are matched whatever their case (i3 is I3)."""
    status = values.get("status") or ""
    if status and status not in {s.value for s in CandidateStatus}:
        raise InputError("not an outcome", field="status")
    criterion = forms.text(values, "criterion", 32) or None
    if criterion is not None and study is not None:
        known = {c.id.upper(): c.id for c in study.criteria.criteria}
        if criterion.upper() not in known:
            raise InputError(
                f"no such criterion in {study.id}: {criterion} (e.g. "
                f"{', '.join(list(known.values())[:3])})",
                field="criterion",
            )
        criterion = known[criterion.upper()]
    return LogFilter(
        status=CandidateStatus(status) if status else None,
        added_from=forms.optional_day(values, "added_from"),
        added_to=forms.optional_day(values, "added_to"),
        criterion=criterion,
    )


@router.get(
    "/staff/screening-log",
    response_class=HTMLResponse,
    dependencies=[allow(Permission.VIEW_CANDIDATES)],
)
async def log_page(request: Request, values: Filters, study: str = "") -> HTMLResponse:
    chosen = chosen_study(request, study)
    errors: dict[str, str] = {}
    try:
        wanted = log_filter(values, chosen)
    except TrialdeskError as error:
        errors[error.field or "form"] = error.message
        wanted = LogFilter()
    clock = site_clock(chosen)
    with store_of(request).read() as session:
        rows = [] if errors else screening_log(session, chosen.id, wanted, clock.zone)
        counts = consort_today(session, chosen)
        taken, target = enrolment.places(session, chosen)
    query = urlencode({"study": chosen.id, **{k: v for k, v in values.items() if v}})
    return render(
        request,
        "screening_log.html",
        {
            "study": chosen,
            "studies": all_studies(request),
            "rows": rows,
            "counts": counts,
            "values": values,
            "errors": errors,
            "statuses": [s.value for s in CandidateStatus],
            "csv_query": query,
            "places": {"taken": taken, "target": target},
            "t": TEXTS,
            "lt": LOG_TEXTS,
            "locale": locale_of(request),
            "zone": clock.label,
        },
        status_code=422 if errors else 200,
    )


@router.get("/staff/screening-log.csv", dependencies=[allow(Permission.VIEW_CANDIDATES)])
async def log_export(
    request: Request, values: Filters, study: str = "", pseudonymised: bool = False
) -> Response:
    """The log as CSV for the site, or with ``pseudonymised=1`` for the sponsor (no name,
    record number, birth date or free text: log_csv.py). UTF-8 with a BOM, for Excel."""
    chosen = chosen_study(request, study)
    wanted = log_filter(values, chosen)
    anchors = [a.name for a in chosen.participant.staff]
    with store_of(request).read() as session:
        rows = screening_log(session, chosen.id, wanted, site_zone(chosen.schedule))
    if pseudonymised:
        age_on = next((a for a in anchors if "screening" in a), None)
        body, kind = pseudonymised_csv(rows, anchors, age_on), "-pseudonymised"
    else:
        body, kind = log_csv(rows, anchors), ""
    day = site_today(chosen.schedule, now()).isoformat()
    name = f"screening-log-{chosen.id}-{day}{kind}.csv"
    return Response(
        BOM + body,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


@router.get("/staff/screening-log/consort.svg", dependencies=[allow(Permission.VIEW_CANDIDATES)])
async def consort_diagram(request: Request, study: str = "") -> Response:
    chosen = chosen_study(request, study)
    with store_of(request).read() as session:
        svg = consort_svg(consort_today(session, chosen))
    return Response(svg, media_type="image/svg+xml")


@api.get("/screening-log", dependencies=[allow(Permission.VIEW_CANDIDATES)])
async def get_log(
    request: Request,
    study: Annotated[str, Query(max_length=32)],
    status: CandidateStatus | None = None,
    added_from: date | None = None,
    added_to: date | None = None,
    criterion: Annotated[str | None, Query(max_length=32)] = None,
) -> dict[str, Any]:
    """Every candidate with dates, outcome and reasons, and the CONSORT counts."""
    chosen = study_or_404(request, study)
    wanted = log_filter({"criterion": criterion or ""}, chosen)
    wanted = LogFilter(status, added_from, added_to, wanted.criterion)
    anchors = [a.name for a in chosen.participant.staff]
    with store_of(request).read() as session:
        rows = screening_log(session, chosen.id, wanted, site_zone(chosen.schedule))
        counts = consort_today(session, chosen)
    return {
        "study": chosen.id,
        "rows": [_row(r, anchors) for r in rows],
        "consort": _consort(counts),
    }


def _consort(counts: ConsortCounts) -> dict[str, Any]:
    """The diagram's counts as JSON; ``follow_up`` (allocation, follow-up, analysis) is
    null for a screening-only study."""
    fields = {k: v for k, v in counts.__dict__.items() if k != "follow_up"}
    return {
        **fields,
        "excluded": counts.excluded,
        "excluded_by_reason": [list(x) for x in counts.excluded_by_reason],
        "follow_up": _follow_up(counts.follow_up) if counts.follow_up is not None else None,
    }


def _follow_up(f: FollowUpCounts) -> dict[str, Any]:
    def reasons(pairs: tuple[tuple[str, int], ...]) -> list[list[Any]]:
        return [list(x) for x in pairs]

    return {
        "arm": f.arm,
        "as_of": f.as_of.isoformat(),
        "allocated": f.allocated,
        "received": f.received,
        "not_received": f.not_received,
        "not_received_by_reason": reasons(f.not_received_by_reason),
        "awaiting": f.awaiting,
        "completed": f.completed,
        "lost_to_follow_up": f.lost,
        "discontinued": f.discontinued,
        "discontinued_by_reason": reasons(f.discontinued_by_reason),
        "ongoing": f.ongoing,
        "analysed": f.analysed,
        "analysis_set": SAFETY_SET,
        "excluded_from_analysis": f.excluded_from_analysis,
        "excluded_from_analysis_by_reason": reasons(f.excluded_from_analysis_by_reason),
    }


def _row(row: LogRow, anchors: list[str]) -> dict[str, Any]:
    """A log row as JSON: the study's dates flat, as ``<anchor>_date`` (null when not set)."""
    # the birth date and sex are on the candidate's page; the log keeps to its columns
    fields = {k: v for k, v in row.__dict__.items() if k not in ("dates", "birth_date", "sex")}
    return {
        **fields,
        **{f"{a}_date": row.dates.get(a) for a in anchors},
        "failed_criteria": list(row.failed_criteria),
    }
