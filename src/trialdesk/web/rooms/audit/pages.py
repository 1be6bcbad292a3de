"""The audit trail for monitors and admins: newest first, filtered by person (candidate),
user, kind of record and site dates, paged, and downloadable as CSV; each change shown as
old → new, each entry linked to the candidates it is about (an upload to those it created:
walkthrough D21). The chain is verified on every view, with whether it is keyed and a
signed anchor of its head to keep elsewhere (docs/audit.md). An entry altered outside the
application so that it cannot be read is listed as unreadable, never a failed page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from trialdesk.errors import FieldErrors, InputError, TrialdeskError
from trialdesk.study.windows import site_zone
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.screening.trail import about_candidate, candidates_of
from trialdesk.trial.store import audit
from trialdesk.trial.store.anchors import Anchor
from trialdesk.trial.store.audit_key import key_for
from trialdesk.trial.store.audit_search import AuditFilter, entities, search
from trialdesk.trial.store.text import plain_text
from trialdesk.web import forms
from trialdesk.web.access import allow
from trialdesk.web.deps import all_studies, now, store_of
from trialdesk.web.locale import locale_of
from trialdesk.web.pages import render
from trialdesk.web.rooms.audit.csv_export import audit_csv
from trialdesk.web.rooms.audit.texts import TEXTS, record_name

router = APIRouter(include_in_schema=False)

AUDIT_PAGE = 200
EXPORT_CHUNK = 1000  # entries read at a time for the CSV


@dataclass(frozen=True)
class Wanted:
    """The filters as understood: the candidate, the search filter, the page."""

    candidate_id: int | None
    filter: AuditFilter
    before: int | None


def _zone(request: Request) -> tzinfo:
    """The site's zone when every study served shares one (a single site); else UTC."""
    zones = {str(site_zone(s.schedule)) for s in all_studies(request)}
    return ZoneInfo(zones.pop()) if len(zones) == 1 else ZoneInfo("UTC")


def _zone_label(zone: tzinfo) -> str:
    offset = now().astimezone(zone).strftime("%z")
    return f"{zone}, UTC{offset[:3]}:{offset[3:]}"


def _wanted(request: Request, values: dict[str, str], errors: dict[str, str]) -> Wanted:
    zone = _zone(request)
    found: dict[str, Any] = {}
    # each filter read on its own, so every wrong one is named at once
    readers: dict[str, Callable[[], object]] = {
        "candidate": lambda: forms.number(values, "candidate"),
        # no control characters (a NUL is refused by PostgreSQL: security probe F6)
        "actor": lambda: plain_text(forms.text(values, "actor", 64), "actor", 64),
        "entity": lambda: plain_text(forms.text(values, "entity", 64), "entity", 64),
        "since": lambda: forms.optional_day(values, "since"),
        "until": lambda: forms.optional_day(values, "until"),
        "before": lambda: forms.number(values, "before"),
    }
    for name, read in readers.items():
        try:
            found[name] = read()
        except TrialdeskError as error:
            errors[error.field or name] = error.message
            found[name] = None
    if errors:
        return Wanted(None, AuditFilter(zone=zone), None)
    return Wanted(
        found["candidate"],
        AuditFilter(
            actor=found["actor"],
            since=found["since"],
            until=found["until"],
            entity=found["entity"],
            zone=zone,
        ),
        found["before"],
    )


def _values(request: Request) -> dict[str, str]:
    names = ("candidate", "actor", "entity", "since", "until", "before")
    return {n: request.query_params.get(n, "") for n in names}


@router.get(
    "/staff/audit", response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_AUDIT)]
)
async def audit_trail(request: Request) -> HTMLResponse:
    """The audit log, newest first, filtered and paged."""
    values = _values(request)
    errors: dict[str, str] = {}
    wanted = _wanted(request, values, errors)
    # Verifying the whole chain takes a while on a big log: in the thread pool, so other
    # requests are served meanwhile (security probe F10).
    context = await run_in_threadpool(_trail, request, wanted)
    filters = {k: v for k, v in values.items() if v and k != "before"}
    zone = wanted.filter.zone
    context.update(
        values=values,
        errors=errors,
        t=TEXTS,
        locale=locale_of(request),
        record_name=record_name,
        zone=zone,
        zone_label=_zone_label(zone),
        filter_query=urlencode(filters),
        paged=wanted.before is not None,
    )
    return render(request, "audit.html", context, status_code=422 if errors else 200)


def _trail(request: Request, wanted: Wanted) -> dict[str, Any]:
    with store_of(request).read() as session:
        report = audit.verify(session)
        scope = (
            about_candidate(session, wanted.candidate_id)
            if wanted.candidate_id is not None
            else None
        )
        # one more than a page: whether there is an older page to link to
        rows = search(session, wanted.filter, AUDIT_PAGE + 1, scope, wanted.before)
        older = rows[AUDIT_PAGE - 1].id if len(rows) > AUDIT_PAGE else None
        rows = rows[:AUDIT_PAGE]
        key = key_for(session)
        # An anchor vouches for the head: signed only for a chain that verified, else it
        # would vouch for a broken or altered log (the page says why there is none).
        if key is None:
            anchor, no_anchor = None, "no_anchor"
        elif not report.ok:
            anchor, no_anchor = None, "no_anchor_broken"
        elif not report.head_id:
            anchor, no_anchor = None, "no_anchor_empty"
        else:
            anchor, no_anchor = Anchor.signed(key, report.head_id, report.head_hash).token, None
        unreadable = report.unreadable or any(r.unreadable for r in rows)
        return {
            "rows": rows,
            "people": candidates_of(session, rows),
            "kinds": entities(session),
            "older": older,
            "report": report,
            "anchor": anchor,
            "no_anchor": no_anchor,  # the key of the text saying why there is no anchor
            "unreadable": unreadable,
            # the fingerprint names the key; where it is kept stays off the page
            "fingerprint": key.fingerprint if key is not None else None,
        }


@router.get("/staff/audit.csv", dependencies=[allow(Permission.VIEW_AUDIT)])
async def audit_export(request: Request) -> Response:
    """Every entry the filters match (not one page), newest first, as CSV."""
    values = _values(request)
    errors: dict[str, str] = {}
    wanted = _wanted(request, values, errors)
    if errors:
        raise FieldErrors([InputError(m, field=f) for f, m in errors.items()], resource="audit")
    body = await run_in_threadpool(_export, request, wanted)
    stamp = now().astimezone(wanted.filter.zone).strftime("%Y%m%d-%H%M")
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="audit-trail-{stamp}.csv"'},
    )


def _export(request: Request, wanted: Wanted) -> bytes:
    """Read in chunks, older and older, in one read transaction (one consistent log)."""
    with store_of(request).read() as session:
        scope = (
            about_candidate(session, wanted.candidate_id)
            if wanted.candidate_id is not None
            else None
        )
        chunks = []
        before = wanted.before
        while True:
            rows = search(session, wanted.filter, EXPORT_CHUNK, scope, before)
            if not rows:
                break
            chunks.append((rows, candidates_of(session, rows)))
            before = rows[-1].id
    return audit_csv(chunks, wanted.filter.zone)
