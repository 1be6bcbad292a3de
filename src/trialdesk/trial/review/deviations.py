"""Protocol deviations (issue 15, point 3): proposed where the data show one, decided by
the investigator, or entered by hand; each major or minor, with the SDTM DV fields.

What the data show is computed on every read from the store, so a proposal is never
stale; only decisions and hand entries are stored (deviation_models.py). Six kinds are
proposed, each read through the one function that owns the rule:

- ``visit_out_of_window``: a visit done out of its window (the calendar, i.e.
  study/windows.visit_status through trial/conduct/calendar.py);
- ``visit_missed``: a visit the calendar calls missed, or overdue (its window closed,
  no date recorded and not marked missed: not done, whatever the site records later;
  the decision stays with it if it is then marked missed);
- ``endpoint_missing``: an endpoint of endpoints.yaml not assessed at its visit: the
  visit missed, or overdue (its window closed, nothing recorded), or done with an item
  the endpoint reads still empty once the window has closed (before that it may still
  be entered, so nothing is proposed);
- ``injection_window``: day 1 (the injection) outside the window a visit before day 1
  allows after it (the screening visit, days -28..-1: day 1 more than 28 days after the
  screening date, or not after it);
- ``before_consent``: a visit (and so every form entered at it) dated before the first
  informed consent, or any with no consent on file (ICH E6(R3) 2.8.1 / 3.10: consent
  before any trial-specific procedure); and the screening procedures entered as facts
  for the candidate dated before it, one proposal per day (as the screening checklist's
  ``pre_consent`` reads them: an entry not retracted, dated on or after the day the
  candidate was added, so that history from before screening is not one; every date
  here the site's, study/windows.site_today);
- ``criterion_not_met``: a criterion that excludes the enrolled participant now, by the
  study's screening checklist (trial/screening/checklist.build_checklist) on their
  candidate: a fact entered or a judgment signed after enrolment.

A proposal's key is its kind, the participant and what it is about (a visit key, an
endpoint id, a criterion id, ``facts-<date>``), so a decision attaches to it across
reads. An undecided proposal disappears when the data are corrected; a decided one
stays, shown as no longer standing. A dismissed one whose class rises (a visit later
found further out of its window: minor, then major) is proposed again, the earlier
dismissal shown with it; the investigator's new decision replaces it on the same row
(the audit trail keeps the earlier one).

The kinds and their default classification (a protocol assumption): deviation_kinds.py;
the decisions and the entries by hand: deviation_decisions.py.

The DV fields (SDTMIG v3.2 section 6.2, DV domain): DVTERM the deviation in words,
DVDECOD and DVCAT from sponsor-defined terminology (CDISC publishes no code list for
either; the values here are the sponsor's, as SDTMIG's examples do: "TREATMENT
DEVIATION"), DVSTDTC its date (ISO 8601), EPOCH and VISIT from the schedule (CDISC EPOCH
code list C99079 values, as schedule.yaml states them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import func, select

from trialdesk.study.loader import Study
from trialdesk.study.schedule import Visit
from trialdesk.study.windows import VisitStatus, site_today
from trialdesk.trial.conduct.calendar import CalendarRow, calendar, calendars
from trialdesk.trial.conduct.models import FormRecord
from trialdesk.trial.conduct.participants import (
    Participant,
    list_participants,
)
from trialdesk.trial.review.deviation_kinds import (
    KINDS,
    MINOR_DAYS_OUT,
    RANK,
    Deviation,
    DeviationKind,
    Severity,
    State,
)
from trialdesk.trial.review.deviation_models import ProtocolDeviation
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.screening.entry_concepts import is_attestation
from trialdesk.trial.screening.models import Consent, Enrolment, EnteredFact
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.values import as_utc

__all__ = [
    "counts",
    "deviations_of",
    "deviations_of_study",
    "select_deviations",
    "stored_counts",
    "unresolved",
]


@dataclass(frozen=True)
class _Seen:
    """One participant's data as the proposals read them."""

    participant: Participant
    rows: list[CalendarRow]
    forms: dict[tuple[str, str], FormRecord]
    first_consent: date | None  # the site's date
    facts: list[EnteredFact]  # entered for the participant's candidate


def _proposal(
    seen: _Seen,
    kind: DeviationKind,
    what: str,
    dvterm: str,
    on: date | None,
    visit: Visit | None = None,
    visit_key: str | None = None,
    severity: Severity | None = None,
) -> Deviation:
    info = KINDS[kind]
    return Deviation(
        enrolment_id=seen.participant.id,
        subject_number=seen.participant.subject_number,
        kind=kind,
        what=what[:120],
        severity=severity or info.severity,
        dvterm=dvterm,
        dvdecod=info.dvdecod,
        dvcat=info.dvcat,
        dvstdtc=on.isoformat() if on is not None else None,
        epoch=visit.epoch if visit is not None else None,
        visit_key=visit_key or (visit.id if visit is not None else None),
        standing=True,
        row=None,
    )


def _days_out(row: CalendarRow) -> int:
    assert row.date is not None and row.window is not None
    start, end = row.window
    return (start - row.date).days if row.date < start else (row.date - end).days


def _visit_proposals(study: Study, seen: _Seen) -> Iterable[Deviation]:
    day1 = seen.participant.day1(study)
    for row in seen.rows:
        visit = row.visit
        before_day1 = visit.last_day is not None and visit.last_day < 1
        if row.status is VisitStatus.DONE_OUT_OF_WINDOW and row.window is not None:
            start, end = row.window
            if before_day1 and day1 is not None:
                yield _proposal(
                    seen, DeviationKind.INJECTION_WINDOW, row.key,
                    f"Injection on {day1.isoformat()} outside the window after the "
                    f"{visit.name.en.lower()} visit on {row.date}: days {visit.first_day} "
                    f"to {visit.last_day} ({start.isoformat()} to {end.isoformat()})",
                    day1, visit, row.key,
                )  # fmt: skip
            else:
                days = _days_out(row)
                yield _proposal(
                    seen, DeviationKind.VISIT_OUT_OF_WINDOW, row.key,
                    f"{visit.name.en} visit ({row.key}) on {row.date} is {days} day(s) "
                    f"out of its window {start.isoformat()} to {end.isoformat()}",
                    row.date, visit, row.key,
                    Severity.MINOR if days <= MINOR_DAYS_OUT else Severity.MAJOR,
                )  # fmt: skip
        elif row.status in (VisitStatus.MISSED, VisitStatus.OVERDUE):
            missed_on = row.window[1] if row.window is not None else None
            how = (
                "missed"
                if row.status is VisitStatus.MISSED
                else f"not done: its window closed on {missed_on} with no date recorded"
            )
            yield _proposal(
                seen, DeviationKind.VISIT_MISSED, row.key,
                f"{visit.name.en} visit ({row.key}) {how}",
                missed_on, visit, row.key,
            )  # fmt: skip
        if row.date is not None and (seen.first_consent is None or row.date < seen.first_consent):
            when = (
                f"before the first informed consent on {seen.first_consent.isoformat()}"
                if seen.first_consent is not None
                else "with no informed consent on file"
            )
            yield _proposal(
                seen, DeviationKind.BEFORE_CONSENT, row.key,
                f"{visit.name.en} visit ({row.key}) and its forms dated {row.date} {when}",
                row.date, visit, row.key,
            )  # fmt: skip


def _fact_proposals(study: Study, seen: _Seen) -> Iterable[Deviation]:
    """Screening procedures entered as facts dated before the first consent (or with no
    consent on file), one proposal per day. A procedure is an entry not retracted, dated
    on or after the site's day the candidate was added (trial/screening/checklist.py,
    ``_pre_consent``: history from before screening is no procedure of the trial)."""
    candidate = seen.participant.candidate
    added = site_today(study.schedule, as_utc(candidate.created_at))
    first = seen.first_consent
    by_day: dict[date, list[EnteredFact]] = {}
    for row in seen.facts:
        # the chart review attestation is no procedure on the person (checklist._pre_consent)
        if is_attestation(row.concept):
            continue
        if row.retracted_at is None and row.on >= added and (first is None or row.on < first):
            by_day.setdefault(row.on, []).append(row)
    screening = next(
        (v for v in study.schedule.visits if v.last_day is not None and v.last_day < 1), None
    ) if study.schedule is not None else None  # fmt: skip
    when = (
        f"before the first informed consent on {first.isoformat()}"
        if first is not None
        else "with no informed consent on file"
    )
    for on, rows in sorted(by_day.items()):
        done = ", ".join(
            f"{r.concept} ({r.source_document})" for r in sorted(rows, key=lambda r: r.id)
        )
        p = _proposal(
            seen, DeviationKind.BEFORE_CONSENT, f"facts-{on.isoformat()}",
            f"Screening procedures dated {on.isoformat()} {when}: {done}"[:1000], on,
        )  # fmt: skip
        yield replace(p, epoch=screening.epoch if screening is not None else None)


def _item_value(record: FormRecord | None, item: str) -> object:
    if record is None:
        return None
    value = record.values.get(item)
    if value is None or value == "":
        derived = record.derived.get(item)
        value = derived.get("value") if isinstance(derived, dict) else None
    return None if value == "" else value


def _endpoint_proposals(study: Study, seen: _Seen, today: date) -> Iterable[Deviation]:
    for endpoint in study.endpoints:
        if endpoint.visit is None:
            continue
        row = next((r for r in seen.rows if r.visit.id == endpoint.visit), None)
        if row is None:
            continue
        severity = Severity.MAJOR if endpoint.primary else Severity.MINOR
        label = "primary" if endpoint.primary else "secondary"
        closed = row.window is not None and today > row.window[1]
        if row.status in (VisitStatus.MISSED, VisitStatus.OVERDUE):
            missing = "the visit was not done"
        elif row.status.done and endpoint.reads and (closed or row.window is None):
            empty = [
                f"{ref.form}.{ref.item}"
                for ref in endpoint.reads
                if _item_value(seen.forms.get((row.key, ref.form or "")), ref.item) is None
            ]
            if not empty:
                continue
            missing = "not entered: " + ", ".join(empty)
        else:
            continue
        yield _proposal(
            seen, DeviationKind.ENDPOINT_MISSING, endpoint.id,
            f"{endpoint.measure.en} ({label} endpoint) not assessed at {row.key}: {missing}",
            row.date or (row.window[1] if row.window is not None else None),
            row.visit, row.key, severity,
        )  # fmt: skip


def _criterion_proposals(
    session: Session, study: Study, seen: _Seen, today: date
) -> Iterable[Deviation]:
    candidate = seen.participant.candidate
    checklist = build_checklist(session, study, candidate, today)
    enrolled_on = seen.participant.enrolment.enrolled_at
    after = [
        row.on
        for row in checklist.entered
        if row.retracted_at is None and as_utc(row.entered_at) > as_utc(enrolled_on)
    ]
    for result in checklist.result.criteria:
        if not result.excludes:
            continue
        criterion = result.criterion
        kind = criterion.kind.value
        yield _proposal(
            seen, DeviationKind.CRITERION_NOT_MET, criterion.id,
            f"{kind.capitalize()} criterion {criterion.id} not met after enrolment: "
            f"{criterion.text}"[:1000],
            max(after, default=None),
        )  # fmt: skip


def _first_consents(session: Session, candidate_ids: list[int]) -> dict[int, datetime]:
    found: dict[int, datetime] = {}
    for cid, at in session.execute(
        select(Consent.candidate_id, Consent.consented_at).where(
            Consent.candidate_id.in_(candidate_ids)
        )
    ):
        if cid not in found or as_utc(at) < found[cid]:
            found[cid] = as_utc(at)
    return found


def _facts(session: Session, candidate_ids: list[int]) -> dict[int, list[EnteredFact]]:
    found: dict[int, list[EnteredFact]] = {i: [] for i in candidate_ids}
    for row in session.scalars(
        select(EnteredFact)
        .where(EnteredFact.candidate_id.in_(candidate_ids))
        .order_by(EnteredFact.on, EnteredFact.id)
    ):
        found[row.candidate_id].append(row)
    return found


def _forms(
    session: Session, enrolment_ids: list[int]
) -> dict[int, dict[tuple[str, str], FormRecord]]:
    found: dict[int, dict[tuple[str, str], FormRecord]] = {i: {} for i in enrolment_ids}
    for record in session.scalars(
        select(FormRecord).where(FormRecord.enrolment_id.in_(enrolment_ids))
    ):
        if record.row == 1:
            found[record.enrolment_id][(record.visit_key, record.form_id)] = record
    return found


def _stored(session: Session, enrolment_ids: list[int]) -> dict[int, list[ProtocolDeviation]]:
    found: dict[int, list[ProtocolDeviation]] = {i: [] for i in enrolment_ids}
    for row in session.scalars(
        select(ProtocolDeviation)
        .where(ProtocolDeviation.enrolment_id.in_(enrolment_ids))
        .order_by(ProtocolDeviation.id)
    ):
        found[row.enrolment_id].append(row)
    return found


def _of_row(
    participant: Participant,
    row: ProtocolDeviation,
    standing: bool,
    now_reads: str | None = None,
) -> Deviation:
    return Deviation(
        enrolment_id=participant.id,
        subject_number=participant.subject_number,
        kind=DeviationKind(row.kind),
        what=row.what,
        severity=Severity(row.severity),
        dvterm=row.dvterm,
        dvdecod=row.dvdecod,
        dvcat=row.dvcat,
        dvstdtc=row.dvstdtc,
        epoch=row.epoch,
        visit_key=row.visit_key,
        standing=standing,
        row=row,
        now_reads=now_reads if now_reads != row.dvterm else None,
    )


def _rose(row: ProtocolDeviation, proposal: Deviation) -> bool:
    """A proposal dismissed in a lower class than the data give it now."""
    return (
        row.origin == "proposed"
        and row.state == State.DISMISSED.value
        and RANK[proposal.severity] > RANK[Severity(row.severity)]
    )


def _combine(
    session: Session,
    study: Study,
    seen: _Seen,
    stored: list[ProtocolDeviation],
    today: date,
) -> list[Deviation]:
    """The proposals standing now (with their stored decision, if any; proposed again
    when dismissed in a lower class than they have now), then the decided ones that no
    longer stand, then those entered by hand."""
    by_key = {(r.kind, r.what): r for r in stored}
    found: list[Deviation] = []
    proposed = [
        *_visit_proposals(study, seen),
        *_fact_proposals(study, seen),
        *_endpoint_proposals(study, seen, today),
        *_criterion_proposals(session, study, seen, today),
    ]
    for p in proposed:
        row = by_key.pop((p.kind.value, p.what), None)
        if row is None:
            found.append(p)
        elif _rose(row, p):
            found.append(replace(p, earlier=row))
        else:
            found.append(_of_row(seen.participant, row, True, p.dvterm))
    manual = [r for r in by_key.values() if r.origin == "manual"]
    gone = [r for r in by_key.values() if r.origin != "manual"]
    found += [_of_row(seen.participant, r, False) for r in gone]
    found += [_of_row(seen.participant, r, True) for r in manual]
    return found


def _today(study: Study, now: datetime) -> date:
    return site_today(study.schedule, now)


def deviations_of(
    session: Session, study: Study, participant: Participant, now: datetime
) -> list[Deviation]:
    """One participant's deviations (``now``: read on the site's date)."""
    today = _today(study, now)
    cid = participant.candidate.id
    first = _first_consents(session, [cid]).get(cid)
    seen = _Seen(
        participant,
        calendar(session, study, participant, today),
        _forms(session, [participant.id])[participant.id],
        site_today(study.schedule, first) if first is not None else None,
        _facts(session, [cid])[cid],
    )
    return _combine(session, study, seen, _stored(session, [participant.id])[participant.id], today)


def deviations_of_study(session: Session, study: Study, now: datetime) -> list[Deviation]:
    """Every participant's deviations, in subject-number order."""
    today = _today(study, now)
    participants = list_participants(session, study.id)
    if not participants or study.schedule is None:
        return []
    ids = [p.id for p in participants]
    rows = calendars(session, study, participants, today)
    forms = _forms(session, ids)
    stored = _stored(session, ids)
    cids = [p.candidate.id for p in participants]
    consents = _first_consents(session, cids)
    facts = _facts(session, cids)
    found: list[Deviation] = []
    for p in participants:
        first = consents.get(p.candidate.id)
        seen = _Seen(
            p,
            rows[p.id],
            forms[p.id],
            site_today(study.schedule, first) if first else None,
            facts[p.candidate.id],
        )
        found += _combine(session, study, seen, stored[p.id], today)
    return found


def select_deviations(
    found: Iterable[Deviation],
    *,
    state: str | None = None,
    severity: str | None = None,
    kind: str | None = None,
    enrolment_id: int | None = None,
) -> list[Deviation]:
    """The deviations a page's filters keep (an empty filter keeps all)."""
    return [
        d
        for d in found
        if (not state or d.state.value == state)
        and (not severity or d.severity.value == severity)
        and (not kind or d.kind.value == kind)
        and (enrolment_id is None or d.enrolment_id == enrolment_id)
    ]


def unresolved(session: Session, study: Study, now: datetime) -> list[Deviation]:
    """The deviations still to be confirmed or dismissed (the data's proposals, those
    proposed again in a higher class, those entered by hand): what the study's database
    lock waits for (issue 15, point 5)."""
    return select_deviations(deviations_of_study(session, study, now), state=State.PROPOSED)


def counts(found: Iterable[Deviation]) -> dict[str, int]:
    """How many are proposed (to decide), confirmed, dismissed; confirmed major and minor."""
    out = {"proposed": 0, "confirmed": 0, "dismissed": 0, "major": 0, "minor": 0}
    for d in found:
        out[d.state.value] += 1
        if d.state is State.CONFIRMED:
            out[d.severity.value] += 1
    return out


def stored_counts(session: Session, study: Study) -> dict[str, int]:
    """The deviations on record (decided, or entered by hand and not yet decided), counted
    as :func:`counts` counts, in one query: for the dashboard, which must not compute every
    participant's proposals (each reads their whole record) on every rendering. The data's
    own proposals not yet decided are counted on the deviations page."""
    out = {"proposed": 0, "confirmed": 0, "dismissed": 0, "major": 0, "minor": 0}
    rows = session.execute(
        select(ProtocolDeviation.state, ProtocolDeviation.severity, func.count())
        .join(Enrolment, Enrolment.id == ProtocolDeviation.enrolment_id)
        .where(Enrolment.study_id == study.id)
        .group_by(ProtocolDeviation.state, ProtocolDeviation.severity)
    )
    for state, severity, n in rows:
        out[state] += n
        if state == State.CONFIRMED.value:
            out[severity] += n
    return out
