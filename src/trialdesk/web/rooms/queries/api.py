"""Queries through the JSON API, with the pages' permissions: anyone who reads the
participants reads the queries; a monitor raises, closes, cancels and reopens them; the
coordinator and the investigator answer. Every change names the version read (409 when
someone changed the query since: reload); a close also names what the monitor was shown
of the target (409 when it changed since). Ages count the site's calendar days."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from trialdesk.errors import NotFoundError
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.review import queries, query_views
from trialdesk.trial.review.query_views import QueryFilter
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.query_records import QueryState, TargetKind
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, study_or_404, user_of
from trialdesk.web.errors import ERROR_RESPONSES
from trialdesk.web.rooms.conduct.changes import conduct_studies, site_date, study_of_participant
from trialdesk.web.rooms.queries.schemas import (
    CancelIn,
    CloseIn,
    CountsOut,
    QueryIn,
    QueryOut,
    ReopenIn,
    ReplyIn,
    counts_out,
    query_out,
)
from trialdesk.web.schemas import RowId

__all__ = ["router"]

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["queries"])

QUERY = "/queries/{query_id}"
StudyId = Annotated[
    str | None,
    Query(max_length=32, description="NCT id (default: the first study served with a schedule)"),
]


def chosen_study(request: Request, asked: str | None) -> Study:
    """The study asked for, or the first served that follows participants."""
    if asked:
        return study_or_404(request, asked)
    served = conduct_studies(request)
    if not served:
        raise NotFoundError("no study served here has a visit schedule")
    return served[0]


def study_of_query(request: Request, session: Session, query_id: int) -> Study:
    return study_or_404(request, queries.query_or_404(session, query_id).study_id)


def _one(session: Session, study: Study, query_id: int) -> QueryOut:
    return query_out(query_views.query_view(session, study, query_id, site_date(study)), study)


@router.get("/queries", dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def list_queries(
    request: Request,
    study: StudyId = None,
    state: QueryState | None = None,
    participant: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    kind: TargetKind | None = None,
    min_age: Annotated[int | None, Query(ge=0, le=100_000, description="site days")] = None,
) -> list[QueryOut]:
    """The study's queries, oldest first, each with its thread; filtered by state,
    participant (enrolment id), target kind and a minimum age in site days."""
    chosen = chosen_study(request, study)
    where = QueryFilter(state, participant, kind, min_age)
    with store_of(request).read() as session:
        found = query_views.list_queries(session, chosen, site_date(chosen), where)
        return [query_out(v, chosen) for v in found]


@router.get("/queries/counts", dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def query_counts(request: Request, study: StudyId = None) -> CountsOut:
    """Open and answered queries, and the oldest open one's age in site days: for the
    site and per participant."""
    chosen = chosen_study(request, study)
    with store_of(request).read() as session:
        found = query_views.counts(session, chosen, site_date(chosen))
        return counts_out(found, chosen, query_views.subject_numbers(session, chosen))


@router.get(QUERY, dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def get_query(request: Request, query_id: RowId) -> QueryOut:
    with store_of(request).read() as session:
        return _one(session, study_of_query(request, session, query_id), query_id)


@router.get(
    "/participants/{enrolment_id}/queries", dependencies=[allow(Permission.VIEW_PARTICIPANTS)]
)
async def participant_queries(request: Request, enrolment_id: RowId) -> list[QueryOut]:
    """The participant's queries, oldest first, each with its thread."""
    with store_of(request).read() as session:
        study = study_of_participant(request, session, enrolment_id)
        where = QueryFilter(enrolment_id=enrolment_id)
        found = query_views.list_queries(session, study, site_date(study), where)
        return [query_out(v, study) for v in found]


@router.post(
    "/participants/{enrolment_id}/queries",
    status_code=201,
    dependencies=[allow(Permission.RAISE_QUERIES)],
)
async def raise_query(request: Request, enrolment_id: RowId, body: QueryIn) -> QueryOut:
    """Raise a query on an item, a visit, an adverse event or a screening fact of the
    participant, with its question. Every wrong field is reported at once (422)."""
    user = user_of(request)
    with store_of(request).transaction() as session:
        study = study_of_participant(request, session, enrolment_id)
        made = queries.raise_query(
            session, actor=user.username, role=user.role, study=study, enrolment_id=enrolment_id,
            target=body.target.model_dump(), text=body.text, now=now(),
        )  # fmt: skip
        return _one(session, study, made.id)


@router.post(QUERY + "/replies", status_code=201, dependencies=[allow(Permission.ANSWER_QUERIES)])
async def reply(request: Request, query_id: RowId, body: ReplyIn) -> QueryOut:
    """The site's reply: an explanation, or (``correction``) that the datum was corrected
    on its form. The query becomes answered; a closed or cancelled one takes no reply."""
    user = user_of(request)
    with store_of(request).transaction() as session:
        study = study_of_query(request, session, query_id)
        queries.reply(
            session, actor=user.username, role=user.role, study=study, query_id=query_id,
            text=body.text, expected_version=body.version, now=now(), correction=body.correction,
        )  # fmt: skip
        return _one(session, study, query_id)


@router.post(QUERY + "/close", dependencies=[allow(Permission.RAISE_QUERIES)])
async def close(request: Request, query_id: RowId, body: CloseIn) -> QueryOut:
    """The monitor closes an open or answered query on what they were shown of its target
    (``datum``: the query's ``digest`` as read); 409 when the target changed since."""
    user = user_of(request)
    with store_of(request).transaction() as session:
        study = study_of_query(request, session, query_id)
        queries.close_query(
            session, actor=user.username, role=user.role, study=study, query_id=query_id,
            text=body.text, expected_version=body.version, shown_datum=body.datum, now=now(),
        )  # fmt: skip
        return _one(session, study, query_id)


@router.post(QUERY + "/cancel", dependencies=[allow(Permission.RAISE_QUERIES)])
async def cancel(request: Request, query_id: RowId, body: CancelIn) -> QueryOut:
    """The monitor withdraws an open or answered query, with the reason."""
    user = user_of(request)
    with store_of(request).transaction() as session:
        study = study_of_query(request, session, query_id)
        queries.cancel_query(
            session, actor=user.username, role=user.role, study=study, query_id=query_id,
            reason=body.reason, expected_version=body.version, now=now(),
        )  # fmt: skip
        return _one(session, study, query_id)


@router.post(QUERY + "/reopen", dependencies=[allow(Permission.RAISE_QUERIES)])
async def reopen(request: Request, query_id: RowId, body: ReopenIn) -> QueryOut:
    """The monitor asks again: an answered, closed or cancelled query is open again."""
    user = user_of(request)
    with store_of(request).transaction() as session:
        study = study_of_query(request, session, query_id)
        queries.reopen_query(
            session, actor=user.username, role=user.role, study=study, query_id=query_id,
            text=body.text, expected_version=body.version, now=now(),
        )  # fmt: skip
        return _one(session, study, query_id)
