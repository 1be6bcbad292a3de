"""What the pages and the API read of the queries (queries.py writes them): one query with
its thread and what its target holds now (a live one is closed on that, sent back as its
digest), the study's list filtered, counts and the oldest open age per participant and
site (in the site's calendar days), the badges a form shows at its items (a check's query
at each item it names), and an edit check's question in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from trialdesk.study.loader import Study
from trialdesk.study.windows import site_today
from trialdesk.trial.conduct.participants import (
    list_participants,
    participant_or_404,
)
from trialdesk.trial.review.queries import current_data, datum_digest, query_or_404
from trialdesk.trial.screening.models import StudySite
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.query_records import (
    LIVE,
    SYSTEM,
    DataQuery,
    QueryMessage,
    QueryState,
    TargetKind,
)

__all__ = [
    "Counts",
    "QueryFilter",
    "QueryView",
    "StudyCounts",
    "age_days",
    "check_message",
    "counts",
    "form_badges",
    "list_queries",
    "other_items",
    "query_view",
    "subject_numbers",
]


def age_days(study: Study, raised_at: datetime, today: date) -> int:
    """Whole site calendar days since the query was raised (0: raised today)."""
    return (today - site_today(study.schedule, raised_at)).days


def other_items(query: DataQuery) -> tuple[str, ...]:
    """The other items an edit check's query names (its check reads several items of the
    form; the query is on the first)."""
    others = query.datum.get("others") if isinstance(query.datum, dict) else None
    return tuple(others) if isinstance(others, dict) else ()


@dataclass(frozen=True)
class QueryView:
    """A query as the pages and the API show it, with its thread; a live one with what
    its target holds now (``now``), which the monitor closes on (``digest``)."""

    query: DataQuery
    subject_number: str
    messages: tuple[QueryMessage, ...]
    age_days: int
    now: dict[str, Any] | None = None

    @property
    def id(self) -> int:
        return self.query.id

    @property
    def system_raised(self) -> bool:
        return self.query.raised_by == SYSTEM

    @property
    def others(self) -> tuple[str, ...]:
        return other_items(self.query)

    @property
    def digest(self) -> str | None:
        """What the close form sends back: the digest of ``now``."""
        return datum_digest(self.now) if self.now is not None else None

    @property
    def changed(self) -> bool:
        """An item's value differs now from when it was asked."""
        asked = self.query.datum
        if self.now is None or not isinstance(asked, dict):
            return False
        return any(asked.get(k) != self.now.get(k) for k in ("value", "others"))


def subject_numbers(session: Session, study: Study) -> dict[int, str]:
    """Each participant's subject number by enrolment id."""
    return {p.id: p.subject_number for p in list_participants(session, study.id)}


def _threads(session: Session, ids: Iterable[int]) -> dict[int, list[QueryMessage]]:
    wanted = list(ids)
    out: dict[int, list[QueryMessage]] = {i: [] for i in wanted}
    if not wanted:
        return out
    rows = session.scalars(
        select(QueryMessage)
        .where(QueryMessage.query_id.in_(wanted))
        .order_by(QueryMessage.query_id, QueryMessage.number)
    )
    for m in rows:
        out[m.query_id].append(m)
    return out


def query_view(session: Session, study: Study, query_id: int, today: date) -> QueryView:
    query = query_or_404(session, query_id, study)
    participant = participant_or_404(session, query.enrolment_id, study=study)
    thread = _threads(session, [query.id])[query.id]
    now = current_data(session, [query]).get(query.id) if query.live else None
    return QueryView(
        query,
        participant.subject_number,
        tuple(thread),
        age_days(study, query.raised_at, today),
        now,
    )


@dataclass(frozen=True)
class QueryFilter:
    """What the queries page and the API filter on (None: any)."""

    state: QueryState | None = None
    enrolment_id: int | None = None
    kind: TargetKind | None = None
    min_age_days: int | None = None  # at least this old, in site days


def list_queries(
    session: Session, study: Study, today: date, where: QueryFilter | None = None
) -> list[QueryView]:
    """The study's queries matching ``where``, oldest first, each with its thread."""
    where = where or QueryFilter()
    stmt = select(DataQuery).where(DataQuery.study_id == study.id)
    if where.state is not None:
        stmt = stmt.where(DataQuery.state == where.state)
    if where.enrolment_id is not None:
        stmt = stmt.where(DataQuery.enrolment_id == where.enrolment_id)
    if where.kind is not None:
        stmt = stmt.where(DataQuery.target_kind == where.kind.value)
    found = list(session.scalars(stmt.order_by(DataQuery.raised_at, DataQuery.id)))
    subjects = subject_numbers(session, study)
    views = [
        QueryView(q, subjects.get(q.enrolment_id, "?"), (), age_days(study, q.raised_at, today))
        for q in found
    ]
    if where.min_age_days is not None:
        views = [v for v in views if v.age_days >= where.min_age_days]
    threads = _threads(session, [v.id for v in views])
    now = current_data(session, [v.query for v in views if v.query.live])
    return [
        QueryView(v.query, v.subject_number, tuple(threads[v.id]), v.age_days, now.get(v.id))
        for v in views
    ]


@dataclass
class Counts:
    """Open and answered queries, and the oldest open one's age in site days."""

    open: int = 0
    answered: int = 0
    oldest_open_days: int | None = None

    def add(self, state: QueryState, age: int) -> None:
        if state is QueryState.OPEN:
            self.open += 1
            if self.oldest_open_days is None or age > self.oldest_open_days:
                self.oldest_open_days = age
        elif state is QueryState.ANSWERED:
            self.answered += 1


@dataclass(frozen=True)
class StudyCounts:
    site_code: str
    site: Counts
    by_participant: dict[int, Counts]


def counts(session: Session, study: Study, today: date) -> StudyCounts:
    """Per participant and for the site (one site per study here: its code names it)."""
    rows = session.execute(
        select(DataQuery.enrolment_id, DataQuery.state, DataQuery.raised_at).where(
            DataQuery.study_id == study.id, DataQuery.state.in_(LIVE)
        )
    )
    site = Counts()
    by: dict[int, Counts] = {}
    for enrolment_id, state, raised_at in rows:
        age = age_days(study, raised_at, today)
        site.add(state, age)
        by.setdefault(enrolment_id, Counts()).add(state, age)
    code = session.scalar(select(StudySite.site_code).where(StudySite.study_id == study.id))
    return StudyCounts(code or "", site, by)


def form_badges(
    session: Session, enrolment_id: int, visit_key: str, form_id: str, row: int = 1
) -> dict[str, list[DataQuery]]:
    """The live queries on each item of one stored form (the form page's badges): an edit
    check's query at its item and at each other item it names."""
    found = session.scalars(
        select(DataQuery)
        .where(
            DataQuery.enrolment_id == enrolment_id,
            DataQuery.target_kind == TargetKind.ITEM.value,
            DataQuery.visit_key == visit_key,
            DataQuery.form_id == form_id,
            DataQuery.row == row,
            DataQuery.state.in_(LIVE),
        )
        .order_by(DataQuery.id)
    )
    out: dict[str, list[DataQuery]] = {}
    for q in found:
        for item in (q.item or "", *other_items(q)):
            out.setdefault(item, []).append(q)
    return out


def check_message(study: Study, query: DataQuery, locale: str) -> str | None:
    """An edit check's question in the reader's language (None: not a check's query)."""
    if query.check_id is None or query.form_id is None:
        return None
    form = study.forms.get(query.form_id)
    for check in form.checks if form is not None else ():
        if check.id == query.check_id:
            return check.message.get(locale)
    return None
