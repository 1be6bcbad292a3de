"""The conduct room's JSON shapes, and how each is made from the read models every page
uses (trial/conduct/views.py, dashboard.py): a page and the API cannot show different
things. Texts a person reads come in both languages, ``{"en": ..., "zh-CN": ...}``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, WithJsonSchema

from trialdesk.study.forms import Form, Item
from trialdesk.study.texts import Text
from trialdesk.trial.conduct.calendar import CalendarRow
from trialdesk.trial.conduct.dashboard import Badges, Dashboard
from trialdesk.trial.conduct.disposition import EndTerm
from trialdesk.trial.conduct.models import FormRecord
from trialdesk.trial.conduct.participants import Participant
from trialdesk.trial.conduct.signoff import VisitSignatureState
from trialdesk.trial.conduct.views import (
    FormView,
    LogView,
    ParticipantView,
    VisitView,
    flag_message,
)
from trialdesk.web.schemas import Strict

__all__ = [
    "BADGES",
    "DashboardOut",
    "EndIn",
    "FormIn",
    "FormOut",
    "LogOut",
    "LogRowChangeIn",
    "LogRowIn",
    "MissedIn",
    "ParticipantDetailOut",
    "ParticipantOut",
    "SignatureIn",
    "SignatureOut",
    "VisitDateIn",
    "VisitOut",
    "dashboard_out",
    "form_out",
    "log_out",
    "participant_detail_out",
    "participant_out",
    "signature_out",
    "visit_out",
]

BADGES = ("due", "overdue", "missed", "incomplete")

# ---- requests -------------------------------------------------------------------------

Reason = Annotated[str, Field(max_length=2000)]
ItemId = Annotated[str, Field(max_length=64)]
# What is typed into one item: the item's own reader (entry.save_form) judges it, so a
# wrong type (a list, a word for a number) or an impossible value is reported at its item
# with every other error, not by the schema at a path of its own.
Value = Annotated[
    JsonValue,
    WithJsonSchema(
        {"anyOf": [{"type": t} for t in ("string", "number", "boolean", "null")]},
    ),
]
Values = Annotated[
    dict[ItemId, Value],
    Field(max_length=300, description="item id → the value as typed (null or blank: not given)"),
]
Units = Annotated[
    dict[ItemId, Annotated[str, Field(max_length=32)]],
    Field(
        max_length=300,
        description="item id → the UCUM unit a value was typed in, when not the item's own "
        "(converted to it; one that does not convert is refused)",
    ),
]


class FormIn(Strict):
    """A form at a visit, all of it: what is sent replaces what was stored."""

    values: Values = Field(default_factory=dict)
    units: Units = Field(default_factory=dict)
    complete: bool = Field(False, description="mark it complete: every required item given")
    version: int | None = Field(
        None, description="the version read (null: the form is entered for the first time)"
    )
    reason: Reason | None = Field(None, description="why a completed form is changed")


class LogRowIn(Strict):
    """A new row of a log form (concomitant medications)."""

    values: Values = Field(default_factory=dict)
    units: Units = Field(default_factory=dict)
    complete: bool = False
    reason: Reason | None = None


class LogRowChangeIn(Strict):
    """A row of a log form changed: the version read is required."""

    values: Values = Field(default_factory=dict)
    units: Units = Field(default_factory=dict)
    complete: bool = False
    version: int
    reason: Reason | None = None


class VisitDateIn(Strict):
    date: dt.date = Field(description="the site's date the visit took place")
    version: int | None = Field(None, description="the visit's version read, to correct a date")
    reason: Reason | None = Field(None, description="why a recorded date is changed")


class MissedIn(Strict):
    reason: Reason
    version: int | None = None


class SignatureIn(Strict):
    password: Annotated[str, Field(max_length=1024)]
    reviewed: Annotated[str, Field(max_length=64)] = Field(
        description="the visit's `content_digest` as read: what the investigator reviewed"
    )


class EndIn(Strict):
    term: EndTerm = Field(description="CDISC NCOMPLT (DSDECOD) submission value")
    ended_on: dt.date
    reason: Reason | None = None
    termination_visit_on: dt.date | None = Field(
        None, description="the date of the early termination visit, when one took place"
    )


# ---- responses ------------------------------------------------------------------------


class Texts(BaseModel):
    """A text a person reads, in English and Simplified Chinese (null: not translated)."""

    model_config = ConfigDict(populate_by_name=True)

    en: str
    zh_cn: str | None = Field(None, alias="zh-CN")


def texts(text: Text | str) -> Texts:
    if isinstance(text, str):
        return Texts.model_validate({"en": text})
    return Texts.model_validate({"en": text.en, "zh-CN": text.zh_cn})


class WindowOut(BaseModel):
    start: dt.date
    end: dt.date


def _window(row: CalendarRow) -> WindowOut | None:
    return WindowOut(start=row.window[0], end=row.window[1]) if row.window else None


class BadgesOut(BaseModel):
    due: int = Field(description="open now, or opening within the week")
    overdue: int
    missed: int
    incomplete: int = Field(description="took place, a form not complete yet")


def _badges(badges: Badges) -> BadgesOut:
    return BadgesOut.model_validate(badges.counts)


class EndedOut(BaseModel):
    term: str = Field(description="CDISC NCOMPLT (DSDECOD) submission value")
    ended_on: dt.date
    reason: str | None


class NextVisitOut(BaseModel):
    key: str
    name: Texts
    status: str
    target: dt.date | None
    window: WindowOut | None


# A visit still expected, in calendar order: the first one is the next visit due.
_EXPECTED = frozenset({"overdue", "open", "upcoming", "awaiting_day1"})


def _next_visit(rows: list[CalendarRow]) -> NextVisitOut | None:
    for row in rows:
        if row.status.value in _EXPECTED:
            return NextVisitOut(
                key=row.key, name=texts(row.visit.name), status=row.status.value,
                target=row.target, window=_window(row),
            )  # fmt: skip
    return None


class ParticipantOut(BaseModel):
    enrolment_id: int
    subject_number: str
    study: str
    day1: dt.date | None = Field(description="the injection's date (null: not injected yet)")
    ended: EndedOut | None
    badges: BadgesOut
    next_visit: NextVisitOut | None = Field(description="the first visit still expected")


def _ended(participant: Participant) -> EndedOut | None:
    d = participant.disposition
    return None if d is None else EndedOut(term=d.term, ended_on=d.ended_on, reason=d.reason)


def participant_out(
    participant: Participant, study: str, day1: dt.date | None, rows: list[CalendarRow],
    badges: Badges,
) -> ParticipantOut:  # fmt: skip
    return ParticipantOut(
        enrolment_id=participant.id, subject_number=participant.subject_number, study=study,
        day1=day1, ended=_ended(participant), badges=_badges(badges),
        next_visit=_next_visit(rows),
    )  # fmt: skip


class SignatureOut(BaseModel):
    """The visit's newest signature; ``lapsed``: the data changed since it was given."""

    signed_by: str
    printed_name: str
    meaning: str
    signed_at: dt.datetime
    current: bool
    lapsed: bool


def signature_out(state: VisitSignatureState | None) -> SignatureOut | None:
    if state is None or state.signature is None:
        return None
    s = state.signature
    return SignatureOut(
        signed_by=s.signer, printed_name=s.printed_name, meaning=s.meaning,
        signed_at=s.signed_at, current=state.current, lapsed=state.lapsed,
    )  # fmt: skip


class FormStatusOut(BaseModel):
    id: str
    status: Literal["incomplete", "complete"] | None = Field(description="null: not entered")


class CalendarVisitOut(BaseModel):
    key: str = Field(description="the visit as forms name it: W4, or UNS#2")
    id: str = Field(description="the schedule's visit id")
    name: Texts
    visitnum: float = Field(description="SDTM VISITNUM")
    epoch: str = Field(description="CDISC EPOCH")
    target: dt.date | None
    window: WindowOut | None
    status: str
    date: dt.date | None = Field(description="when it took place")
    missed_reason: str | None
    version: int | None = Field(description="the visit record's version (null: not recorded)")
    forms: list[FormStatusOut]
    signature: SignatureOut | None


def _calendar_visit(row: CalendarRow, signature: VisitSignatureState | None) -> CalendarVisitOut:
    record = row.record
    return CalendarVisitOut(
        key=row.key, id=row.visit.id, name=texts(row.visit.name), visitnum=row.visit.visitnum,
        epoch=row.visit.epoch, target=row.target, window=_window(row), status=row.status.value,
        date=row.date, missed_reason=record.missed_reason if record is not None else None,
        version=record.version if record is not None else None,
        forms=[FormStatusOut(id=f, status=s.value if s else None) for f, s in row.forms.items()],
        signature=signature_out(signature),
    )  # fmt: skip


class LogSummaryOut(BaseModel):
    form_id: str
    title: Texts
    rows: int


class ParticipantDetailOut(ParticipantOut):
    calendar: list[CalendarVisitOut]
    logs: list[LogSummaryOut]


def participant_detail_out(view: ParticipantView, study: str) -> ParticipantDetailOut:
    shown = participant_out(view.participant, study, view.day1, view.calendar, view.badges)
    return ParticipantDetailOut(
        **shown.model_dump(),
        calendar=[_calendar_visit(r, view.signatures.get(r.key)) for r in view.calendar],
        logs=[_log_summary(log) for log in view.logs],
    )


def _log_summary(log: LogView) -> LogSummaryOut:
    return LogSummaryOut(form_id=log.form.id, title=texts(log.form.title), rows=len(log.rows))


class FormDueOut(BaseModel):
    id: str
    title: Texts
    status: Literal["incomplete", "complete"] | None = Field(description="null: not entered")
    version: int | None


class VisitOut(BaseModel):
    enrolment_id: int
    subject_number: str
    key: str = Field(description="the visit as forms name it: W4, or UNS#2")
    id: str
    name: Texts
    visitnum: float
    epoch: str
    target: dt.date | None
    window: WindowOut | None
    status: str
    date: dt.date | None
    missed_reason: str | None
    version: int | None = Field(description="the visit record's version (null: not recorded)")
    dated_by_anchor: bool = Field(description="its date is the participant's, not typed (day 1)")
    forms: list[FormDueOut]
    can_sign: bool
    signature: SignatureOut | None
    content_digest: str | None = Field(
        description="SHA-256 of the visit's data as they stand (null: it has not taken "
        "place): a signature sends it back as `reviewed`, and is refused if they changed"
    )


def visit_out(view: VisitView) -> VisitOut:
    row, record = view.row, view.row.record
    return VisitOut(
        enrolment_id=view.participant.id, subject_number=view.participant.subject_number,
        key=row.key, id=row.visit.id, name=texts(row.visit.name), visitnum=row.visit.visitnum,
        epoch=row.visit.epoch, target=row.target, window=_window(row), status=row.status.value,
        date=row.date, missed_reason=record.missed_reason if record is not None else None,
        version=record.version if record is not None else None,
        dated_by_anchor=view.dated_by_anchor,
        forms=[
            FormDueOut(
                id=form.id, title=texts(form.title), status=r.status.value if r else None,
                version=r.version if r else None,
            )  # fmt: skip
            for form, r in view.forms
        ],
        can_sign=view.can_sign, signature=signature_out(view.signature),
        content_digest=view.signature.digest if view.signature is not None else None,
    )  # fmt: skip


class DashboardVisitOut(BaseModel):
    enrolment_id: int
    subject_number: str
    visit_key: str
    visit_name: Texts
    target: dt.date | None
    window: WindowOut | None
    status: str


class BadgeVisitsOut(BaseModel):
    due: list[DashboardVisitOut]
    overdue: list[DashboardVisitOut]
    missed: list[DashboardVisitOut]
    incomplete: list[DashboardVisitOut]


class DashboardOut(BaseModel):
    study: str
    today: dt.date = Field(description="the site's date the statuses are judged on")
    totals: BadgesOut = Field(description="the sums of the participants' own badges")
    visits: BadgeVisitsOut = Field(description="each (participant, visit) behind each total")


def dashboard_out(board: Dashboard, study: str) -> DashboardOut:
    lists = {
        name: [
            DashboardVisitOut(
                enrolment_id=p.participant.id,
                subject_number=p.participant.subject_number,
                visit_key=v.key,
                visit_name=texts(v.visit.name),
                target=v.target,
                window=_window(v),
                status=v.status.value,
            )  # fmt: skip
            for p, v in board.with_badge(name)
        ]
        for name in BADGES
    }
    return DashboardOut(
        study=study, today=board.today, totals=BadgesOut.model_validate(board.totals),
        visits=BadgeVisitsOut.model_validate(lists),
    )  # fmt: skip


class RangeOut(BaseModel):
    min: float | None
    max: float | None


class ChoiceOut(BaseModel):
    code: str
    label: Texts


class ItemOut(BaseModel):
    id: str
    label: Texts
    help: Texts | None
    type: str
    unit: str | None = Field(description="UCUM: the unit values are stored in")
    range: RangeOut | None = Field(description="outside it a value is impossible: refused")
    expected: RangeOut | None = Field(description="outside it a value is kept and flagged")
    choices: list[ChoiceOut]
    required: bool = Field(description="to mark the form complete")
    derived: bool = Field(description="computed on the server from other items, never typed")


def _range(low: float | None, high: float | None) -> RangeOut | None:
    return None if low is None and high is None else RangeOut(min=low, max=high)


def _item(item: Item) -> ItemOut:
    return ItemOut(
        id=item.id, label=texts(item.label), help=texts(item.help) if item.help else None,
        type=item.type.value, unit=item.unit, range=_range(item.minimum, item.maximum),
        expected=_range(item.expected_low, item.expected_high),
        choices=[ChoiceOut(code=c.code, label=texts(c.label)) for c in item.choices],
        required=item.required, derived=item.derived is not None,
    )  # fmt: skip


class FormDefOut(BaseModel):
    id: str
    title: Texts
    repeating: bool = Field(description="a log form: rows per participant, not one per visit")
    items: list[ItemOut]


def _form_def(form: Form) -> FormDefOut:
    return FormDefOut(
        id=form.id, title=texts(form.title), repeating=form.repeating,
        items=[_item(i) for i in form.items],
    )  # fmt: skip


class EnteredOut(BaseModel):
    value: Any
    unit: str | None


class DerivedOut(BaseModel):
    value: Any = Field(description="null: not computed (see missing, error, not_applicable)")
    calculator: str
    version: str = Field(description="the calculator's version the value was computed with")
    inputs: dict[str, Any]
    missing: list[str] | None = None
    error: str | None = None
    not_applicable: bool = False


class RecordOut(BaseModel):
    status: Literal["incomplete", "complete"] | None = Field(description="null: not entered")
    version: int | None
    values: dict[str, Any] = Field(description="item id → the value in the item's unit")
    entered: dict[str, EnteredOut] = Field(description="as typed, when in another unit")
    derived: dict[str, DerivedOut]
    flags: dict[str, list[Texts]] = Field(description="what each value asks the site to confirm")
    updated_at: dt.datetime | None
    updated_by: str | None


def _record(form: Form, record: FormRecord | None) -> dict[str, Any]:
    if record is None:
        return {"status": None, "version": None, "values": {}, "entered": {}, "derived": {},
                "flags": {}, "updated_at": None, "updated_by": None}  # fmt: skip
    flags = {
        item: [
            Texts.model_validate(
                {"en": flag_message(form, f, "en"), "zh-CN": flag_message(form, f, "zh-CN")}
            )
            for f in raised
        ]
        for item, raised in record.flags.items()
    }
    return {
        "status": record.status.value, "version": record.version, "values": record.values,
        "entered": record.entered, "derived": record.derived, "flags": flags,
        "updated_at": record.updated_at, "updated_by": record.updated_by,
    }  # fmt: skip


class FormOut(RecordOut):
    enrolment_id: int
    subject_number: str
    visit_key: str | None = Field(description="null: a row of a log form")
    row: int | None = Field(description="the log form's row (null: a form at a visit)")
    form: FormDefOut


def form_out(view: FormView) -> FormOut:
    record = view.record
    return FormOut.model_validate({
        **_record(view.form, record),
        "enrolment_id": view.participant.id, "subject_number": view.participant.subject_number,
        "visit_key": view.row.key if view.row is not None else None,
        "row": record.row if record is not None and view.row is None else None,
        "form": _form_def(view.form),
    })  # fmt: skip


class LogRowOut(RecordOut):
    row: int


class LogOut(BaseModel):
    enrolment_id: int
    subject_number: str
    form: FormDefOut
    rows: list[LogRowOut] = Field(description="oldest first")


def log_out(participant: Participant, log: LogView) -> LogOut:
    return LogOut(
        enrolment_id=participant.id, subject_number=participant.subject_number,
        form=_form_def(log.form),
        rows=[LogRowOut.model_validate({**_record(log.form, r), "row": r.row}) for r in log.rows],
    )  # fmt: skip
