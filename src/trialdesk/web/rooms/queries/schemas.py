"""The queries room's JSON shapes, made from the read models the pages use
(trial/review/queries.py): a page and the API cannot show different things. Texts a
person reads come in both languages, ``{"en": ..., "zh-CN": ...}``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, Field, JsonValue, WithJsonSchema

from trialdesk.study.loader import Study
from trialdesk.trial.review.queries import MESSAGE_MAX
from trialdesk.trial.review.query_views import QueryView, StudyCounts, check_message
from trialdesk.trial.store.query_records import QueryMessage
from trialdesk.web.schemas import Strict

__all__ = [
    "CancelIn",
    "CloseIn",
    "CountsOut",
    "QueryIn",
    "QueryOut",
    "ReopenIn",
    "ReplyIn",
    "TargetIn",
    "counts_out",
    "query_out",
]

Message = Annotated[str, Field(max_length=MESSAGE_MAX)]
Version = Annotated[int, Field(ge=1, description="the query's version as read (409: reload)")]
# an id as typed: the service reads it and names the field when it is not one
Id = Annotated[
    JsonValue,
    WithJsonSchema({"anyOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]}),
]


class TargetIn(Strict):
    """What the query is about: ``kind`` item (``visit``, ``form``, ``item``; a log form's
    ``row`` instead of the visit), visit (``visit``), adverse_event (``adverse_event``:
    its id) or fact (``fact``: the entered screening fact's id)."""

    kind: Annotated[str, Field(max_length=16)]
    visit: Annotated[str, Field(max_length=48)] | None = None
    form: Annotated[str, Field(max_length=64)] | None = None
    row: Id = None
    item: Annotated[str, Field(max_length=64)] | None = None
    adverse_event: Id = None
    fact: Id = None


class QueryIn(Strict):
    target: TargetIn
    text: Message = Field(description="the question")


class ReplyIn(Strict):
    text: Message
    correction: bool = Field(
        False, description="the datum was corrected on its form (saved since the question)"
    )
    version: Version


class CloseIn(Strict):
    text: Message | None = Field(None, description="a last word, if any")
    version: Version
    datum: Annotated[str, Field(min_length=64, max_length=64, pattern="^[0-9a-fA-F]{64}$")] = Field(
        description="the query's ``digest`` as read: what you were shown of its target "
        "(409 when the target changed since: look at it again)"
    )


class CancelIn(Strict):
    reason: Message
    version: Version


class ReopenIn(Strict):
    text: Message = Field(description="the new question")
    version: Version


class Texts(BaseModel):
    en: str
    zh_CN: str | None = Field(None, alias="zh-CN")


class TargetOut(BaseModel):
    kind: str
    key: str
    visit: str | None
    form: str | None
    row: int | None
    item: str | None
    other_items: list[str] = Field(description="the other items an edit check's query names")
    adverse_event: int | None
    fact: int | None


class MessageOut(BaseModel):
    number: int
    kind: str
    text: str
    author: str
    at: dt.datetime
    form_record_id: int | None
    form_version: int | None


class QueryOut(BaseModel):
    id: int
    study_id: str
    enrolment_id: int
    subject_number: str
    target: TargetOut
    origin: str = Field(description="monitor, or check: raised by an edit check")
    check_id: str | None
    check_message: Texts | None = Field(description="the edit check's question, both languages")
    datum: dict[str, Any] | None = Field(
        description="an item's value when it was asked (an edit check's: with its other "
        "items' values and every value the check read)"
    )
    now: dict[str, Any] | None = Field(
        description="a live query's target as it stands: an item's value, a visit's date, an "
        "adverse event's version, a screening fact's retraction"
    )
    digest: str | None = Field(description="what a close sends back as ``datum``")
    state: str
    raised_at: dt.datetime
    raised_by: str
    closed_at: dt.datetime | None
    closed_by: str | None
    age_days: int = Field(description="whole site calendar days since it was raised")
    version: int
    messages: list[MessageOut]


class ParticipantCountsOut(BaseModel):
    enrolment_id: int
    subject_number: str
    open: int
    answered: int
    oldest_open_days: int | None


class CountsOut(BaseModel):
    study_id: str
    site_code: str
    open: int
    answered: int
    oldest_open_days: int | None
    participants: list[ParticipantCountsOut]


def _message_out(m: QueryMessage) -> MessageOut:
    return MessageOut(
        number=m.number, kind=m.kind, text=m.text, author=m.author, at=m.at,
        form_record_id=m.form_record_id, form_version=m.form_version,
    )  # fmt: skip


def query_out(view: QueryView, study: Study) -> QueryOut:
    q = view.query
    en = check_message(study, q, "en")
    question = (
        Texts.model_validate({"en": en, "zh-CN": check_message(study, q, "zh-CN")})
        if en is not None
        else None
    )
    return QueryOut(
        id=q.id, study_id=q.study_id, enrolment_id=q.enrolment_id,
        subject_number=view.subject_number,
        target=TargetOut(
            kind=q.target_kind, key=q.target_key, visit=q.visit_key, form=q.form_id, row=q.row,
            item=q.item, other_items=list(view.others), adverse_event=q.adverse_event_id,
            fact=q.entered_fact_id,
        ),
        origin=q.origin, check_id=q.check_id, check_message=question, datum=q.datum,
        now=view.now, digest=view.digest,
        state=q.state.value, raised_at=q.raised_at, raised_by=q.raised_by,
        closed_at=q.closed_at, closed_by=q.closed_by, age_days=view.age_days,
        version=q.version, messages=[_message_out(m) for m in view.messages],
    )  # fmt: skip


def counts_out(found: StudyCounts, study: Study, subjects: dict[int, str]) -> CountsOut:
    return CountsOut(
        study_id=study.id, site_code=found.site_code, open=found.site.open,
        answered=found.site.answered, oldest_open_days=found.site.oldest_open_days,
        participants=[
            ParticipantCountsOut(
                enrolment_id=pid, subject_number=subjects.get(pid, "?"), open=c.open,
                answered=c.answered, oldest_open_days=c.oldest_open_days,
            )
            for pid, c in sorted(found.by_participant.items(), key=lambda x: subjects.get(x[0], ""))
        ],
    )  # fmt: skip
