"""The safety room through the JSON API: a participant's adverse events (read, record,
correct with the version read), the investigator's signed causality assessment, the
study's safety listing with the page's filters (and its CSV), the study hold and the
signed safety-review decision that resumes, and the CTCAE v5.0 terms for a picker.

The same permissions as the pages, the same services (audited, every problem at its
field at once, nothing stored on a refusal), the same read model (listing.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from trialdesk.clinical.ctcae_terms import search_terms
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.login import PasswordCheck
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.safety import assessments, events
from trialdesk.trial.safety.causality import Signing
from trialdesk.trial.safety.events import EventWritten
from trialdesk.trial.store.db import Session
from trialdesk.web import signing
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, user_of
from trialdesk.web.errors import ERROR_RESPONSES
from trialdesk.web.rooms.conduct.changes import study_of_participant
from trialdesk.web.rooms.safety import recording
from trialdesk.web.rooms.safety.hold_pages import resume
from trialdesk.web.rooms.safety.listing import (
    EventRow,
    event_row,
    hold_view,
    listing_csv,
    participant_rows,
    read_listing,
    study_rows,
)
from trialdesk.web.rooms.safety.listing_pages import csv_response
from trialdesk.web.rooms.safety.schemas import (
    CausalityIn,
    EventChangeIn,
    EventOut,
    EventRecordIn,
    HoldOut,
    ListingOut,
    ReviewIn,
    TermOut,
    event_out,
    hold_out,
    term_out,
)
from trialdesk.web.rooms.safety.shared import safety_study, words
from trialdesk.web.schemas import RowId

__all__ = ["router"]

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["safety"])

EVENTS = "/participants/{enrolment_id}/adverse-events"
EVENT = EVENTS + "/{event_id}"
StudyId = Annotated[
    str | None,
    Query(max_length=32, description="NCT id (default: the first study served with a schedule)"),
]
YesNo = Annotated[bool | None, Query(description="true, false, or absent: either")]


def _out(session: Session, study: Study, enrolment_id: int, written: EventWritten) -> EventOut:
    participant = participant_or_404(session, enrolment_id, study=study)
    row = event_row(session, study, participant, written.event.id)
    return event_out(row, study, written.paused.reason if written.paused else None)


@router.get(EVENTS, dependencies=[allow(Permission.VIEW_SAFETY)])
async def list_events(request: Request, enrolment_id: RowId) -> list[EventOut]:
    """The participant's adverse events in their order, each with its causality state
    (unsigned, signed, lapsed) and whether it is treatment-emergent (derived)."""
    with store_of(request).read() as session:
        study = study_of_participant(request, session, enrolment_id)
        participant = participant_or_404(session, enrolment_id, study=study)
        return [event_out(r, study) for r in participant_rows(session, study, participant)]


@router.post(EVENTS, status_code=201, dependencies=[allow(Permission.RECORD_ADVERSE_EVENTS)])
async def record_event(request: Request, enrolment_id: RowId, body: EventRecordIn) -> EventOut:
    """Record an adverse event. Every problem at its field at once (422), nothing stored.
    An investigator may sign its causality in the same act (``causality``, ``password``).
    A write that meets a stopping rule pauses the study (``paused_study``)."""
    with store_of(request).read() as session:  # an unknown participant: 404 first
        study = study_of_participant(request, session, enrolment_id)
    assessed = body.causality.given() if body.causality is not None else None
    written = await recording.record(
        request, enrolment_id, body.given(), assessed, body.password or ""
    )
    with store_of(request).read() as session:
        return _out(session, study, enrolment_id, written)


@router.get(EVENT, dependencies=[allow(Permission.VIEW_SAFETY)])
async def get_event(request: Request, enrolment_id: RowId, event_id: RowId) -> EventOut:
    with store_of(request).read() as session:
        study = study_of_participant(request, session, enrolment_id)
        participant = participant_or_404(session, enrolment_id, study=study)
        return event_out(event_row(session, study, participant, event_id), study)


@router.put(EVENT, dependencies=[allow(Permission.RECORD_ADVERSE_EVENTS)])
async def correct_event(
    request: Request, enrolment_id: RowId, event_id: RowId, body: EventChangeIn
) -> EventOut:
    """Correct the whole event with the ``version`` read (changed meanwhile: 409, reload)
    and a ``reason``; a change to what its causality assessment relied on lapses it."""
    with store_of(request).transaction() as session:
        study = study_of_participant(request, session, enrolment_id)
        written = events.update_adverse_event(
            session, actor=user_of(request).username, study=study, enrolment_id=enrolment_id,
            event_id=event_id, given=body.given(), expected_version=body.version,
            reason=body.reason, now=now(),
        )  # fmt: skip
        return _out(session, study, enrolment_id, written)


@router.post(EVENT + "/causality", status_code=201, dependencies=[allow(Permission.SIGN_CAUSALITY)])
async def sign_causality(
    request: Request, enrolment_id: RowId, event_id: RowId, body: CausalityIn
) -> EventOut:
    """The investigator signs the event's relationship to the product and to the injection
    procedure and its expectedness, the password asked again (a wrong one counts towards
    the lockout). A later change to the event lapses the assessment, visibly."""
    with store_of(request).read() as session:  # an unknown event: 404 before the password
        study = study_of_participant(request, session, enrolment_id)
        event_row(session, study, participant_or_404(session, enrolment_id, study=study), event_id)
    given = body.given()

    def act(session: Session, signer: User, checked: PasswordCheck) -> EventWritten:
        return assessments.assess_causality(
            session, signing=Signing(signer, body.password, checked), study=study,
            enrolment_id=enrolment_id, event_id=event_id, given=given,
            expected_version=body.version, now=now(),
        )  # fmt: skip

    written = await signing.sign(request, body.password, act)
    with store_of(request).read() as session:
        return _out(session, study, enrolment_id, written)


def _listing(
    request: Request,
    study: str | None,
    term: str | None,
    grade_at_least: int | None,
    serious: bool | None,
    teae: bool | None,
    aesi: str | None,
    related: bool | None,
    participant: str | None,
) -> tuple[Study, list[EventRow]]:
    chosen = safety_study(request, study)
    flags = {"serious": serious, "teae": teae, "related": related}
    given = {
        "term": term or "",
        "grade_at_least": str(grade_at_least) if grade_at_least is not None else "",
        "aesi": aesi or "",
        "participant": participant or "",
        **{k: ("" if v is None else "yes" if v else "no") for k, v in flags.items()},
    }
    wanted = read_listing(given, chosen)
    with store_of(request).read() as session:
        return chosen, [r for r in study_rows(session, chosen) if wanted.keeps(r)]


Term = Annotated[str | None, Query(max_length=120, description="part of the term or its SOC")]
Grade = Annotated[int | None, Query(ge=1, le=5)]
Aesi = Annotated[
    str | None, Query(max_length=64, description="an AESI id of the study, or any: one of them")
]
Subject = Annotated[str | None, Query(max_length=32, description="a subject number")]


@router.get("/safety/adverse-events", dependencies=[allow(Permission.VIEW_SAFETY)])
async def listing(
    request: Request, study: StudyId = None, term: Term = None, grade_at_least: Grade = None,
    serious: YesNo = None, teae: YesNo = None, aesi: Aesi = None, related: YesNo = None,
    participant: Subject = None,
) -> ListingOut:  # fmt: skip
    """Every adverse event of the study, by subject number, filtered as the listing page
    filters (``related``: the newest assessment, as the stopping rules read it)."""
    chosen, rows = _listing(
        request, study, term, grade_at_least, serious, teae, aesi, related, participant
    )
    return ListingOut(
        study=chosen.id,
        events=[event_out(r, chosen) for r in rows],
    )


@router.get(
    "/safety/adverse-events.csv",
    dependencies=[allow(Permission.VIEW_SAFETY)],
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def listing_export(
    request: Request, study: StudyId = None, term: Term = None, grade_at_least: Grade = None,
    serious: YesNo = None, teae: YesNo = None, aesi: Aesi = None, related: YesNo = None,
    participant: Subject = None,
) -> Response:  # fmt: skip
    """The listing as CSV: UTF-8 with a byte-order mark (Excel reads Chinese), headers in
    the reader's language (``?lang=`` or Accept-Language), participants named by subject
    number only (the verbatim term is the site's free text, as entered)."""
    chosen, rows = _listing(
        request, study, term, grade_at_least, serious, teae, aesi, related, participant
    )
    said = words(request)
    body = listing_csv(rows, chosen, said["say"], said["locale"])
    return csv_response(body, chosen)


@router.get("/safety/hold", dependencies=[allow(Permission.VIEW_SAFETY)])
async def get_hold(request: Request, study: StudyId = None) -> HoldOut:
    """Whether the study is paused, by which stopping rule, and the events meeting the
    rules now."""
    chosen = safety_study(request, study)
    with store_of(request).read() as session:
        return hold_out(hold_view(session, chosen), chosen)


@router.post(
    "/safety/hold/review", status_code=201, dependencies=[allow(Permission.SIGN_SAFETY_REVIEW)]
)
async def sign_review(request: Request, body: ReviewIn, study: StudyId = None) -> HoldOut:
    """The investigator's signed safety-review decision: the study resumes; the hold, the
    decision and the events it reviewed stay on record. Not paused: 409."""
    chosen = safety_study(request, study)
    await resume(request, chosen, body.decision, body.password, body.hold)
    with store_of(request).read() as session:
        return hold_out(hold_view(session, chosen), chosen)


@router.get("/safety/ctcae-terms", dependencies=[allow(Permission.VIEW_SAFETY)])
async def ctcae_terms(
    q: Annotated[str, Query(max_length=120, description="part of a term, or a MedDRA code")],
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> list[TermOut]:
    """CTCAE v5.0 terms matching ``q``, best first, each with its SOC and NCI's text for
    grades 1-5 (null: the term has no such grade). NCI publishes them in English only."""
    return [term_out(t) for t in search_terms(q, limit)]
