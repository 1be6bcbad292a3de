"""The list of candidates and the ways in: by form, FHIR upload, feasibility list or a
self-check lead. Each addition is one transaction through the trial services."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from datetime import UTC
from typing import Annotated
from urllib.parse import urlencode

from cachetools import LRUCache
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from trialdesk.criteria.screening import Verdict
from trialdesk.errors import InputError, TrialdeskError
from trialdesk.i18n import _
from trialdesk.selfcheck.said import messages_by_field
from trialdesk.study.loader import Study
from trialdesk.study.windows import site_today, site_zone
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening import imports
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.screening.models import Candidate, CandidateStatus
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Session
from trialdesk.web import forms
from trialdesk.web.access import allow
from trialdesk.web.deps import all_studies, now, store_of, study_or_404, user_of
from trialdesk.web.errors import status_of
from trialdesk.web.locale import locale_of
from trialdesk.web.pages import render
from trialdesk.web.rooms.screening.forms import (
    MAX_UPLOAD_FILES,
    UPLOAD_BODY_LIMIT,
)
from trialdesk.web.rooms.screening.words import (
    candidate_status_words,
    source_words,
    verdict_words,
)
from trialdesk.web.schemas import RowId

router = APIRouter(include_in_schema=False)


PAGE_SIZE = 25


@router.get(
    "/staff/candidates",
    response_class=HTMLResponse,
    dependencies=[allow(Permission.VIEW_CANDIDATES)],
)
async def candidate_list(
    request: Request,
    study: str | None = None,
    status: str | None = None,
    verdict: str | None = None,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    listing = Listing(study, status, verdict, q.strip(), page)
    # the page judges candidates (the engine): in the thread pool, off the event loop
    return await run_in_threadpool(_list_page, request, listing)


@dataclass(frozen=True)
class Listing:
    """What the list shows: filters (an unknown value is no filter), search, page."""

    study: str | None = None
    status: str | None = None
    verdict: str | None = None
    search: str = ""
    page: int = 1

    def query(self, **changes: object) -> str:
        values = {"study": self.study, "status": self.status, "verdict": self.verdict,
                  "q": self.search, "page": self.page, **changes}  # fmt: skip
        return urlencode({k: v for k, v in values.items() if v not in (None, "", 1)})


# Verdicts by (candidate, site day, audit head): the engine's, not stored, and the same
# until the next audited write (web/page_cache.py says why the head marks a state of the
# whole store) or the next day (a date not set yet is today). Sized for a whole study's
# list filtered by verdict, so that filter judges each candidate once per write.
_VERDICTS_LOCK = threading.Lock()


def _verdicts(request: Request) -> LRUCache[Hashable, str | None]:
    state = request.app.state
    with _VERDICTS_LOCK:
        kept: LRUCache[Hashable, str | None] | None = getattr(state, "candidate_verdicts", None)
        if kept is None:
            kept = state.candidate_verdicts = LRUCache(maxsize=16384)
        return kept


def _verdict_of(
    request: Request, session: Session, candidate: Candidate, head: Hashable
) -> str | None:
    """The checklist's verdict today at the site (None where it cannot be read: an
    altered upload, a study this app does not serve), kept under the audit ``head``
    read first in ``session``."""
    studies: dict[str, Study] = request.app.state.studies
    study = studies.get(candidate.study_id)
    if study is None:
        return None
    today = site_today(study.schedule, now())
    key = (candidate.id, today, head)
    kept = _verdicts(request)
    with _VERDICTS_LOCK:
        if key in kept:
            return kept[key]
    try:
        verdict: str | None = build_checklist(session, study, candidate, today).result.verdict.value
    except TrialdeskError:
        verdict = None
    with _VERDICTS_LOCK:
        kept[key] = verdict
    return verdict


def _list_page(
    request: Request,
    listing: Listing,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    code: int = 200,
) -> HTMLResponse:
    chosen = next((s for s in CandidateStatus if s.value == listing.status), None)
    verdict = next((v.value for v in Verdict if v.value == listing.verdict), None)
    studies = all_studies(request)
    study = listing.study if listing.study in {s.id for s in studies} else None
    listing = replace(listing, study=study, status=chosen.value if chosen else None,
                      verdict=verdict)  # fmt: skip
    with store_of(request).read() as session:
        head = audit.head(session)  # read first: never newer than what is read after it
        found = cands.search_candidates(session, study, chosen, listing.search or None)
        if verdict is not None:  # the verdict is the engine's, not stored: read each one
            judged = [(c, s, _verdict_of(request, session, c, head)) for c, s in found]
            rows = [r for r in judged if r[2] == verdict]
        else:
            rows = [(c, s, None) for c, s in found]
        pages = max(1, -(-len(rows) // PAGE_SIZE))
        number = min(listing.page, pages)
        shown = rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        shown = [(c, s, v or _verdict_of(request, session, c, head)) for c, s, v in shown]
        zones = {s.id: site_zone(s.schedule) for s in studies}
        return render(
            request,
            "candidates.html",
            {
                "rows": shown,
                # the day each was added, at its study's site (UTC for a study not served)
                "added": {
                    c.id: c.created_at.astimezone(zones.get(c.study_id, UTC)).date()
                    for c, _subject, _verdict in shown
                },
                # both sides of a possible duplicate: the one added later names the other
                "flagged": {c.id for c, _subject, _verdict in rows if c.possible_duplicates}
                | {d for c, _subject, _verdict in rows for d in c.possible_duplicates},
                "studies": studies,
                "study": study or "",
                "status": chosen.value if chosen else "",
                "statuses": [s.value for s in CandidateStatus],
                "verdict": verdict or "",
                "search": listing.search,
                "paging": {
                    "page": number,
                    "pages": pages,
                    "total": len(rows),
                    "previous": listing.query(page=number - 1) if number > 1 else None,
                    "next": listing.query(page=number + 1) if number < pages else None,
                },
                "filtered": bool(study or chosen or verdict or listing.search),
                "errors": errors or {},
                "values": values or {},
                "max_mb": imports.MAX_UPLOAD_BYTES // (1024 * 1024),
                "verdict_words": verdict_words(),
                "status_words": candidate_status_words(),
                "source_words": source_words(),
            },  # fmt: skip
            status_code=code,
        )


def _refused(request: Request, error: TrialdeskError, form: FormData) -> HTMLResponse:
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    # An upload's error names the file: with several files chosen, which one to fix.
    message = f"{error.file}: {error.message}" if error.file else error.message
    listing = Listing(study=values.get("study"))
    errors = (
        {error.field or "form": message}
        if error.file
        else messages_by_field(error, locale_of(request))  # each field's, in the reader's words
    )
    return _list_page(request, listing, errors, values, status_of(error))


@router.post("/staff/candidates", dependencies=[allow(Permission.EDIT_CANDIDATES)])
async def add_candidate(request: Request) -> Response:
    form = await request.form()
    try:
        study = study_or_404(request, forms.text(form, "study", 32))
        # every field at fault at once (D6)
        person = cands.NewCandidate.from_form(
            name=forms.text(form, "name"),
            birth_date=forms.text(form, "birth_date"),
            sex=forms.text(form, "sex"),
            record_number=forms.text(form, "record_number"),
            today=site_today(study.schedule, now()),
        )
        with store_of(request).transaction() as session:
            added = cands.add_candidate(
                session,
                actor=user_of(request).username,
                study_id=study.id,
                person=person,
                now=now(),
            )
            new_id = added.id
    except TrialdeskError as error:
        return _refused(request, error, form)
    return RedirectResponse(f"/staff/candidates/{new_id}", status_code=303)


Files = list[tuple[str, bytes]]  # (file name, content) as uploaded


Importer = Callable[[Session, str, str, Files], list[Candidate]]  # session, actor, study


async def _upload(request: Request, importer: Importer) -> Response:
    """Store the uploaded file(s) through ``importer``, in one transaction."""
    form = await request.form(max_part_size=UPLOAD_BODY_LIMIT)
    try:
        study = study_or_404(request, forms.text(form, "study", 32))
        chosen = [f for f in form.getlist("file") if isinstance(f, UploadFile) and f.filename]
        if not chosen:
            raise InputError(_("choose a file"), field="file")
        if len(chosen) > MAX_UPLOAD_FILES:
            raise InputError(_("choose at most %(num)d files", num=MAX_UPLOAD_FILES), field="file")
        files = [(f.filename or "", await f.read(imports.MAX_UPLOAD_BYTES + 1)) for f in chosen]
        # Reading megabytes of FHIR and storing hundreds of candidates takes a second: in
        # the thread pool, so every other request is served meanwhile (security probe F10).
        ids = await run_in_threadpool(
            _imported, request, importer, user_of(request).username, study.id, files
        )
    except TrialdeskError as error:
        return _refused(request, error, form)
    if len(ids) == 1:
        return RedirectResponse(f"/staff/candidates/{ids[0]}", status_code=303)
    return RedirectResponse(f"/staff/candidates?study={study.id}", status_code=303)


def _imported(
    request: Request, importer: Importer, actor: str, study_id: str, files: Files
) -> list[int]:
    with store_of(request).transaction() as session:
        return [c.id for c in importer(session, actor, study_id, files)]


def _fhir_files(session: Session, actor: str, study_id: str, files: Files) -> list[Candidate]:
    """A Bundle or NDJSON file, or the NDJSON files of one Bulk Data export."""
    return imports.import_fhir_files(
        session, actor=actor, study_id=study_id, files=files, now=now()
    )


def _feasibility_list(session: Session, actor: str, study_id: str, files: Files) -> list[Candidate]:
    if len(files) > 1:
        raise InputError(_("choose one candidate list"), field="file")
    (filename, data), *_others = files
    return imports.import_feasibility(
        session, actor=actor, study_id=study_id, filename=filename, data=data, now=now()
    )


@router.post(
    "/staff/candidates/upload",
    dependencies=[allow(Permission.EDIT_CANDIDATES)],
    max_body_size=UPLOAD_BODY_LIMIT,
)
async def upload_fhir(request: Request) -> Response:
    return await _upload(request, _fhir_files)


@router.post(
    "/staff/candidates/feasibility",
    dependencies=[allow(Permission.EDIT_CANDIDATES)],
    max_body_size=UPLOAD_BODY_LIMIT,
)
async def import_feasibility(request: Request) -> Response:
    return await _upload(request, _feasibility_list)


@router.post("/staff/leads/{lead_id}/candidate", dependencies=[allow(Permission.EDIT_CANDIDATES)])
async def lead_to_candidate(request: Request, lead_id: RowId) -> Response:
    with store_of(request).transaction() as session:
        added = imports.from_lead(
            session,
            actor=user_of(request).username,
            lead_id=lead_id,
            now=now(),
            studies=request.app.state.studies,  # the self-check's answers come along (D9)
        )
        new_id = added.id
    return RedirectResponse(f"/staff/candidates/{new_id}", status_code=303)
