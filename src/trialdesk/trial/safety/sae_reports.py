"""Serious adverse event reports: the initial report and its numbered follow-ups, in the
shape of the CIOMS I form (CIOMS Working Group I, 1990), each drafted by site staff and
submitted by the investigator's signature (the one signature service).

A draft is edited as a whole with the version it was opened on (store/stale.py); every
problem is reported at its field at once and nothing is stored half-way; every write is
audited. Submission signs exactly what the report says, with the event it reports, and
fixes the event's outcome into it: a submitted report never changes, a correction or new
information is a follow-up report (ICH E2D (2003) 5.4: follow-up information is
reported as it is obtained, the case identified as the same). Submitting the initial
report stops the event's 24-hour clock (clock.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from trialdesk.errors import ConflictError, FieldErrors, InputError, NotFoundError, TrialdeskError
from trialdesk.study.loader import Study
from trialdesk.study.texts import Text
from trialdesk.study.windows import site_today
from trialdesk.trial.accounts.signatures import Meaning, Signed, check_may_sign, sign
from trialdesk.trial.conduct.models import FormRecord
from trialdesk.trial.conduct.participants import Participant, participant_or_404
from trialdesk.trial.safety.causality import CausalityState, Signing, causality_state
from trialdesk.trial.safety.events import adverse_event_or_404
from trialdesk.trial.safety.models import AdverseEvent
from trialdesk.trial.safety.sae_models import SaeReport
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.models import MAX_ROW_ID
from trialdesk.trial.store.stale import check_version
from trialdesk.trial.store.text import plain_text
from trialdesk.trial.store.values import as_utc

__all__ = [
    "NARRATIVE_MAX",
    "NOTE_MAX",
    "Exposure",
    "ReportInput",
    "SaeView",
    "report_content",
    "report_fields",
    "report_or_404",
    "reports_of",
    "sae_view",
    "save_report",
    "start_report",
    "submit_report",
]

NARRATIVE_MAX = 20000
NOTE_MAX = 5000
REPORTER_MAX = 200
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class ReportInput:
    """The report's fields as typed (dates as ISO 8601 text or dates; blank is none)."""

    narrative: str | None = None
    admitted_on: str | date | None = None
    discharged_on: str | date | None = None
    tests: str | None = None
    concomitant: str | None = None
    reporter: str | None = None


@dataclass(frozen=True)
class _Values:
    narrative: str | None
    admitted_on: date | None
    discharged_on: date | None
    tests: str | None
    concomitant: str | None
    reporter: str | None


def report_fields(report: SaeReport) -> dict[str, Any]:
    names = (
        "adverse_event_id",
        "number",
        "narrative",
        "admitted_on",
        "discharged_on",
        "outcome",
        "tests",
        "concomitant",
        "reporter",
        "submitted_at",
        "signature_id",
    )
    return {n: getattr(report, n) for n in names}


def _day(value: str | date | None, field: str, errors: list[TrialdeskError]) -> date | None:
    if value is None or isinstance(value, date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        if _DAY.fullmatch(text) is None:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        errors.append(InputError(f"'{text[:40]}' is not a date (YYYY-MM-DD)", field=field))
        return None


def _text(
    value: str | None, field: str, limit: int, errors: list[TrialdeskError], one_line: bool = False
) -> str | None:
    try:
        return plain_text(value, field, limit, one_line=one_line)
    except InputError as refused:
        errors.append(refused)
        return None


def _read(given: ReportInput, event: AdverseEvent, today: date) -> _Values:
    """The report's values, checked whole; every problem at its field at once."""
    errors: list[TrialdeskError] = []
    values = _Values(
        narrative=_text(given.narrative, "narrative", NARRATIVE_MAX, errors),
        admitted_on=_day(given.admitted_on, "admitted_on", errors),
        discharged_on=_day(given.discharged_on, "discharged_on", errors),
        tests=_text(given.tests, "tests", NOTE_MAX, errors),
        concomitant=_text(given.concomitant, "concomitant", NOTE_MAX, errors),
        reporter=_text(given.reporter, "reporter", REPORTER_MAX, errors, one_line=True),
    )
    admitted, discharged = values.admitted_on, values.discharged_on
    if not event.hospitalisation:
        for field, day in (("admitted_on", admitted), ("discharged_on", discharged)):
            if day is not None:
                errors.append(
                    InputError(
                        "the event is not marked as requiring or prolonging hospitalisation: "
                        "leave the hospital dates empty, or correct the event first",
                        field=field,
                    )
                )
    else:
        for field, day in (("admitted_on", admitted), ("discharged_on", discharged)):
            if day is not None and day > today:
                errors.append(
                    InputError(f"{day} is after today at the site ({today})", field=field)
                )
        if discharged is not None and admitted is None:
            errors.append(InputError("give the admission date with the discharge date",
                                     field="admitted_on"))  # fmt: skip
        if admitted is not None and discharged is not None and discharged < admitted:
            errors.append(
                InputError(f"{discharged} is before the admission ({admitted})",
                           field="discharged_on")
            )  # fmt: skip
    if errors:
        raise FieldErrors(errors, resource="serious adverse event report")
    return values


def _complete(report: SaeReport, event: AdverseEvent) -> None:
    """What a report must say before it is submitted (drafts may be partial)."""
    errors: list[TrialdeskError] = []
    if not report.narrative:
        errors.append(InputError("write the narrative before submitting", field="narrative"))
    if not report.reporter:
        errors.append(InputError("give the reporter's printed name", field="reporter"))
    if event.hospitalisation and report.admitted_on is None:
        errors.append(
            InputError(
                "the event requires or prolongs hospitalisation: give the admission date",
                field="admitted_on",
            )
        )
    if errors:
        raise FieldErrors(errors, resource="serious adverse event report")


def _apply(report: SaeReport, values: _Values, event: AdverseEvent) -> None:
    report.narrative = values.narrative
    report.admitted_on, report.discharged_on = values.admitted_on, values.discharged_on
    report.tests, report.concomitant = values.tests, values.concomitant
    report.reporter = values.reporter
    report.outcome = event.outcome  # the event's as it stands when written


def reports_of(session: Session, event: AdverseEvent) -> list[SaeReport]:
    """The event's reports: the initial first, then the follow-ups in their order."""
    return list(
        session.scalars(
            select(SaeReport)
            .where(SaeReport.adverse_event_id == event.id)
            .order_by(SaeReport.number)
        )
    )


def report_or_404(session: Session, event: AdverseEvent, report_id: int) -> SaeReport:
    if 1 <= report_id <= MAX_ROW_ID:
        report = session.get(SaeReport, report_id, populate_existing=True)
        if report is not None and report.adverse_event_id == event.id:
            return report
    raise NotFoundError(f"adverse event {event.sequence} has no report {report_id}")


def _serious_event(
    session: Session, study: Study, enrolment_id: int, event_id: int
) -> tuple[Participant, AdverseEvent]:
    """The participant (locked: every write to their data takes the lock) and the event."""
    participant = participant_or_404(session, enrolment_id, for_update=True, study=study)
    return participant, adverse_event_or_404(session, participant, event_id)


def _subject(participant: Participant, event: AdverseEvent, report: SaeReport) -> str:
    return (
        f"participant {participant.subject_number}, adverse event {event.sequence}, {report.label}"
    )


def start_report(
    session: Session,
    *,
    actor: str,
    study: Study,
    enrolment_id: int,
    event_id: int,
    given: ReportInput,
    now: datetime,
) -> SaeReport:
    """Draft the event's next report: the initial one, or once it is submitted, the next
    follow-up. One draft at a time: a second would compete with the first."""
    now = as_utc(now)
    participant, event = _serious_event(session, study, enrolment_id, event_id)
    reports = reports_of(session, event)
    # an event no longer serious after its initial report was submitted is followed up
    # (the downgrade is itself follow-up information); one never reported has no report
    if not event.serious and not any(r.initial and r.submitted for r in reports):
        raise InputError(
            "the event is not serious (no ICH E2A criterion ticked): it has no SAE report",
            field="event",
        )
    if any(not r.submitted for r in reports):
        raise ConflictError(
            "this event has a report still in draft: complete and submit it first", field="report"
        )
    number = (
        session.scalar(
            select(func.max(SaeReport.number)).where(SaeReport.adverse_event_id == event.id)
        )
        if reports
        else None
    )
    values = _read(given, event, site_today(study.schedule, now))
    report = SaeReport(
        adverse_event_id=event.id,
        number=0 if number is None else number + 1,
        created_at=now,
        created_by=actor,
        updated_at=now,
        updated_by=actor,
        submitted_at=None,
        signature_id=None,
    )
    _apply(report, values, event)
    session.add(report)
    session.flush()
    audit.created(
        session,
        report,
        actor=actor,
        fields=report_fields(report),
        reason=f"{_subject(participant, event, report)} drafted",
        at=now,
    )
    return report


def _refuse_submitted(report: SaeReport) -> None:
    if report.submitted:
        raise ConflictError(
            f"the {report.label} was submitted and never changes: write a follow-up report",
            field="report",
        )


def save_report(
    session: Session,
    *,
    actor: str,
    study: Study,
    enrolment_id: int,
    event_id: int,
    report_id: int,
    given: ReportInput,
    expected_version: int | None,
    now: datetime,
) -> SaeReport:
    """Save a draft as a whole (the form sends every field back)."""
    now = as_utc(now)
    participant, event = _serious_event(session, study, enrolment_id, event_id)
    report = report_or_404(session, event, report_id)
    _refuse_submitted(report)
    check_version(report, expected_version, f"the {report.label}")
    values = _read(given, event, site_today(study.schedule, now))
    before = report_fields(report)
    _apply(report, values, event)
    after = report_fields(report)
    if not audit.changes_between(before, after):
        raise InputError("nothing changed", field="report")
    report.updated_at, report.updated_by = now, actor
    audit.updated(
        session,
        report,
        actor=actor,
        before=before,
        after=after,
        reason=f"{_subject(participant, event, report)} draft saved",
        at=now,
    )
    return report


def report_content(
    participant: Participant, event: AdverseEvent, report: SaeReport
) -> dict[str, Any]:
    """Exactly what the investigator's submission vouches for: the report and the event
    it reports, as they stand."""
    return {
        "participant": participant.subject_number,
        "event": event.sequence,
        "verbatim": event.verbatim,
        "term": event.term,
        "onset": event.onset_date,
        "end": event.end_date,
        "grade": event.grade,
        "seriousness": event.seriousness,
        "action_taken": event.action_taken,
        "outcome": event.outcome,
        "report": report.number,
        "narrative": report.narrative,
        "admitted_on": report.admitted_on.isoformat() if report.admitted_on else None,
        "discharged_on": report.discharged_on.isoformat() if report.discharged_on else None,
        "tests": report.tests,
        "concomitant": report.concomitant,
        "reporter": report.reporter,
    }


def submit_report(
    session: Session,
    *,
    signing: Signing,
    study: Study,
    enrolment_id: int,
    event_id: int,
    report_id: int,
    expected_version: int | None,
    now: datetime,
) -> SaeReport:
    """The investigator submits the report by signing it (``expected_version``: the
    version they were shown). A signer who may not is refused before anything is read."""
    now = as_utc(now)
    check_may_sign(signing.signer, Meaning.SAE_REPORT, now)
    participant, event = _serious_event(session, study, enrolment_id, event_id)
    report = report_or_404(session, event, report_id)
    _refuse_submitted(report)
    check_version(report, expected_version, f"the {report.label}")
    if not event.serious and report.initial:
        raise InputError(
            "the event is no longer serious (no ICH E2A criterion ticked): nothing to report",
            field="event",
        )
    before = report_fields(report)
    report.outcome = event.outcome
    _complete(report, event)
    (signature,) = sign(
        session,
        signer=signing.signer,
        password=signing.password,
        meaning=Meaning.SAE_REPORT,
        items=[Signed(_subject(participant, event, report),
                      report_content(participant, event, report))],
        now=now,
        checked=signing.checked,
    )  # fmt: skip
    report.submitted_at, report.signature_id, report.signature = now, signature.id, signature
    report.updated_at, report.updated_by = now, signing.signer.username
    audit.updated(
        session,
        report,
        actor=signing.signer.username,
        before=before,
        after=report_fields(report),
        reason=f"{_subject(participant, event, report)} submitted and signed",
        at=now,
    )
    return report


@dataclass(frozen=True)
class Exposure:
    """One item of the study product's administration as the participant's forms record
    it: the items a study maps to SDTM EX (dose, lot, laterality, date), for the CIOMS I
    form's suspect drug boxes, read from the forms, never typed twice."""

    variable: str  # EXDOSE, EXLOT, EXSTDTC, ...
    label: Text
    value: str
    unit: str | None
    loc: str | None  # the SDTM location the item fixes (EXLOC), e.g. KNEE JOINT


@dataclass(frozen=True)
class SaeView:
    """What the SAE pages, the API and the CIOMS I form read of one serious event."""

    participant: Participant
    event: AdverseEvent
    reports: list[SaeReport]
    day1: date | None
    exposure: tuple[Exposure, ...]
    causality: CausalityState

    def report(self, report_id: int) -> SaeReport:
        for report in self.reports:
            if report.id == report_id:
                return report
        raise NotFoundError(f"adverse event {self.event.sequence} has no report {report_id}")

    @property
    def draft(self) -> SaeReport | None:
        return next((r for r in self.reports if not r.submitted), None)


def _exposure(session: Session, study: Study, participant: Participant) -> tuple[Exposure, ...]:
    items = {
        form.id: [i for i in form.items if i.sdtm is not None and i.sdtm.domain == "EX"]
        for form in study.forms.values()
    }
    wanted = [form_id for form_id, found in items.items() if found]
    if not wanted:
        return ()
    records = session.scalars(
        select(FormRecord)
        .where(FormRecord.enrolment_id == participant.id, FormRecord.form_id.in_(wanted))
        .order_by(FormRecord.id)
    )
    out = []
    for record in records:
        for item in items[record.form_id]:
            value = record.values.get(item.id)
            if value is None or item.sdtm is None or item.sdtm.variable is None:
                continue
            unit = item.sdtm.orresu or item.unit  # as SDTM reports it: 10^6 Therapeutic Cells
            out.append(Exposure(item.sdtm.variable, item.label, str(value), unit, item.sdtm.loc))
    return tuple(out)


def sae_view(session: Session, study: Study, enrolment_id: int, event_id: int) -> SaeView:
    participant = participant_or_404(session, enrolment_id, study=study)
    event = adverse_event_or_404(session, participant, event_id)
    return SaeView(
        participant=participant,
        event=event,
        reports=reports_of(session, event),
        day1=participant.day1(study),
        exposure=_exposure(session, study, participant),
        causality=causality_state(session, participant, event),
    )
