"""Queries on the data: raised by a monitor, answered by the site, closed by the monitor.

A query asks about one target of one participant (``store/query_records.py`` has the
tables and the queries edit checks raise by themselves in a form save's transaction):

- ``item``: an item of a form at a visit, or of a log row (``visit`` blank, ``row``);
- ``visit``: a whole visit (its date, a visit not done);
- ``adverse_event``: one of the participant's adverse events;
- ``fact``: a screening fact entered for the participant before enrolment.

The target is validated to exist. States: open -> answered (the site replied) -> closed
(by the monitor) | cancelled (by the monitor, with a reason); the monitor may reopen an
answered, closed or cancelled query with a new question. The site answers by explaining or
by correcting the datum: the correction is a normal form save (every check, reason and
audit of conduct/entry.py) and the reply points to the form record and the version it made.
Neither a correction nor a check that passes afterwards closes anything: the monitor does
(ICH E6(R3) 3.11.4; OpenClinica's discrepancy notes and REDCap's data resolution workflow
keep the same rule). A reply to a closed or cancelled query is refused.

Every change is made by who read the query's ``version`` (store/stale.py): of two replies
sent at once from the same page, the second is told to reload and nothing is lost. The
monitor closes on what they were shown of the target (:func:`current_datum`, sent back
as its digest): a target changed since (the item's value, the visit's date, the event, the
fact) refuses the close with the stale-write error, to be looked at again. The query's own
version does not move when its target changes, so the site's reply is never refused for
that. Every write is audited. Ages are counted in the site's calendar days
(study/windows.site_today).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from trialdesk.errors import (
    ConflictError,
    FieldErrors,
    ForbiddenError,
    InputError,
    NotFoundError,
    TrialdeskError,
)
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.roles import Permission, Role, has_permission
from trialdesk.trial.conduct.checks import VISIT_ANCHOR, facts_of
from trialdesk.trial.conduct.form_data import participant_forms
from trialdesk.trial.conduct.models import LOG, FormRecord, VisitRecord
from trialdesk.trial.conduct.participants import (
    Participant,
    participant_or_404,
)
from trialdesk.trial.safety.models import AdverseEvent
from trialdesk.trial.screening.models import EnteredFact
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.models import MAX_ROW_ID
from trialdesk.trial.store.query_records import (
    DataQuery,
    MessageKind,
    Origin,
    QueryMessage,
    QueryState,
    TargetKind,
    add_message,
    query_fields,
    reads_of,
    target_key,
)
from trialdesk.trial.store.stale import StaleError, check_version
from trialdesk.trial.store.text import REASON_MAX, plain_text
from trialdesk.trial.store.values import as_utc, canonical_json

__all__ = [
    "MESSAGE_MAX",
    "Target",
    "cancel_query",
    "check_reads",
    "close_query",
    "current_data",
    "current_datum",
    "datum_digest",
    "query_or_404",
    "raise_query",
    "read_target",
    "reopen_query",
    "reply",
]

MESSAGE_MAX = 4000  # a message of a thread: a paragraph or two, as a monitoring letter's


@dataclass(frozen=True)
class Target:
    """What a query is about, validated: its kind and the ids that name it."""

    kind: TargetKind
    enrolment_id: int
    visit_key: str | None = None
    form_id: str | None = None
    row: int | None = None
    item: str | None = None
    adverse_event_id: int | None = None
    entered_fact_id: int | None = None

    @property
    def key(self) -> str:
        return target_key(
            self.kind, self.enrolment_id, visit_key=self.visit_key, form_id=self.form_id,
            row=self.row, item=self.item, adverse_event_id=self.adverse_event_id,
            entered_fact_id=self.entered_fact_id,
        )  # fmt: skip


def _id(value: object, field: str, errors: list[TrialdeskError]) -> int | None:
    """A row id as typed (a number, or its digits), or an error at ``field``."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 1 <= value <= MAX_ROW_ID:
        return value
    if value is None or value == "":
        errors.append(InputError("is required for this kind of target", field=field))
    else:
        errors.append(InputError(f"must be a whole number from 1 to {MAX_ROW_ID}", field=field))
    return None


def _name(value: object, field: str, errors: list[TrialdeskError], limit: int) -> str | None:
    if not isinstance(value, str) or not value.strip():
        errors.append(InputError("is required for this kind of target", field=field))
        return None
    if len(value.strip()) > limit:
        errors.append(InputError(f"must be at most {limit} characters", field=field))
        return None
    return value.strip()


def read_target(
    session: Session,
    study: Study,
    participant: Participant,
    given: Mapping[str, object],
    errors: list[TrialdeskError],
) -> Target | None:
    """The target ``given`` names ({"kind", "visit", "form", "row", "item",
    "adverse_event", "fact"}), checked to exist for this participant; None with its
    problems added to ``errors`` (each at its field)."""
    raw_kind = given.get("kind")
    try:
        kind = TargetKind(str(raw_kind or "").strip())
    except ValueError:
        known = ", ".join(k.value for k in TargetKind)
        errors.append(InputError(f"must be one of {known}", field="kind"))
        return None
    pid = participant.id
    if kind is TargetKind.ITEM:
        return _item_target(session, study, participant, given, errors)
    if kind is TargetKind.VISIT:
        visit_key = _name(given.get("visit"), "visit", errors, 48)
        if visit_key is None or not _visit_exists(session, study, pid, visit_key, errors):
            return None
        return Target(kind, pid, visit_key=visit_key)
    if kind is TargetKind.ADVERSE_EVENT:
        ae_id = _id(given.get("adverse_event"), "adverse_event", errors)
        if ae_id is None:
            return None
        event = session.get(AdverseEvent, ae_id)
        if event is None or event.enrolment_id != pid:
            errors.append(
                InputError(
                    f"{participant.subject_number} has no adverse event {ae_id}",
                    field="adverse_event",
                )
            )
            return None
        return Target(kind, pid, adverse_event_id=ae_id)
    fact_id = _id(given.get("fact"), "fact", errors)
    if fact_id is None:
        return None
    fact = session.get(EnteredFact, fact_id)
    if fact is None or fact.candidate_id != participant.candidate.id:
        errors.append(
            InputError(
                f"{participant.subject_number} has no entered screening fact {fact_id}",
                field="fact",
            )
        )
        return None
    return Target(kind, pid, entered_fact_id=fact_id)


def _item_target(
    session: Session,
    study: Study,
    participant: Participant,
    given: Mapping[str, object],
    errors: list[TrialdeskError],
) -> Target | None:
    before = len(errors)
    form_id = _name(given.get("form"), "form", errors, 64)
    item_id = _name(given.get("item"), "item", errors, 64)
    form = study.forms.get(form_id) if form_id is not None else None
    if form_id is not None and form is None:
        errors.append(InputError(f"{study.id} has no form {form_id!r}", field="form"))
    if form is not None and item_id is not None and all(i.id != item_id for i in form.items):
        errors.append(InputError(f"form {form.id} has no item {item_id!r}", field="item"))
    visit_key: str | None = LOG
    row: int | None = 1
    if form is not None and form.repeating:
        row = _id(given.get("row"), "row", errors)
    elif form is not None:
        visit_key = _name(given.get("visit"), "visit", errors, 48)
    if len(errors) > before or form is None or visit_key is None or row is None:
        return None
    record = session.scalars(
        select(FormRecord).where(
            FormRecord.enrolment_id == participant.id,
            FormRecord.visit_key == visit_key,
            FormRecord.form_id == form.id,
            FormRecord.row == row,
        )
    ).one_or_none()
    if record is None:
        where = f"row {row}" if form.repeating else f"visit {visit_key}"
        errors.append(
            InputError(
                f"{form.id} is not entered at {where} for {participant.subject_number}: "
                "ask about the visit instead",
                field="visit" if not form.repeating else "row",
            )
        )
        return None
    return Target(
        TargetKind.ITEM, participant.id, visit_key=visit_key, form_id=form.id, row=row,
        item=item_id,
    )  # fmt: skip


def _visit_exists(
    session: Session, study: Study, enrolment_id: int, key: str, errors: list[TrialdeskError]
) -> bool:
    """A recorded visit of the participant, or a scheduled one not recorded yet (an
    overdue visit is a fair question)."""
    visit_id = key.partition("#")[0]
    recorded = session.scalars(
        select(VisitRecord).where(
            VisitRecord.enrolment_id == enrolment_id, VisitRecord.visit_id == visit_id
        )
    ).all()
    if any(v.key == key for v in recorded):
        return True
    scheduled = study.schedule is not None and any(v.id == visit_id for v in study.schedule.visits)
    if scheduled and "#" not in key:  # a repeat (UNS#2) exists only once recorded
        return True
    errors.append(InputError(f"no visit {key!r} in the schedule or recorded", field="visit"))
    return False


def _message(value: str | None, field: str, errors: list[TrialdeskError]) -> str | None:
    """A message of the thread: required, paragraphs kept."""
    try:
        text = plain_text(value, field, MESSAGE_MAX)
    except InputError as refused:
        errors.append(refused)
        return None
    if text is None:
        errors.append(InputError("write the message", field=field))
    return text


def _may(role: str | Role, permission: Permission, what: str) -> None:
    if not has_permission(Role(role), permission):
        raise ForbiddenError(f"a {Role(role).value} may not {what}", field="role")


def _record(session: Session, target: Target | DataQuery) -> FormRecord | None:
    """The form record an item target is on (None: not an item target)."""
    kind = target.target_kind if isinstance(target, DataQuery) else target.kind
    if kind != TargetKind.ITEM:
        return None
    return session.scalars(
        select(FormRecord).where(
            FormRecord.enrolment_id == target.enrolment_id,
            FormRecord.visit_key == target.visit_key,
            FormRecord.form_id == target.form_id,
            FormRecord.row == target.row,
        )
    ).one()


def _datum(session: Session, target: Target | DataQuery) -> dict[str, Any] | None:
    """An item target's value as it stands (None: not an item target); with the values
    of the other items a check's query names."""
    record = _record(session, target)
    if record is None:
        return None
    return _item_datum(record.values, target)


def _item_datum(values: Mapping[str, Any], target: Target | DataQuery) -> dict[str, Any]:
    datum: dict[str, Any] = {"value": values.get(target.item or "")}
    asked = target.datum if isinstance(target, DataQuery) else None
    others = asked.get("others") if isinstance(asked, dict) else None
    if isinstance(others, dict) and others:
        datum["others"] = {o: values.get(o) for o in others}
    return datum


def current_data(session: Session, found: Iterable[DataQuery]) -> dict[int, dict[str, Any]]:
    """What each query's target holds now, as the monitor is shown it and closes on it: an
    item's value (and the other items a check names), a visit's date or that it was not
    done, an adverse event's version, a screening fact's retraction. Read in one
    statement per kind of target."""
    wanted = list(found)
    out: dict[int, dict[str, Any]] = {}
    items = [q for q in wanted if q.target_kind == TargetKind.ITEM]
    if items:
        records = {
            (r.enrolment_id, r.visit_key, r.form_id, r.row): r.values
            for r in session.execute(
                select(
                    FormRecord.enrolment_id, FormRecord.visit_key, FormRecord.form_id,
                    FormRecord.row, FormRecord.values,
                ).where(
                    FormRecord.enrolment_id.in_({q.enrolment_id for q in items}),
                    FormRecord.form_id.in_({q.form_id for q in items}),
                )
            )
        }  # fmt: skip
        for q in items:
            values = records.get((q.enrolment_id, q.visit_key, q.form_id, q.row), {})
            out[q.id] = _item_datum(values, q)
    visits = [q for q in wanted if q.target_kind == TargetKind.VISIT]
    if visits:
        recorded = {
            (v.enrolment_id, v.key): v
            for v in session.scalars(
                select(VisitRecord).where(
                    VisitRecord.enrolment_id.in_({q.enrolment_id for q in visits})
                )
            )
        }
        for q in visits:
            v = recorded.get((q.enrolment_id, q.visit_key or ""))
            out[q.id] = (
                {"date": v.visit_date.isoformat() if v.visit_date else None,
                 "missed": v.missed_reason is not None}
                if v is not None
                else {"recorded": False}
            )  # fmt: skip
    events = [q for q in wanted if q.target_kind == TargetKind.ADVERSE_EVENT]
    if events:
        versions: dict[int, int] = {
            ae_id: version
            for ae_id, version in session.execute(
                select(AdverseEvent.id, AdverseEvent.version).where(
                    AdverseEvent.id.in_({q.adverse_event_id for q in events})
                )
            )
        }
        for q in events:
            out[q.id] = {"version": versions.get(q.adverse_event_id or 0)}
    facts = [q for q in wanted if q.target_kind == TargetKind.FACT]
    if facts:
        retracted: dict[int, datetime | None] = {
            fact_id: at
            for fact_id, at in session.execute(
                select(EnteredFact.id, EnteredFact.retracted_at).where(
                    EnteredFact.id.in_({q.entered_fact_id for q in facts})
                )
            )
        }
        for q in facts:
            out[q.id] = {"retracted": retracted.get(q.entered_fact_id or 0) is not None}
    return out


def current_datum(session: Session, query: DataQuery) -> dict[str, Any]:
    """What the query's target holds now (:func:`current_data` of one query)."""
    return current_data(session, [query])[query.id]


def datum_digest(datum: Mapping[str, Any]) -> str:
    """The digest of what the monitor was shown, sent back with the close (SHA-256)."""
    return hashlib.sha256(canonical_json(dict(datum)).encode()).hexdigest()


def check_reads(session: Session, study: Study, query: DataQuery) -> list[dict[str, Any]] | None:
    """Every value an edit check's query's check reads now (store/query_records.reads_of),
    judged as a form save judges it (conduct/checks.run_checks: the participant's forms as
    facts dated by their visit, the study dates and this visit's date); None: not a check's
    query, or its check is gone from the study."""
    form = study.forms.get(query.form_id or "")
    check = next((c for c in form.checks if c.id == query.check_id), None) if form else None
    if check is None or query.visit_key is None:
        return None
    participant = participant_or_404(session, query.enrolment_id, study=study)
    data = participant_forms(session, study, participant)
    record = facts_of(study, data, participant, query.visit_key)
    dates = {name: participant.candidate.date_of(name) for name in study.participant.anchors}
    dates[VISIT_ANCHOR] = data.visit_dates.get(query.visit_key) if query.visit_key != LOG else None
    (outcome,) = study.screener.evaluate_rules(
        [check.rule], record, dates=dates, parameters=participant.candidate.parameters
    )
    return reads_of(outcome.evidence)


def raise_query(
    session: Session,
    *,
    actor: str,
    role: str | Role,
    study: Study,
    enrolment_id: int,
    target: Mapping[str, object],
    text: str | None,
    now: datetime,
) -> DataQuery:
    """A monitor raises a query on ``target`` with its first message (audited).

    Raises:
        ForbiddenError: the role may not raise queries (only a monitor).
        NotFoundError: no such participant in ``study``.
        FieldErrors: the target's and the message's problems, all at once; nothing stored.
    """
    _may(role, Permission.RAISE_QUERIES, "raise a query")
    now = as_utc(now)
    participant = participant_or_404(session, enrolment_id, study=study)
    errors: list[TrialdeskError] = []
    found = read_target(session, study, participant, target, errors)
    message = _message(text, "text", errors)
    if errors or found is None or message is None:
        raise FieldErrors(errors, resource="query")
    query = DataQuery(
        study_id=study.id, enrolment_id=participant.id, target_kind=found.kind.value,
        visit_key=found.visit_key, form_id=found.form_id, row=found.row, item=found.item,
        adverse_event_id=found.adverse_event_id, entered_fact_id=found.entered_fact_id,
        target_key=found.key, origin=Origin.MONITOR.value, check_id=None,
        datum=_datum(session, found), state=QueryState.OPEN, raised_at=now, raised_by=actor,
        updated_at=now,
    )  # fmt: skip
    session.add(query)
    session.flush()
    audit.created(session, query, actor=actor, fields=query_fields(query), reason=None, at=now)
    add_message(
        session, query, kind=MessageKind.RAISE, text=message, author=actor, actor=actor, now=now
    )
    return query


_LOCKED = select(DataQuery).with_for_update().execution_options(populate_existing=True)


def query_or_404(
    session: Session, query_id: int, study: Study | None = None, *, for_update: bool = False
) -> DataQuery:
    """The query (``for_update``: locked, read afresh: concurrent changes wait for it)."""
    if 1 <= query_id <= MAX_ROW_ID:
        if for_update:
            found = session.scalars(_LOCKED.where(DataQuery.id == query_id)).one_or_none()
        else:
            found = session.get(DataQuery, query_id)
        if found is not None and (study is None or found.study_id == study.id):
            return found
    raise NotFoundError(f"no query {query_id}")


def _change(
    session: Session,
    study: Study,
    query: DataQuery,
    *,
    actor: str,
    state: QueryState,
    now: datetime,
    reason: str | None = None,
) -> None:
    before = query_fields(query)
    query.state, query.updated_at = state, now
    if state in (QueryState.CLOSED, QueryState.CANCELLED):
        query.closed_at, query.closed_by = now, actor
        closed = _datum(session, query)  # what an edit check won't ask again ...
        reads = check_reads(session, study, query) if query.check_id is not None else None
        if closed is not None and reads is not None:
            closed["reads"] = reads  # ... while everything it reads holds the same
        query.closed_datum = closed
    elif state is QueryState.OPEN:
        query.closed_at, query.closed_by, query.closed_datum = None, None, None
    audit.updated(
        session, query, actor=actor, before=before, after=query_fields(query), reason=reason,
        at=now,
    )  # fmt: skip
    session.flush()  # the version moves now: a concurrent change waits, then is told


def _held(session: Session, study: Study, query_id: int, expected_version: int | None) -> DataQuery:
    query = query_or_404(session, query_id, study, for_update=True)
    check_version(query, expected_version, f"query {query_id}")
    return query


def reply(
    session: Session,
    *,
    actor: str,
    role: str | Role,
    study: Study,
    query_id: int,
    text: str | None,
    expected_version: int | None,
    now: datetime,
    correction: bool = False,
) -> QueryMessage:
    """The site answers: an explanation, or (``correction``) that the datum was corrected,
    which must have been saved on the form since the query was raised; the reply points to
    the form record and the version the correction made. The query becomes answered,
    never closed.

    Raises:
        ForbiddenError: the role may not answer queries.
        NotFoundError: no such query.
        ConflictError: the query is closed or cancelled, or changed since it was read
            (StaleError, 409).
        FieldErrors: the message's and the correction's problems, all at once.
    """
    _may(role, Permission.ANSWER_QUERIES, "answer a query")
    now = as_utc(now)
    query = _held(session, study, query_id, expected_version)
    if not query.live:
        raise ConflictError(
            f"query {query.id} is {query.state.value}: it takes no reply (the monitor may "
            "reopen it)",
            field="state",
        )
    errors: list[TrialdeskError] = []
    message = _message(text, "text", errors)
    record: FormRecord | None = None
    if correction:
        record = _corrected(session, query, errors)
    if errors or message is None:
        raise FieldErrors(errors, resource=f"query {query.id}")
    _change(session, study, query, actor=actor, state=QueryState.ANSWERED, now=now)
    return add_message(
        session, query, kind=MessageKind.CORRECTION if correction else MessageKind.ANSWER,
        text=message, author=actor, actor=actor, now=now,
        form_record_id=record.id if record is not None else None,
        form_version=record.version if record is not None else None,
    )  # fmt: skip


def _corrected(
    session: Session, query: DataQuery, errors: list[TrialdeskError]
) -> FormRecord | None:
    if query.target_kind != TargetKind.ITEM:
        errors.append(
            InputError(
                "only an item's datum is corrected on its form: explain what was changed",
                field="correction",
            )
        )
        return None
    record = _record(session, query)
    if record is None or record.updated_at <= query.updated_at:
        errors.append(
            InputError(
                "the form was not saved since the question was asked: correct the datum on "
                "the form first, then reply",
                field="correction",
            )
        )
        return None
    return record


def close_query(
    session: Session,
    *,
    actor: str,
    role: str | Role,
    study: Study,
    query_id: int,
    text: str | None,
    expected_version: int | None,
    shown_datum: str | None,
    now: datetime,
) -> DataQuery:
    """The monitor closes an open or answered query, optionally with a last word, on what
    they were shown of its target: ``shown_datum``, the :func:`datum_digest` of
    :func:`current_datum` as the page or the API showed it.

    Raises:
        ForbiddenError: the role may not close queries (only a monitor).
        NotFoundError: no such query.
        ConflictError: the query is not live; it changed since ``expected_version``, or its
            target since ``shown_datum`` (StaleError, 409: look at it again).
        FieldErrors: the last word's problems, or no ``shown_datum``; nothing stored.
    """
    _may(role, Permission.RAISE_QUERIES, "close a query")
    now = as_utc(now)
    errors: list[TrialdeskError] = []
    try:
        message = plain_text(text, "text", MESSAGE_MAX)
    except InputError as refused:
        errors.append(refused)
        message = None
    shown = (shown_datum or "").strip().lower()
    if not shown:
        errors.append(
            InputError("send what you were shown of the target: reload the page", field="datum")
        )
    return _moved(
        session, study=study, query_id=query_id, expected_version=expected_version,
        errors=errors, to=QueryState.CLOSED, kind=MessageKind.CLOSE, text=message or "",
        actor=actor, now=now, shown_datum=shown or None,
    )  # fmt: skip


def cancel_query(
    session: Session,
    *,
    actor: str,
    role: str | Role,
    study: Study,
    query_id: int,
    reason: str | None,
    expected_version: int | None,
    now: datetime,
) -> DataQuery:
    """The monitor withdraws an open or answered query (raised in error): a reason is due."""
    _may(role, Permission.RAISE_QUERIES, "cancel a query")
    now = as_utc(now)
    errors: list[TrialdeskError] = []
    why: str | None = None
    try:
        why = plain_text(reason, "reason", REASON_MAX)
        if why is None:
            errors.append(InputError("give the reason for cancelling", field="reason"))
    except InputError as refused:
        errors.append(refused)
    return _moved(
        session, study=study, query_id=query_id, expected_version=expected_version,
        errors=errors, to=QueryState.CANCELLED, kind=MessageKind.CANCEL, text=why,
        actor=actor, now=now, reason=why,
    )  # fmt: skip


def reopen_query(
    session: Session,
    *,
    actor: str,
    role: str | Role,
    study: Study,
    query_id: int,
    text: str | None,
    expected_version: int | None,
    now: datetime,
) -> DataQuery:
    """The monitor asks again: an answered, closed or cancelled query is open again, with
    the new question in its thread."""
    _may(role, Permission.RAISE_QUERIES, "reopen a query")
    now = as_utc(now)
    errors: list[TrialdeskError] = []
    message = _message(text, "text", errors)
    return _moved(
        session, study=study, query_id=query_id, expected_version=expected_version,
        errors=errors, to=QueryState.OPEN, kind=MessageKind.REOPEN, text=message,
        actor=actor, now=now,
    )  # fmt: skip


def _moved(
    session: Session,
    *,
    study: Study,
    query_id: int,
    expected_version: int | None,
    errors: list[TrialdeskError],
    to: QueryState,
    kind: MessageKind,
    text: str | None,
    actor: str,
    now: datetime,
    reason: str | None = None,
    shown_datum: str | None = None,
) -> DataQuery:
    """What the monitor's acts share once their input is read: the query held at the
    version read, refused in a state it cannot leave that way (only a live one closes or
    is cancelled; an open one is not reopened), every input problem at once, the target
    as it was shown (``shown_datum``: a close), then the state moved and the message
    added to the thread."""
    query = _held(session, study, query_id, expected_version)
    if to is QueryState.OPEN and query.state is QueryState.OPEN:
        raise ConflictError(f"query {query.id} is open already", field="state")
    if to is not QueryState.OPEN and not query.live:
        raise ConflictError(f"query {query.id} is {query.state.value} already", field="state")
    if errors or text is None:
        raise FieldErrors(errors, resource=f"query {query.id}")
    if shown_datum is not None and shown_datum != datum_digest(current_datum(session, query)):
        raise StaleError(f"what query {query.id} asks about (its {query.target_kind})")
    _change(session, study, query, actor=actor, state=to, now=now, reason=reason)
    add_message(session, query, kind=kind, text=text, author=actor, actor=actor, now=now)
    return query
