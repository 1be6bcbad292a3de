"""The conduct room through the JSON API: the site's participants and dashboard, one
participant's calendar, a visit and its forms, log forms, the visit's date (or why it did
not take place), the investigator's signature and the end of participation.

Every route reads the same models as the pages (trial/conduct/views.py, dashboard.py)
and writes through the same audited services; every date rule is judged on the site's
date (study/windows.py site_today). A participant is served with their own study: one
whose study this app does not serve is not found.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request

from trialdesk.errors import NotFoundError
from trialdesk.study.loader import Study
from trialdesk.study.schedule import VisitKind
from trialdesk.study.windows import site_today
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.conduct import disposition, entry, visits
from trialdesk.trial.conduct.dashboard import dashboard
from trialdesk.trial.conduct.entry import FormEntry
from trialdesk.trial.conduct.views import (
    LogView,
    VisitView,
    form_view,
    log_view,
    participant_view,
    visit_of_key,
    visit_view,
)
from trialdesk.trial.store.db import Session
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, user_of
from trialdesk.web.errors import ERROR_RESPONSES
from trialdesk.web.rooms.conduct.changes import StudyId, conduct_study, study_of_participant
from trialdesk.web.rooms.conduct.schemas import (
    DashboardOut,
    EndIn,
    FormIn,
    FormOut,
    LogOut,
    LogRowChangeIn,
    LogRowIn,
    MissedIn,
    ParticipantDetailOut,
    ParticipantOut,
    SignatureIn,
    SignatureOut,
    VisitDateIn,
    VisitOut,
    dashboard_out,
    form_out,
    log_out,
    participant_detail_out,
    participant_out,
    signature_out,
    visit_out,
)
from trialdesk.web.rooms.conduct.visit_signing import sign_visit as sign_visit_data
from trialdesk.web.schemas import RowId

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["conduct"])

VisitKey = Annotated[
    str, Path(max_length=48, description="the visit as forms name it: W4, or UNS#2")
]
FormId = Annotated[str, Path(max_length=64)]
PARTICIPANT = "/participants/{enrolment_id}"
VISIT = PARTICIPANT + "/visits/{visit_key}"


def _visit(
    session: Session,
    study: Study,
    enrolment_id: int,
    visit_key: str,
    today: date,
    *,
    with_signature: bool = True,
) -> VisitView:
    """The visit a key names on the participant's calendar (``UNS#1`` is ``UNS``); its
    signature's state only when shown (it digests every form of the visit)."""
    visit_id, occurrence = visit_of_key(visit_key)
    key = visit_id if occurrence == 1 else f"{visit_id}#{occurrence}"
    return visit_view(session, study, enrolment_id, key, today, with_signature=with_signature)


def _clock(study: Study) -> tuple[datetime, date]:
    """This instant, and the site's date at it: every date rule is judged on the latter."""
    moment = now()
    return moment, site_today(study.schedule, moment)


def _occurrence(view: VisitView) -> int:
    return view.row.record.occurrence if view.row.record is not None else 1


@router.get("/participants", dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def list_participants(request: Request, study: StudyId = None) -> list[ParticipantOut]:
    """The study's participants in subject-number order, each with their badges and the
    next visit still expected."""
    chosen = conduct_study(request, study)
    _, today = _clock(chosen)
    with store_of(request).read() as session:
        board = dashboard(session, chosen, today)
        return [
            participant_out(
                r.participant, chosen.id, r.participant.day1(chosen), r.calendar, r.badges
            )
            for r in board.rows
        ]


@router.get("/participants/dashboard", dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def get_dashboard(request: Request, study: StudyId = None) -> DashboardOut:
    """The site's visits due this week, overdue, missed and with forms incomplete: each
    total is the sum of the participants' own badges, with the visits behind it."""
    chosen = conduct_study(request, study)
    _, today = _clock(chosen)
    with store_of(request).read() as session:
        return dashboard_out(dashboard(session, chosen, today), chosen.id)


@router.get(PARTICIPANT, dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def get_participant(request: Request, enrolment_id: RowId) -> ParticipantDetailOut:
    """The participant's calendar: each visit's target date, window, status, forms and
    signature; day 1, how participation ended, and the log forms."""
    with store_of(request).read() as session:
        study = study_of_participant(request, session, enrolment_id)
        _, today = _clock(study)
        view = participant_view(session, study, enrolment_id, today)
        return participant_detail_out(view, study.id)


@router.get(VISIT, dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def get_visit(request: Request, enrolment_id: RowId, visit_key: VisitKey) -> VisitOut:
    """The visit, its date (or why it did not take place), each form due at it with its
    status and version, and the investigator's signature on its data."""
    with store_of(request).read() as session:
        study = study_of_participant(request, session, enrolment_id)
        _, today = _clock(study)
        return visit_out(_visit(session, study, enrolment_id, visit_key, today))


@router.get(VISIT + "/forms/{form_id}", dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def get_form(
    request: Request, enrolment_id: RowId, visit_key: VisitKey, form_id: FormId
) -> FormOut:
    """The form's items and what is entered: values in the item's unit, what was typed in
    another unit, the derived scores with their inputs and calculator version, the flags."""
    with store_of(request).read() as session:
        study = study_of_participant(request, session, enrolment_id)
        _, today = _clock(study)
        key = _visit(session, study, enrolment_id, visit_key, today, with_signature=False).row.key
        return form_out(form_view(session, study, enrolment_id, key, form_id, today))


@router.put(VISIT + "/forms/{form_id}", dependencies=[allow(Permission.EDIT_VISITS)])
async def save_form(
    request: Request, enrolment_id: RowId, visit_key: VisitKey, form_id: FormId, body: FormIn
) -> FormOut:
    """Enter or change a form. Every wrong item is reported at once (422, ``errors``) and
    nothing is stored; a form already entered needs the ``version`` read (409 otherwise:
    reload), and a completed one a ``reason`` for any change."""
    with store_of(request).transaction() as session:
        study = study_of_participant(request, session, enrolment_id)
        moment, today = _clock(study)
        visit = _visit(session, study, enrolment_id, visit_key, today, with_signature=False)
        if form_id not in visit.visit.forms:  # as the form's own page: not found there
            raise NotFoundError(f"{visit.visit.name} has no form {form_id!r}")
        entry.save_form(
            session, actor=user_of(request).username, study=study, enrolment_id=enrolment_id,
            form_id=form_id, entry=FormEntry(body.values, body.units, body.complete),
            now=moment, visit_id=visit.visit.id, occurrence=_occurrence(visit),
            expected_version=body.version, reason=body.reason,
        )  # fmt: skip
        return form_out(form_view(session, study, enrolment_id, visit.row.key, form_id, today))


@router.get(PARTICIPANT + "/logs/{form_id}", dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def get_log(request: Request, enrolment_id: RowId, form_id: FormId) -> LogOut:
    """A log form's rows (concomitant medications), oldest first."""
    with store_of(request).read() as session:
        study = study_of_participant(request, session, enrolment_id)
        shown = log_view(session, study, enrolment_id, form_id, None)  # 404: not a log form
        return log_out(shown.participant, LogView(shown.form, list(shown.rows)))


@router.post(
    PARTICIPANT + "/logs/{form_id}", status_code=201, dependencies=[allow(Permission.EDIT_VISITS)]
)
async def add_log_row(
    request: Request, enrolment_id: RowId, form_id: FormId, body: LogRowIn
) -> FormOut:
    """A new row of a log form, numbered after the last one."""
    with store_of(request).transaction() as session:
        study = study_of_participant(request, session, enrolment_id)
        moment, _ = _clock(study)
        log_view(session, study, enrolment_id, form_id, None)  # not found: not a log form
        record = entry.save_form(
            session, actor=user_of(request).username, study=study, enrolment_id=enrolment_id,
            form_id=form_id, entry=FormEntry(body.values, body.units, body.complete),
            now=moment, reason=body.reason,
        )  # fmt: skip
        return form_out(log_view(session, study, enrolment_id, form_id, record.row))


@router.put(PARTICIPANT + "/logs/{form_id}/{row}", dependencies=[allow(Permission.EDIT_VISITS)])
async def change_log_row(
    request: Request, enrolment_id: RowId, form_id: FormId, row: RowId, body: LogRowChangeIn
) -> FormOut:
    """Change one row of a log form: the ``version`` read is required."""
    with store_of(request).transaction() as session:
        study = study_of_participant(request, session, enrolment_id)
        moment, _ = _clock(study)
        log_view(session, study, enrolment_id, form_id, row)  # not found: no such row
        entry.save_form(
            session, actor=user_of(request).username, study=study, enrolment_id=enrolment_id,
            form_id=form_id, entry=FormEntry(body.values, body.units, body.complete),
            now=moment, row=row, expected_version=body.version, reason=body.reason,
        )  # fmt: skip
        return form_out(log_view(session, study, enrolment_id, form_id, row))


@router.put(VISIT + "/date", dependencies=[allow(Permission.EDIT_VISITS)])
async def record_visit_date(
    request: Request, enrolment_id: RowId, visit_key: VisitKey, body: VisitDateIn
) -> VisitOut:
    """The date the visit took place (a date already recorded: its ``version`` and a
    ``reason``). ``UNS`` records a new unscheduled visit: the answer gives its key
    (``UNS#2``, ...); ``UNS#1`` names the first one."""
    with store_of(request).transaction() as session:
        study = study_of_participant(request, session, enrolment_id)
        moment, today = _clock(study)
        visit_id, _ = visit_of_key(visit_key)
        kind = visits.scheduled_visit(study, visit_id).kind
        occurrence = (
            None
            if kind is VisitKind.UNSCHEDULED and "#" not in visit_key
            else _occurrence(
                _visit(session, study, enrolment_id, visit_key, today, with_signature=False)
            )
        )
        record = visits.record_visit(
            session, actor=user_of(request).username, study=study, enrolment_id=enrolment_id,
            visit_id=visit_id, on=body.date, today=today, now=moment, occurrence=occurrence,
            expected_version=body.version, reason=body.reason,
        )  # fmt: skip
        return visit_out(_visit(session, study, enrolment_id, record.key, today))


@router.post(VISIT + "/missed", dependencies=[allow(Permission.EDIT_VISITS)])
async def mark_missed(
    request: Request, enrolment_id: RowId, visit_key: VisitKey, body: MissedIn
) -> VisitOut:
    """Record that a scheduled visit did not take place, and why."""
    with store_of(request).transaction() as session:
        study = study_of_participant(request, session, enrolment_id)
        moment, today = _clock(study)
        visit = _visit(session, study, enrolment_id, visit_key, today, with_signature=False)
        visits.mark_missed(
            session, actor=user_of(request).username, study=study, enrolment_id=enrolment_id,
            visit_id=visit.visit.id, reason=body.reason, now=moment,
            expected_version=body.version,
        )  # fmt: skip
        return visit_out(_visit(session, study, enrolment_id, visit.row.key, today))


@router.post(VISIT + "/signature", status_code=201, dependencies=[allow(Permission.SIGN_VISITS)])
async def sign_visit(
    request: Request, enrolment_id: RowId, visit_key: VisitKey, body: SignatureIn
) -> SignatureOut:
    """The investigator signs the visit's data (every form complete), the password asked
    again (a wrong one counts towards the lockout). Any later change to the data lapses
    the signature, which stays on record, shown as no longer current."""
    with store_of(request).read() as session:  # an unknown visit: 404 before the password
        study = study_of_participant(request, session, enrolment_id)
        today = _clock(study)[1]
        key = _visit(session, study, enrolment_id, visit_key, today, with_signature=False).row.key
    await sign_visit_data(request, enrolment_id, key, body.password, body.reviewed)
    with store_of(request).read() as session:
        view = _visit(session, study, enrolment_id, key, _clock(study)[1])
        signed = signature_out(view.signature)
    assert signed is not None, "signed just now"
    return signed


@router.post(PARTICIPANT + "/end", dependencies=[allow(Permission.EDIT_VISITS)])
async def end_participation(
    request: Request, enrolment_id: RowId, body: EndIn
) -> ParticipantDetailOut:
    """How participation ended (CDISC NCOMPLT); an early termination visit, when one took
    place, is recorded with its date so its forms can be entered. Nothing collected is
    removed."""
    with store_of(request).transaction() as session:
        study = study_of_participant(request, session, enrolment_id)
        moment, today = _clock(study)
        disposition.end_participation(
            session, actor=user_of(request).username, study=study, enrolment_id=enrolment_id,
            term=body.term, ended_on=body.ended_on, reason=body.reason, now=moment,
            termination_visit_on=body.termination_visit_on,
        )  # fmt: skip
        view = participant_view(session, study, enrolment_id, today)
        return participant_detail_out(view, study.id)
