"""The screening room: candidates, their checklist, consent and the screening outcome.

Every change is one transaction through the trial services (which audit it); a refused
change re-renders the page with the message at its field and stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from trialdesk.errors import InputError, NotFoundError, TrialdeskError
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening import consent, enrolment, facts, imports
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.screening.entry_concepts import entry_concepts
from trialdesk.trial.screening.fact_entry import FactEntry
from trialdesk.trial.screening.models import Candidate, CandidateStatus, Enrolment
from trialdesk.trial.screening.trail import candidate_trail
from trialdesk.web import csrf, forms, signing
from trialdesk.web.access import allow
from trialdesk.web.identity import StaffUser, now
from trialdesk.web.page_cache import PageCache, change_marker
from trialdesk.web.pages import render
from trialdesk.web.routes.staff import store_of
from trialdesk.web.schemas import RowId
from trialdesk.web.studies import all_studies, study_or_404

router = APIRouter(include_in_schema=False)

# Uploads (FHIR exports, feasibility lists) are bigger than forms; the service checks the
# exact limit and says so, this only stops a runaway body early.
UPLOAD_BODY_LIMIT = imports.MAX_UPLOAD_BYTES + 64 * 1024
OUTCOMES = ("enrol", "screen_fail", "decline")
# A Bulk Data export has one NDJSON file per resource type: a few dozen at most.
MAX_UPLOAD_FILES = 64


def today() -> date:
    return now().date()


def _user(request: Request) -> StaffUser:
    user: StaffUser = request.state.user
    return user


def _version(form: FormData) -> int | None:
    try:
        return forms.number(form, "version")
    except ValueError:  # digits int() does not read, such as "²"
        raise InputError("must be a whole number", field="version") from None


# ----------------------------------------------------------------------------- the list


@router.get(
    "/staff/candidates",
    response_class=HTMLResponse,
    dependencies=[allow(Permission.VIEW_CANDIDATES)],
)
async def candidate_list(
    request: Request, study: str | None = None, status: str | None = None
) -> HTMLResponse:
    return _list_page(request, study, status)


def _list_page(
    request: Request,
    study: str | None,
    status: str | None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    code: int = 200,
) -> HTMLResponse:
    chosen = CandidateStatus(status) if status in {s.value for s in CandidateStatus} else None
    studies = all_studies(request)
    study = study if study in {s.id for s in studies} else None  # unknown: no filter
    with store_of(request).read() as session:
        rows = cands.list_candidates(session, study, chosen)
        return render(
            request,
            "candidates.html",
            {
                "rows": rows,
                # both sides of a possible duplicate: the one added later names the other
                "flagged": {c.id for c in rows if c.possible_duplicates}
                | {d for c in rows for d in c.possible_duplicates},
                "studies": studies,
                "study": study or "",
                "status": chosen.value if chosen else "",
                "statuses": [s.value for s in CandidateStatus],
                "errors": errors or {},
                "values": values or {},
                "max_mb": imports.MAX_UPLOAD_BYTES // (1024 * 1024),
            },
            status_code=code,
        )


def _refused(request: Request, error: TrialdeskError, form: FormData) -> HTMLResponse:
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    # An upload's error names the file: with several files chosen, which one to fix.
    message = f"{error.file}: {error.message}" if error.file else error.message
    return _list_page(
        request, values.get("study"), None, {error.field or "form": message}, values, 422
    )


@router.post("/staff/candidates", dependencies=[allow(Permission.EDIT_CANDIDATES)])
async def add_candidate(request: Request) -> Response:
    form = await request.form()
    try:
        study = study_or_404(request, forms.text(form, "study", 32))
        person = cands.NewCandidate(
            name=forms.text(form, "name", 200),
            birth_date=forms.optional_day(form, "birth_date"),
            sex=forms.text(form, "sex", 16) or None,
            record_number=forms.text(form, "record_number", 64) or None,
        )
        with store_of(request).transaction() as session:
            added = cands.add_candidate(
                session, actor=_user(request).username, study_id=study.id, person=person, now=now()
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
            raise InputError("choose a file", field="file")
        if len(chosen) > MAX_UPLOAD_FILES:
            raise InputError(f"choose at most {MAX_UPLOAD_FILES} files", field="file")
        files = [(f.filename or "", await f.read(imports.MAX_UPLOAD_BYTES + 1)) for f in chosen]
        with store_of(request).transaction() as session:
            ids = [c.id for c in importer(session, _user(request).username, study.id, files)]
    except TrialdeskError as error:
        return _refused(request, error, form)
    if len(ids) == 1:
        return RedirectResponse(f"/staff/candidates/{ids[0]}", status_code=303)
    return RedirectResponse(f"/staff/candidates?study={study.id}", status_code=303)


def _fhir_files(session: Session, actor: str, study_id: str, files: Files) -> list[Candidate]:
    """A Bundle or NDJSON file, or the NDJSON files of one Bulk Data export."""
    return imports.import_fhir_files(
        session, actor=actor, study_id=study_id, files=files, now=now()
    )


def _feasibility_list(session: Session, actor: str, study_id: str, files: Files) -> list[Candidate]:
    if len(files) > 1:
        raise InputError("choose one candidate list", field="file")
    (filename, data), *_ = files
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
            session, actor=_user(request).username, lead_id=lead_id, now=now()
        )
        new_id = added.id
    return RedirectResponse(f"/staff/candidates/{new_id}", status_code=303)


# ----------------------------------------------------------------- the screening page


@router.get(
    "/staff/candidates/{candidate_id}",
    response_class=HTMLResponse,
    dependencies=[allow(Permission.VIEW_CANDIDATES)],
)
async def candidate_page(request: Request, candidate_id: RowId, concept: str = "") -> Response:
    """The screening page; ``concept`` opens the fact form for that value set (a two-step
    form: only the fields that concept takes, and only its own codes).

    Kept rendered until the next audited write (``page_cache``), for each user, with the
    browser's own CSRF token put in as it is served. A browser without its CSRF cookie
    yet gets a page built for it, which mints one."""
    concept = concept[:64]
    if not request.cookies.get(csrf.COOKIE):  # an empty cookie too: the page mints one
        return _candidate_page(request, candidate_id, values={"concept": concept})
    user = _user(request)
    pages: PageCache = request.app.state.staff_pages
    with store_of(request).read() as session:
        marker = change_marker(session)
        if concept:  # not one of the study's: the page shows no form, as for none
            study = study_or_404(request, cands.candidate_or_404(session, candidate_id).study_id)
            concept = concept if any(c.name == concept for c in entry_concepts(study)) else ""
        key = ("candidate", candidate_id, concept, marker, today(), user.username, user.role)
        body = pages.get(key)
        if body is None:
            built = _candidate_page(
                request, candidate_id, values={"concept": concept}, session=session,
                token=pages.placeholder,
            )  # fmt: skip
            body = bytes(built.body)
            pages.put(key, body)
    return HTMLResponse(pages.with_token(body, csrf.token_for(request)))


def _candidate_page(
    request: Request,
    candidate_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    code: int = 200,
    session: Session | None = None,
    token: str | None = None,
) -> HTMLResponse:
    """The page as built now; ``token`` stands in for the CSRF token in every form."""
    if session is None:
        with store_of(request).read() as session:
            return _candidate_page(request, candidate_id, errors, values, code, session, token)
    candidate = cands.candidate_or_404(session, candidate_id)
    study = study_or_404(request, candidate.study_id)
    context = _screening_context(session, study, candidate)
    chosen = (values or {}).get("concept", "")
    context.update(
        errors=errors or {},
        values=values or {},
        entry=next((c for c in context["concepts"] if c.name == chosen), None),
    )
    if token is not None:
        context["csrf_token"] = token
    return render(request, "candidate.html", context, status_code=code)


def _screening_context(session: Session, study: Study, candidate: Candidate) -> dict[str, Any]:
    checklist = build_checklist(session, study, candidate, today())
    duplicates = cands.duplicates_of(
        session,
        candidate.study_id,
        record_number=candidate.record_number,
        key=candidate.name_key,
        birth_date=candidate.birth_date,
        source_ref=candidate.source_ref,
        exclude=candidate.id,
    )
    enrolled = session.scalars(
        select(Enrolment).where(Enrolment.candidate_id == candidate.id)
    ).first()
    taken, target = enrolment.places(session, study)
    return {
        "candidate": candidate,
        "study": study,
        "checklist": checklist,
        "result": checklist.result,
        "duplicates": duplicates,
        "enrolment": enrolled,
        "places": {"taken": taken, "target": target},
        "concepts": entry_concepts(study),
        "forms": consent.form_versions(session, study.id),
        "trail": candidate_trail(session, candidate.id),
        "today": today().isoformat(),
    }


def _refused_on_page(
    request: Request, candidate_id: int, error: TrialdeskError, form: FormData
) -> HTMLResponse:
    values = {
        k: v for k, v in form.items() if isinstance(v, str) and k not in ("csrf_token", "password")
    }
    return _candidate_page(
        request, candidate_id, {error.field or "form": error.message}, values, 422
    )


async def _change(
    request: Request, candidate_id: int, change: Callable[[Session, FormData], object], anchor: str
) -> Response:
    """Run one change in one transaction; back to the page (at ``anchor``) or the refusal."""
    form = await request.form()
    try:
        with store_of(request).transaction() as session:
            change(session, form)
    except TrialdeskError as error:
        return _refused_on_page(request, candidate_id, error, form)
    return RedirectResponse(f"/staff/candidates/{candidate_id}#{anchor}", status_code=303)


def _study_of(request: Request, session: Session, candidate_id: int) -> Study:
    return study_or_404(request, cands.candidate_or_404(session, candidate_id).study_id)


@router.post(
    "/staff/candidates/{candidate_id}/identity", dependencies=[allow(Permission.EDIT_CANDIDATES)]
)
async def correct_identity(request: Request, candidate_id: RowId) -> Response:
    def change(session: Session, form: FormData) -> object:
        return cands.correct_identity(
            session,
            actor=_user(request).username,
            candidate_id=candidate_id,
            expected_version=_version(form),
            person=cands.NewCandidate(
                name=forms.text(form, "name", 200),
                birth_date=forms.optional_day(form, "birth_date"),
                sex=forms.text(form, "sex", 16) or None,
                record_number=forms.text(form, "record_number", 64) or None,
            ),
            reason=forms.text(form, "reason"),
            now=now(),
        )

    return await _change(request, candidate_id, change, "details")


@router.post(
    "/staff/candidates/{candidate_id}/details", dependencies=[allow(Permission.EDIT_CANDIDATES)]
)
async def screening_details(request: Request, candidate_id: RowId) -> Response:
    def change(session: Session, form: FormData) -> object:
        return cands.set_screening_details(
            session,
            actor=_user(request).username,
            candidate_id=candidate_id,
            expected_version=_version(form),
            screening_date=forms.optional_day(form, "screening_date"),
            baseline_date=forms.optional_day(form, "baseline_date"),
            target_knee=forms.text(form, "target_knee", 10) or None,
            reason=forms.text(form, "reason") or None,
            now=now(),
        )

    return await _change(request, candidate_id, change, "details")


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


@router.post(
    "/staff/candidates/{candidate_id}/facts", dependencies=[allow(Permission.EDIT_CANDIDATES)]
)
async def add_fact(request: Request, candidate_id: RowId) -> Response:
    def change(session: Session, form: FormData) -> object:
        return facts.add_fact(
            session,
            actor=_user(request).username,
            study=_study_of(request, session, candidate_id),
            candidate_id=candidate_id,
            entry=fact_entry_of(form),
            now=now(),
        )

    return await _change(request, candidate_id, change, "checklist")


@router.post(
    "/staff/candidates/{candidate_id}/facts/{fact_id}/retract",
    dependencies=[allow(Permission.EDIT_CANDIDATES)],
)
async def retract_fact(request: Request, candidate_id: RowId, fact_id: RowId) -> Response:
    def change(session: Session, form: FormData) -> object:
        row = facts.retract_fact(
            session, actor=_user(request).username, fact_id=fact_id,
            reason=forms.text(form, "reason"), now=now(),
        )  # fmt: skip
        if row.candidate_id != candidate_id:
            raise NotFoundError(f"fact {fact_id} is not this candidate's")
        return row

    return await _change(request, candidate_id, change, "facts")


@router.post(
    "/staff/candidates/{candidate_id}/judgments",
    dependencies=[allow(Permission.SIGN_ELIGIBILITY)],
)
async def sign_judgment(request: Request, candidate_id: RowId) -> Response:
    form = await request.form()
    try:
        await signing.sign(
            request,
            candidate_id,
            password=forms.text(form, "password", 1024),
            criterion=forms.text(form, "criterion", 32),
            decision=forms.text(form, "decision", 10),
            reason=forms.text(form, "reason"),
            basis=forms.text(form, "basis", 64),
        )
    except TrialdeskError as error:
        return _refused_on_page(request, candidate_id, error, form)
    return RedirectResponse(f"/staff/candidates/{candidate_id}#checklist", status_code=303)


@router.post(
    "/staff/candidates/{candidate_id}/consent", dependencies=[allow(Permission.EDIT_CANDIDATES)]
)
async def record_consent(request: Request, candidate_id: RowId) -> Response:
    def change(session: Session, form: FormData) -> object:
        return consent.record_consent(
            session,
            actor=_user(request).username,
            candidate_id=candidate_id,
            form_version=forms.text(form, "form_version", 32),
            consented_at=forms.moment(form, "consented_at"),
            obtained_by=forms.text(form, "obtained_by", 200),
            participant_signed_on=forms.day(form, "participant_signed_on"),
            now=now(),
        )

    return await _change(request, candidate_id, change, "consent")


@router.post(
    "/staff/candidates/{candidate_id}/outcome", dependencies=[allow(Permission.EDIT_CANDIDATES)]
)
async def record_outcome(request: Request, candidate_id: RowId) -> Response:
    def change(session: Session, form: FormData) -> object:
        action = forms.text(form, "outcome", 20)
        actor, version = _user(request).username, _version(form)
        if action == "enrol":
            return enrolment.enrol(
                session, actor=actor, study=_study_of(request, session, candidate_id),
                candidate_id=candidate_id, expected_version=version, today=today(), now=now(),
            )  # fmt: skip
        if action == "screen_fail":
            return enrolment.screen_fail(
                session, actor=actor, study=_study_of(request, session, candidate_id),
                candidate_id=candidate_id, expected_version=version,
                reason=forms.text(form, "reason") or None, today=today(), now=now(),
            )  # fmt: skip
        if action == "decline":
            return enrolment.decline(
                session, actor=actor, candidate_id=candidate_id, expected_version=version,
                reason=forms.text(form, "reason"), now=now(),
            )  # fmt: skip
        raise InputError(f"must be one of {', '.join(OUTCOMES)}", field="outcome")

    return await _change(request, candidate_id, change, "outcome")


@router.post(
    "/staff/candidates/{candidate_id}/withdraw", dependencies=[allow(Permission.EDIT_CANDIDATES)]
)
async def withdraw(request: Request, candidate_id: RowId) -> Response:
    def change(session: Session, form: FormData) -> object:
        return enrolment.withdraw(
            session,
            actor=_user(request).username,
            candidate_id=candidate_id,
            expected_version=_version(form),
            withdrawn_on=forms.day(form, "withdrawn_on"),
            reason=forms.text(form, "reason"),
            now=now(),
        )

    return await _change(request, candidate_id, change, "outcome")
