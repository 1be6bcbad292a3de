"""Serious adverse event reports through the JSON API: a serious event's 24-hour clock and
reports, a report drafted, saved whole with the version read, submitted by the
investigator's signature, and read as the CIOMS I form; the study's SAE clocks.

The same permissions as the pages (sae_pages.py), the same services (audited, every
problem at its field at once, nothing stored on a refusal), the same read model.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from trialdesk.reports.cioms import cioms_form
from trialdesk.study.loader import Study
from trialdesk.study.windows import site_time
from trialdesk.trial.accounts.login import PasswordCheck
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.safety import sae_reports
from trialdesk.trial.safety.causality import Signing
from trialdesk.trial.safety.clock import SaeClock, study_clocks
from trialdesk.trial.safety.sae_models import SaeReport
from trialdesk.trial.safety.sae_reports import ReportInput, SaeView
from trialdesk.trial.store.db import Session
from trialdesk.web import signing
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, user_of
from trialdesk.web.errors import ERROR_RESPONSES
from trialdesk.web.rooms.conduct.changes import study_of_participant
from trialdesk.web.rooms.safety.sae_pages import event_clock
from trialdesk.web.rooms.safety.shared import safety_study
from trialdesk.web.schemas import RowId, Strict

__all__ = ["router"]

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["safety"])

SAE = "/participants/{enrolment_id}/adverse-events/{event_id}/sae"
REPORT = SAE + "/reports/{report_id}"
StudyId = Annotated[
    str | None,
    Query(max_length=32, description="NCT id (default: the first study served with a schedule)"),
]
_CARRY = 2 * sae_reports.NARRATIVE_MAX  # the service checks the real limits, at their fields


class ReportIn(Strict):
    """A report's fields as typed; blank or absent is none. Dates: YYYY-MM-DD."""

    narrative: str | None = Field(default=None, max_length=_CARRY)
    admitted_on: str | None = Field(default=None, max_length=32)
    discharged_on: str | None = Field(default=None, max_length=32)
    tests: str | None = Field(default=None, max_length=_CARRY)
    concomitant: str | None = Field(default=None, max_length=_CARRY)
    reporter: str | None = Field(default=None, max_length=_CARRY)

    def given(self) -> ReportInput:
        return ReportInput(
            self.narrative, self.admitted_on, self.discharged_on, self.tests,
            self.concomitant, self.reporter,
        )  # fmt: skip


class ReportChangeIn(ReportIn):
    version: int = Field(ge=1, description="the version of the report read: changed since, 409")


class SubmitIn(Strict):
    password: str = Field(max_length=1024, description="the investigator's, asked again")
    version: int | None = Field(default=None, ge=1, description="the version of the report read")


class ClockOut(BaseModel):
    event_id: int
    enrolment_id: int
    subject_number: str
    sequence: int
    term: str
    state: Literal["open", "overdue", "met", "late"]
    start: datetime = Field(description="serious since: awareness")
    due: datetime = Field(description="24 hours after start")
    submitted_at: datetime | None
    seconds: int = Field(description="open: left; overdue, late: over; met: before due")
    start_at_site: str
    due_at_site: str


class SignatureOut(BaseModel):
    signer: str
    printed_name: str
    meaning: str
    signed_at: datetime
    digest: str


class ReportOut(BaseModel):
    id: int
    number: int = Field(description="0: the initial report; 1, 2, ...: follow-ups")
    label: str
    state: Literal["draft", "submitted"]
    narrative: str | None
    admitted_on: str | None
    discharged_on: str | None
    outcome: str
    tests: str | None
    concomitant: str | None
    reporter: str | None
    version: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    submitted_at: datetime | None
    signature: SignatureOut | None
    cioms_pdf: str = Field(description="the CIOMS I form as a PDF (a page route)")


class SaeOut(BaseModel):
    enrolment_id: int
    subject_number: str
    event_id: int
    sequence: int
    term: str
    serious: bool
    seriousness: list[str]
    clock: ClockOut | None
    reports: list[ReportOut]


def _at(study: Study, moment: datetime) -> str:
    local = site_time(study.schedule, moment)
    return f"{local.strftime('%Y-%m-%d %H:%M')} {local.tzname()}"


def clock_out(clock: SaeClock, study: Study) -> ClockOut:
    return ClockOut(
        event_id=clock.event_id, enrolment_id=clock.enrolment_id,
        subject_number=clock.subject_number, sequence=clock.sequence, term=clock.term,
        state=clock.state.value, start=clock.start, due=clock.due,
        submitted_at=clock.submitted_at, seconds=int(clock.delta.total_seconds()),
        start_at_site=_at(study, clock.start), due_at_site=_at(study, clock.due),
    )  # fmt: skip


def report_out(view: SaeView, report: SaeReport) -> ReportOut:
    signature = report.signature
    pdf = (
        f"/staff/participants/{view.participant.id}/adverse-events/{view.event.id}"
        f"/sae/reports/{report.id}/cioms.pdf"
    )
    return ReportOut(
        id=report.id, number=report.number, label=report.label,
        state="submitted" if report.submitted else "draft", narrative=report.narrative,
        admitted_on=report.admitted_on.isoformat() if report.admitted_on else None,
        discharged_on=report.discharged_on.isoformat() if report.discharged_on else None,
        outcome=report.outcome, tests=report.tests, concomitant=report.concomitant,
        reporter=report.reporter, version=report.version, created_at=report.created_at,
        created_by=report.created_by, updated_at=report.updated_at,
        updated_by=report.updated_by, submitted_at=report.submitted_at,
        signature=SignatureOut(
            signer=signature.signer, printed_name=signature.printed_name,
            meaning=signature.meaning, signed_at=signature.signed_at, digest=signature.digest,
        ) if signature is not None else None,
        cioms_pdf=pdf,
    )  # fmt: skip


def _view(session: Session, request: Request, enrolment_id: int, event_id: int) -> SaeView:
    study = study_of_participant(request, session, enrolment_id)
    return sae_reports.sae_view(session, study, enrolment_id, event_id)


def _report(session: Session, request: Request, ids: tuple[int, int, int]) -> ReportOut:
    enrolment_id, event_id, report_id = ids
    view = _view(session, request, enrolment_id, event_id)
    return report_out(view, view.report(report_id))


@router.get(SAE, dependencies=[allow(Permission.VIEW_SAFETY)])
async def get_sae(request: Request, enrolment_id: RowId, event_id: RowId) -> SaeOut:
    """The event's 24-hour clock (none for an event never serious) and its reports."""
    with store_of(request).read() as session:
        study = study_of_participant(request, session, enrolment_id)
        view = sae_reports.sae_view(session, study, enrolment_id, event_id)
        clock = event_clock(session, study, view)
        return SaeOut(
            enrolment_id=view.participant.id, subject_number=view.participant.subject_number,
            event_id=view.event.id, sequence=view.event.sequence, term=view.event.term,
            serious=view.event.serious, seriousness=list(view.event.seriousness),
            clock=clock_out(clock, study) if clock is not None else None,
            reports=[report_out(view, r) for r in view.reports],
        )  # fmt: skip


@router.post(
    SAE + "/reports", status_code=201, dependencies=[allow(Permission.RECORD_ADVERSE_EVENTS)]
)
async def start_report(
    request: Request, enrolment_id: RowId, event_id: RowId, body: ReportIn
) -> ReportOut:
    """Draft the event's next report: the initial one, or a follow-up once every earlier
    report is submitted (a draft open: 409). Every problem at its field at once (422)."""
    with store_of(request).transaction() as session:
        report = sae_reports.start_report(
            session, actor=user_of(request).username,
            study=study_of_participant(request, session, enrolment_id),
            enrolment_id=enrolment_id, event_id=event_id, given=body.given(), now=now(),
        )  # fmt: skip
        return _report(session, request, (enrolment_id, event_id, report.id))


@router.get(REPORT, dependencies=[allow(Permission.VIEW_SAFETY)])
async def get_report(
    request: Request, enrolment_id: RowId, event_id: RowId, report_id: RowId
) -> ReportOut:
    with store_of(request).read() as session:
        return _report(session, request, (enrolment_id, event_id, report_id))


@router.put(REPORT, dependencies=[allow(Permission.RECORD_ADVERSE_EVENTS)])
async def save_report(
    request: Request, enrolment_id: RowId, event_id: RowId, report_id: RowId,
    body: ReportChangeIn,
) -> ReportOut:  # fmt: skip
    """Save a draft whole with the ``version`` read (changed meanwhile: 409). A submitted
    report never changes (409): write a follow-up."""
    with store_of(request).transaction() as session:
        sae_reports.save_report(
            session, actor=user_of(request).username,
            study=study_of_participant(request, session, enrolment_id),
            enrolment_id=enrolment_id, event_id=event_id, report_id=report_id,
            given=body.given(), expected_version=body.version, now=now(),
        )  # fmt: skip
        return _report(session, request, (enrolment_id, event_id, report_id))


@router.post(REPORT + "/submit", dependencies=[allow(Permission.SIGN_CAUSALITY)])
async def submit_report(
    request: Request, enrolment_id: RowId, event_id: RowId, report_id: RowId, body: SubmitIn
) -> ReportOut:
    """The investigator submits the report by signing it, the password asked again (a
    wrong one counts towards the lockout). Submitting the initial report stops the clock."""
    with store_of(request).read() as session:  # an unknown report: 404 before the password
        _report(session, request, (enrolment_id, event_id, report_id))

    def act(session: Session, signer: User, checked: PasswordCheck) -> SaeReport:
        return sae_reports.submit_report(
            session, signing=Signing(signer, body.password, checked),
            study=study_of_participant(request, session, enrolment_id),
            enrolment_id=enrolment_id, event_id=event_id, report_id=report_id,
            expected_version=body.version, now=now(),
        )  # fmt: skip

    await signing.sign(request, body.password, act)
    with store_of(request).read() as session:
        return _report(session, request, (enrolment_id, event_id, report_id))


@router.get(REPORT + "/cioms", dependencies=[allow(Permission.VIEW_SAFETY)])
async def get_cioms(
    request: Request, enrolment_id: RowId, event_id: RowId, report_id: RowId
) -> dict[str, Any]:
    """The report as the CIOMS I form's boxes (number, English and Chinese labels, value,
    ticks), as the print page and the PDF draw them."""
    with store_of(request).read() as session:
        study = study_of_participant(request, session, enrolment_id)
        view = sae_reports.sae_view(session, study, enrolment_id, event_id)
        form = cioms_form(study, view, view.report(report_id), event_clock(session, study, view))
        return asdict(form)


@router.get("/safety/sae-clocks", dependencies=[allow(Permission.VIEW_SAFETY)])
async def sae_clocks(
    request: Request,
    study: StudyId = None,
    running: Annotated[bool, Query(description="only the clocks still running")] = False,
) -> list[ClockOut]:
    """The study's SAE clocks, the most urgent first: open (time left), overdue, met or
    late (the initial report submitted after its due instant)."""
    chosen = safety_study(request, study)
    with store_of(request).read() as session:
        clocks = study_clocks(session, chosen, now(), running_only=running)
        return [clock_out(c, chosen) for c in clocks]
