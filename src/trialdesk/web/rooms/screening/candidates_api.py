"""Candidates through the JSON API: list, add, import (FHIR, feasibility list, lead).
The same services and permissions as the pages, so a script and a coordinator's browser
can do exactly the same things."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening import imports
from trialdesk.trial.screening.models import CandidateStatus
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, study_or_404, user_of
from trialdesk.web.errors import ERROR_RESPONSES
from trialdesk.web.problems import Problem
from trialdesk.web.rooms.screening.forms import UPLOAD_BODY_LIMIT, candidate_json
from trialdesk.web.rooms.screening.schemas import (
    CandidateIn,
    CandidateOut,
)
from trialdesk.web.schemas import ErrorBody, RowId

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["screening"])


@router.get("/candidates", dependencies=[allow(Permission.VIEW_CANDIDATES)])
async def list_candidates(
    request: Request, study: str | None = None, status: CandidateStatus | None = None
) -> list[CandidateOut]:
    chosen = study_or_404(request, study).id if study is not None else None
    with store_of(request).read() as session:
        return [
            candidate_json(request, session, c)
            for c in cands.list_candidates(session, chosen, status)
        ]


@router.post("/candidates", status_code=201, dependencies=[allow(Permission.EDIT_CANDIDATES)])
async def add_candidate(request: Request, body: CandidateIn) -> CandidateOut:
    study = study_or_404(request, body.study)
    person = cands.NewCandidate(body.name, body.birth_date, body.sex, body.record_number)
    with store_of(request).transaction() as session:
        added = cands.add_candidate(
            session, actor=user_of(request).username, study_id=study.id, person=person, now=now()
        )
        return candidate_json(request, session, added)


class UploadTooLarge(Problem):
    status = 413
    code = "too_large"

    def __init__(self) -> None:
        limit = imports.MAX_UPLOAD_BYTES / 1e6
        super().__init__(f"the file is larger than the {limit:.0f} MB limit", field="file")


# The upload routes read their body themselves, up to UPLOAD_BODY_LIMIT: Starlette's own
# limit answers a Content-Length over it with a plain-text 413, not the API's error shape.
_UNLIMITED = 2**62


async def _upload_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "").lstrip("0")
    digits = declared.isascii() and declared.isdigit()  # more than 15: too large anyway
    if digits and (len(declared) > 15 or int(declared) > UPLOAD_BODY_LIMIT):
        raise UploadTooLarge()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > UPLOAD_BODY_LIMIT:
            raise UploadTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


async def _import(request: Request, study: str, filename: str, importer: Any) -> list[CandidateOut]:
    chosen = study_or_404(request, study)
    data = await _upload_body(request)
    actor = user_of(request).username

    def stored() -> list[CandidateOut]:
        with store_of(request).transaction() as session:
            added = importer(
                session, actor=actor, study_id=chosen.id, filename=filename, data=data,
                now=now(),
            )  # fmt: skip
            return [candidate_json(request, session, c) for c in added]

    # in the thread pool: the event loop serves other requests meanwhile (probe F10)
    return await run_in_threadpool(stored)


@router.post(
    "/candidates/fhir",
    status_code=201,
    dependencies=[allow(Permission.EDIT_CANDIDATES)],
    max_body_size=_UNLIMITED,
    responses={413: {"model": ErrorBody}},
)
async def import_fhir(
    request: Request,
    study: Annotated[str, Query(max_length=32)],
    filename: Annotated[str, Query(max_length=255)] = "upload.json",
) -> list[CandidateOut]:
    """The request body is a FHIR R4 Bundle (JSON) or, with a filename ending in .ndjson,
    an NDJSON export. All or nothing."""
    return await _import(request, study, filename, imports.import_fhir)


@router.post(
    "/candidates/feasibility",
    status_code=201,
    dependencies=[allow(Permission.EDIT_CANDIDATES)],
    max_body_size=_UNLIMITED,
    responses={413: {"model": ErrorBody}},
)
async def import_feasibility(
    request: Request,
    study: Annotated[str, Query(max_length=32)],
    filename: Annotated[str, Query(max_length=255)] = "candidates.csv",
) -> list[CandidateOut]:
    """The request body is the CSV of ``trialdesk feasibility --candidates``."""
    return await _import(request, study, filename, imports.import_feasibility)


@router.post(
    "/leads/{lead_id}/candidate", status_code=201, dependencies=[allow(Permission.EDIT_CANDIDATES)]
)
async def lead_to_candidate(request: Request, lead_id: RowId) -> CandidateOut:
    with store_of(request).transaction() as session:
        added = imports.from_lead(
            session,
            actor=user_of(request).username,
            lead_id=lead_id,
            now=now(),
            studies=request.app.state.studies,  # the self-check's answers come along (D9)
        )
        return candidate_json(request, session, added)
