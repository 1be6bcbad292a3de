"""Queries on the data: the tables, and the queries an edit check raises by itself.

A query asks the site about one target of one participant: an item of a form at a visit
(or of a log row), a whole visit, an adverse event or an entered screening fact. It is
raised by a monitor (trial/review/queries.py) or by an edit check: every failing
warning-severity check a form save flags is one open query, on the check's first item
(naming its other items), raised by the system in the save's own transaction. So that
the conduct wing can raise them without
importing the review wing above it, the tables and :func:`raise_from_checks` live here,
below every wing (as store/holds.py does for the study hold); conduct/entry.py calls it
once per save. Everything else about queries (who may do what, the thread, the counts)
is in trial/review/.

A query is never deleted. Its thread is a numbered list of messages: the raising
question, the site's answers (an explanation, or the correction of the datum, pointing to
the form record and the version the correction made), and the monitor's close, cancel and
reopen. A passing check never closes its query: the monitor does (ICH E6(R3) 3.11.4: the
sponsor's monitor resolves data queries; OpenClinica's and REDCap's workflows do the same).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from trialdesk.criteria.outcome import Evidence
from trialdesk.trial.store import audit
from trialdesk.trial.store.models import Base, enum_column
from trialdesk.trial.store.values import as_utc, canonical_json

__all__ = [
    "LIVE",
    "SYSTEM",
    "CheckSeen",
    "DataQuery",
    "MessageKind",
    "Origin",
    "QueryMessage",
    "QueryState",
    "TargetKind",
    "add_message",
    "message_fields",
    "query_fields",
    "raise_from_checks",
    "reads_of",
    "same_question",
    "target_key",
]

SYSTEM = "system"  # who raised a query an edit check raised


class QueryState(StrEnum):
    OPEN = "open"  # asked, waiting for the site
    ANSWERED = "answered"  # the site replied; the monitor closes it or asks again
    CLOSED = "closed"  # resolved by the monitor
    CANCELLED = "cancelled"  # withdrawn by the monitor, with a reason


LIVE = (QueryState.OPEN, QueryState.ANSWERED)  # still waiting for someone


class TargetKind(StrEnum):
    ITEM = "item"  # an item of a form at a visit, or of a log row (visit_key LOG)
    VISIT = "visit"  # a whole visit (its date, a missed visit)
    ADVERSE_EVENT = "adverse_event"
    FACT = "fact"  # an entered screening fact of the participant's candidate


class Origin(StrEnum):
    MONITOR = "monitor"
    CHECK = "check"


class MessageKind(StrEnum):
    RAISE = "raise"
    ANSWER = "answer"  # the site explains
    CORRECTION = "correction"  # the site corrected the datum (a form save), and says so
    CLOSE = "close"
    CANCEL = "cancel"
    REOPEN = "reopen"


class DataQuery(Base):
    """One query: its target (kind and ids; ``target_key`` the same as one string), who
    raised it (a monitor, or the system for an edit check: then ``check_id`` and the
    ``datum`` the check saw), its state, and when it was closed or cancelled."""

    __tablename__ = "data_query"
    __table_args__ = (
        Index("ix_data_query_enrolment_id", "enrolment_id"),
        Index("ix_data_query_study_state", "study_id", "state"),
        Index("ix_data_query_target_key", "target_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[str] = mapped_column(String(32))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"))
    target_kind: Mapped[str] = mapped_column(String(16))
    visit_key: Mapped[str | None] = mapped_column(String(48))
    form_id: Mapped[str | None] = mapped_column(String(64))
    row: Mapped[int | None] = mapped_column(Integer)
    item: Mapped[str | None] = mapped_column(String(64))
    adverse_event_id: Mapped[int | None] = mapped_column(ForeignKey("adverse_event.id"))
    entered_fact_id: Mapped[int | None] = mapped_column(ForeignKey("entered_fact.id"))
    target_key: Mapped[str] = mapped_column(String(240))
    origin: Mapped[str] = mapped_column(String(8))
    check_id: Mapped[str | None] = mapped_column(String(64))
    datum: Mapped[dict[str, Any] | None]
    state: Mapped[QueryState] = mapped_column(enum_column(QueryState, "state"))
    raised_at: Mapped[datetime]
    raised_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(64))
    closed_datum: Mapped[dict[str, Any] | None]  # an item's value when it was closed
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def live(self) -> bool:
        return self.state in LIVE


class QueryMessage(Base):
    """One message of a query's thread, numbered from 1 (the raising question)."""

    __tablename__ = "query_message"
    __table_args__ = (UniqueConstraint("query_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    query_id: Mapped[int] = mapped_column(ForeignKey("data_query.id"))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    form_record_id: Mapped[int | None] = mapped_column(Integer)
    form_version: Mapped[int | None] = mapped_column(Integer)


def target_key(
    kind: str,
    enrolment_id: int,
    *,
    visit_key: str | None = None,
    form_id: str | None = None,
    row: int | None = None,
    item: str | None = None,
    adverse_event_id: int | None = None,
    entered_fact_id: int | None = None,
) -> str:
    """The target as one string, for lookups and filters: ``item:7:W4:koos:1:pain``."""
    parts: tuple[object, ...]
    if kind == TargetKind.ITEM:
        parts = (visit_key, form_id, row, item)
    elif kind == TargetKind.VISIT:
        parts = (visit_key,)
    elif kind == TargetKind.ADVERSE_EVENT:
        parts = (adverse_event_id,)
    else:
        parts = (entered_fact_id,)
    return ":".join(str(p) for p in (kind, enrolment_id, *parts))


_QUERY_FIELDS = (
    "study_id", "enrolment_id", "target_kind", "visit_key", "form_id", "row", "item",
    "adverse_event_id", "entered_fact_id", "target_key", "origin", "check_id", "datum",
    "state", "raised_by", "closed_at", "closed_by", "closed_datum",
)  # fmt: skip
_MESSAGE_FIELDS = ("query_id", "number", "kind", "text", "author", "form_record_id", "form_version")


def query_fields(query: DataQuery) -> dict[str, Any]:
    return {n: getattr(query, n) for n in _QUERY_FIELDS}


def message_fields(message: QueryMessage) -> dict[str, Any]:
    return {n: getattr(message, n) for n in _MESSAGE_FIELDS}


def add_message(
    session: Session,
    query: DataQuery,
    *,
    kind: MessageKind,
    text: str,
    author: str,
    actor: str,
    now: datetime,
    form_record_id: int | None = None,
    form_version: int | None = None,
) -> QueryMessage:
    """Append a message to the thread (audited; ``actor`` the signed-in person whose act
    wrote it, ``author`` who the thread shows: the system for an edit check's question)."""
    last = session.scalar(
        select(QueryMessage.number)
        .where(QueryMessage.query_id == query.id)
        .order_by(QueryMessage.number.desc())
        .limit(1)
    )
    message = QueryMessage(
        query_id=query.id, number=(last or 0) + 1, kind=kind.value, text=text, author=author,
        at=as_utc(now), form_record_id=form_record_id, form_version=form_version,
    )  # fmt: skip
    session.add(message)
    session.flush()
    audit.created(
        session, message, actor=actor, fields=message_fields(message), reason=None, at=now
    )
    return message


def reads_of(evidence: Iterable[Evidence]) -> list[dict[str, Any]]:
    """Every value a check's outcome rests on, from the evaluator's evidence: each fact's
    resource (the form, visit, row and item it was entered at), code, value, unit and date,
    once each, in one order. A computed figure (no resource) is left out: it follows from
    the facts and the rule."""
    found: dict[str, dict[str, Any]] = {}
    for e in evidence:
        if e.resource is None:
            continue
        read = e.to_json()
        read.pop("note", None)
        read.pop("display", None)
        found[canonical_json(read)] = read
    return [found[k] for k in sorted(found)]


@dataclass(frozen=True)
class CheckSeen:
    """What a failing check was judged on: its items in the order the study declares
    them (the first is the one its query is on) and every value it read
    (:func:`reads_of`: other forms' and other visits' values among them)."""

    items: tuple[str, ...]
    reads: tuple[dict[str, Any], ...] = ()

    @classmethod
    def of(cls, items: Sequence[str], evidence: Iterable[Evidence]) -> CheckSeen:
        return cls(tuple(items), tuple(reads_of(evidence)))


def same_question(asked: Mapping[str, Any] | None, now: Mapping[str, Any]) -> bool:
    """Whether an edit check asking on ``now`` (its item's value, its other items' values,
    what it read) asks what a query closed on ``asked`` was answered about. What the
    check read counts when both know it (a query closed before it was kept, or a save
    that does not pass it, compare on the items' values alone)."""
    if asked is None:
        return False
    keys = ["value", "others"]
    if "reads" in asked and "reads" in now:
        keys.append("reads")
    return all(asked.get(k) == now.get(k) for k in keys)


def _grouped(
    flags: Mapping[str, list[dict[str, Any]]],
    values: Mapping[str, Any],
    messages: Mapping[str, str],
    seen: Mapping[str, CheckSeen],
) -> list[tuple[str, str, tuple[str, ...]]]:
    """(check, its first item, its other items) for each failing check, once per check:
    the first item is the first the study declares for it (``seen``), else the first of
    its flagged items in the form's order (``values`` keeps it)."""
    flagged: dict[str, list[str]] = {}
    for item, item_flags in flags.items():
        for flag in item_flags:
            check = flag.get("check")
            if flag.get("kind") == "check" and isinstance(check, str) and check in messages:
                flagged.setdefault(check, []).append(item)
    order = {item: n for n, item in enumerate(values)}
    out = []
    for check, items in flagged.items():
        declared = seen[check].items if check in seen else ()
        ranked = sorted(
            dict.fromkeys(items),
            key=lambda i: (
                declared.index(i) if i in declared else len(declared),
                order.get(i, len(order)),
            ),
        )
        out.append((check, ranked[0], tuple(ranked[1:])))
    return out


def raise_from_checks(
    session: Session,
    *,
    study_id: str,
    enrolment_id: int,
    visit_key: str,
    form_id: str,
    row: int,
    flags: Mapping[str, list[dict[str, Any]]],
    values: Mapping[str, Any],
    messages: Mapping[str, str],
    actor: str,
    now: datetime,
    seen: Mapping[str, CheckSeen] | None = None,
) -> list[DataQuery]:
    """Raise, in the save's transaction, the queries of a form's failing warning checks.

    ``flags`` are the flags the save stores ({item: [{"kind": "check", "check": id}, ...]}),
    ``values`` the stored values, ``messages`` each check's message (the question asked),
    ``seen`` (optional) what each failing check was judged on: its declared items and
    every value it read (:class:`CheckSeen`).

    One query per failing check, on its first item, naming its other items (its datum:
    ``{"value": ..., "others": {item: value}, "reads": [...]}``). It is raised unless one
    of the same check on any of its items is still live (open or answered: the site is
    already asked), or one was closed or cancelled while everything the check reads held what it
    holds now (:func:`same_question`: the monitor accepted those values; asking again at
    every save of the form would be noise). A check whose other inputs changed (another
    item, another form, another visit's value) asks anew, and so does a value put back
    after a correction. Queries are never closed here: a check that passes after a
    correction leaves its query for the monitor to close. The audit entries are the
    saver's (``actor``); the query shows the system as who raised it.
    """
    wanted = _grouped(flags, values, messages, seen or {})
    if not wanted:
        return []
    keys = {
        item: target_key(
            TargetKind.ITEM, enrolment_id, visit_key=visit_key, form_id=form_id, row=row, item=item
        )
        for _, first, others in wanted
        for item in (first, *others)
    }
    known = session.scalars(
        select(DataQuery).where(
            DataQuery.enrolment_id == enrolment_id,
            DataQuery.target_key.in_(set(keys.values())),
            DataQuery.origin == Origin.CHECK.value,
        )
    ).all()
    raised: list[DataQuery] = []
    now = as_utc(now)
    for check, item, others in wanted:
        datum: dict[str, Any] = {"value": values.get(item)}
        if others:
            datum["others"] = {o: values.get(o) for o in others}
        if seen is not None and check in seen:
            datum["reads"] = list(seen[check].reads)
        mine = {keys[i] for i in (item, *others)}  # on any of its items: one asked before
        if any(
            q.target_key in mine
            and q.check_id == check
            and (q.live or same_question(q.closed_datum, datum))
            for q in known
        ):
            continue
        query = DataQuery(
            study_id=study_id, enrolment_id=enrolment_id, target_kind=TargetKind.ITEM.value,
            visit_key=visit_key, form_id=form_id, row=row, item=item, target_key=keys[item],
            origin=Origin.CHECK.value, check_id=check, datum=datum, state=QueryState.OPEN,
            raised_at=now, raised_by=SYSTEM, updated_at=now,
        )  # fmt: skip
        session.add(query)
        session.flush()
        audit.created(
            session, query, actor=actor, fields=query_fields(query),
            reason=f"edit check {check} failed", at=now,
        )  # fmt: skip
        add_message(
            session, query, kind=MessageKind.RAISE, text=messages[check], author=SYSTEM,
            actor=actor, now=now,
        )  # fmt: skip
        raised.append(query)
    return raised
