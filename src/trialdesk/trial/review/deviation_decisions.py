"""Protocol deviations decided: the investigator confirms or dismisses what the data
propose (deviations.py), with a reason; anyone on the study team enters one by hand.
Each decision or entry is stored with the SDTM DV fields as shown, audited, with
optimistic versions; every problem is named at once and nothing is stored half-way.

A decision names what it was taken on: the deviation's DVTERM as shown (a proposal of
the data reads anew on every read: 409 when it reads otherwise now) and, where a row is
stored (one entered by hand, or an earlier dismissal of one proposed again in a higher
class), the row's version (store/stale.py: 409 when it changed since). Either missing
where it is needed is refused (422, at its field), never taken as "whatever it is now".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select

from trialdesk.errors import (
    ConflictError,
    FieldErrors,
    ForbiddenError,
    InputError,
    NotFoundError,
    TrialdeskError,
)
from trialdesk.study.loader import Study
from trialdesk.study.schedule import Visit
from trialdesk.study.windows import site_today
from trialdesk.trial.accounts.roles import Permission, Role, has_permission
from trialdesk.trial.conduct.participants import (
    participant_or_404,
)
from trialdesk.trial.review.deviation_kinds import (
    CATEGORIES,
    Decision,
    DeviationKind,
    Severity,
    State,
)
from trialdesk.trial.review.deviation_models import ProtocolDeviation
from trialdesk.trial.review.deviations import deviations_of
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.stale import check_version
from trialdesk.trial.store.text import plain_text, reason_text
from trialdesk.trial.store.values import as_utc

__all__ = [
    "ManualDeviation",
    "decide",
    "deviation_fields",
    "record_deviation",
]


def deviation_fields(row: ProtocolDeviation) -> dict[str, Any]:
    names = (
        "enrolment_id", "kind", "what", "origin", "state", "severity", "dvterm", "dvdecod",
        "dvcat", "dvstdtc", "epoch", "visit_key", "reason", "decided_by",
    )  # fmt: skip
    return {n: getattr(row, n) for n in names}


def _choice(
    value: str | None, choices: type[StrEnum], field: str, errors: list[TrialdeskError]
) -> Any:
    try:
        return choices((value or "").strip())
    except ValueError:
        names = " or ".join(c.value for c in choices)
        errors.append(InputError(f"choose {names}", field=field))
        return None


def decide(
    session: Session,
    *,
    actor: str,
    role: Role | str,
    study: Study,
    enrolment_id: int,
    kind: str,
    what: str,
    decision: str | None,
    reason: str | None = None,
    severity: str | None = None,
    expected_version: int | None = None,
    shown_term: str | None = None,
    now: datetime,
) -> ProtocolDeviation:
    """The investigator confirms (classifying it: the kind's default unless
    ``severity``) or dismisses (with a reason) one proposed deviation: one the data show
    now (proposed again after a dismissal in a lower class among them: the new decision
    replaces the dismissal on its row), or one entered by hand. ``shown_term`` is the
    DVTERM as shown (required for a proposal of the data), ``expected_version`` the
    stored row's version as read (required where one is stored). Audited in the same
    transaction.

    Raises:
        ForbiddenError: ``role`` may not decide deviations (only the investigator).
        NotFoundError: no such deviation (the data changed since it was shown).
        ConflictError: decided already; the row changed since ``expected_version``; the
            deviation now reads otherwise than ``shown_term``.
        FieldErrors: every problem of the decision at once (``version`` or ``dvterm``
            missing where required among them); nothing stored.
    """
    if not has_permission(Role(role), Permission.DECIDE_DEVIATIONS):
        raise ForbiddenError(f"your role ({role}) may not confirm or dismiss deviations")
    now = as_utc(now)
    participant = participant_or_404(session, enrolment_id, for_update=True, study=study)
    errors: list[TrialdeskError] = []
    chosen = _choice(decision, Decision, "decision", errors)
    klass = _choice(severity, Severity, "severity", errors) if severity else None
    why: str | None = None
    if chosen is Decision.DISMISS or (reason is not None and reason.strip()):
        try:
            why = reason_text(reason)
        except InputError as refused:
            errors.append(refused)
    found = next(
        (
            d
            for d in deviations_of(session, study, participant, now)
            if d.kind.value == kind and d.what == what
        ),
        None,
    )
    if found is None or not found.standing:
        raise NotFoundError(
            f"participant {participant.subject_number} has no proposed deviation "
            f"{kind}/{what}: the data may have changed since it was shown"
        )
    row = found.row
    if row is not None and row.state != State.PROPOSED:
        raise ConflictError(
            f"deviation {found.key} was {row.state} already by {row.decided_by}",
            field="decision",
        )
    stored = found.stored
    if stored is not None and expected_version is None:
        errors.append(
            InputError(
                f"give the version of deviation {found.key} as you read it (reload the page)",
                field="version",
            )
        )
    if stored is not None:
        check_version(stored, expected_version, f"deviation {found.key}")
    if shown_term is None and found.origin != "manual":
        errors.append(
            InputError(
                f"give the deviation's DVTERM as you were shown it: the data's proposal "
                f"{found.key} reads anew on every read (reload the page)",
                field="dvterm",
            )
        )
    if shown_term is not None and " ".join(shown_term.split()) != " ".join(found.dvterm.split()):
        raise ConflictError(
            f"deviation {found.key} now reads: {found.dvterm}: reload to decide on it",
            field="decision",
        )
    if errors or chosen is None:
        raise FieldErrors(errors, resource="protocol deviation")
    state = State.CONFIRMED if chosen is Decision.CONFIRM else State.DISMISSED
    text = f"deviation {found.key} of {participant.subject_number} {state.value}" + (
        f": {why}" if why else ""
    )
    if stored is None:
        row = ProtocolDeviation(
            enrolment_id=participant.id, kind=found.kind.value, what=found.what,
            origin="proposed", state=state.value,
            severity=(klass or found.severity).value, dvterm=found.dvterm,
            dvdecod=found.dvdecod, dvcat=found.dvcat, dvstdtc=found.dvstdtc,
            epoch=found.epoch, visit_key=found.visit_key, reason=why,
            recorded_at=now, recorded_by=actor, decided_at=now, decided_by=actor,
        )  # fmt: skip
        session.add(row)
        session.flush()
        audit.created(session, row, actor=actor, fields=deviation_fields(row), reason=text, at=now)
        return row
    if row is None:  # proposed again in a higher class: the earlier dismissal's row
        row = stored
        assert row is not None
        before = deviation_fields(row)
        row.severity, row.dvterm, row.dvdecod, row.dvcat = (
            found.severity.value, found.dvterm, found.dvdecod, found.dvcat,
        )  # fmt: skip
        row.dvstdtc, row.epoch, row.visit_key = found.dvstdtc, found.epoch, found.visit_key
        text += (
            f" (proposed again as {found.severity.value}: dismissed earlier as "
            f"{before['severity']})"
        )
    else:
        before = deviation_fields(row)
    row.state = state.value
    row.severity = (klass or Severity(row.severity)).value
    row.reason = why
    row.decided_at = now
    row.decided_by = actor
    session.flush()
    audit.updated(
        session, row, actor=actor, before=before, after=deviation_fields(row), reason=text,
        at=now,
    )  # fmt: skip
    return row


@dataclass(frozen=True)
class ManualDeviation:
    """A deviation entered by hand, as typed."""

    dvterm: str | None
    dvcat: str | None
    severity: str | None
    dvstdtc: str | None  # YYYY-MM-DD
    visit_key: str | None = None
    dvdecod: str | None = None


def record_deviation(
    session: Session,
    *,
    actor: str,
    role: Role | str,
    study: Study,
    enrolment_id: int,
    given: ManualDeviation,
    now: datetime,
) -> ProtocolDeviation:
    """Enter a deviation by hand (investigator, coordinator or monitor): proposed until
    the investigator confirms or dismisses it. Named ``M1``, ``M2``... per participant.

    Raises:
        ForbiddenError: ``role`` may not record deviations.
        FieldErrors: every problem of the entry at once; nothing stored.
    """
    if not has_permission(Role(role), Permission.RECORD_DEVIATIONS):
        raise ForbiddenError(f"your role ({role}) may not record deviations")
    now = as_utc(now)
    participant = participant_or_404(session, enrolment_id, for_update=True, study=study)
    errors: list[TrialdeskError] = []
    term = _text(given.dvterm, "dvterm", 1000, errors, required=True)
    decod = _text(given.dvdecod, "dvdecod", 60, errors)
    category = (given.dvcat or "").strip().upper()
    if category not in CATEGORIES:
        errors.append(InputError("choose one of: " + ", ".join(CATEGORIES), field="dvcat"))
    klass = _choice(given.severity, Severity, "severity", errors)
    on = _day(given.dvstdtc, site_today(study.schedule, now), errors)
    visit = _visit(study, given.visit_key, errors)
    if errors or klass is None:
        raise FieldErrors(errors or [InputError("incomplete", field="severity")],
                          resource="protocol deviation")  # fmt: skip
    n = 1 + (
        session.scalar(
            select(func.count()).where(
                ProtocolDeviation.enrolment_id == participant.id,
                ProtocolDeviation.origin == "manual",
            )
        )
        or 0
    )
    row = ProtocolDeviation(
        enrolment_id=participant.id, kind=DeviationKind.MANUAL.value, what=f"M{n}",
        origin="manual", state=State.PROPOSED.value, severity=klass.value, dvterm=term,
        dvdecod=(decod or category).upper(), dvcat=category,
        dvstdtc=on.isoformat() if on else None,
        epoch=visit.epoch if visit is not None else None,
        visit_key=visit.id if visit is not None else None,
        reason=None, recorded_at=now, recorded_by=actor,
    )  # fmt: skip
    session.add(row)
    session.flush()
    audit.created(
        session, row, actor=actor, fields=deviation_fields(row),
        reason=f"deviation M{n} of {participant.subject_number} entered by hand", at=now,
    )  # fmt: skip
    return row


def _text(
    value: str | None,
    field: str,
    limit: int,
    errors: list[TrialdeskError],
    *,
    required: bool = False,
) -> str:
    try:
        text = plain_text(value, field, limit, one_line=True)
    except InputError as refused:
        errors.append(refused)
        return ""
    if text is None and required:
        errors.append(InputError("required", field=field))
    return text or ""


def _day(value: str | None, today: date, errors: list[TrialdeskError]) -> date | None:
    text = (value or "").strip()
    if not text:
        errors.append(InputError("give the date of the deviation (YYYY-MM-DD)", field="dvstdtc"))
        return None
    try:  # a full date (ISO 8601 YYYY-MM-DD): fromisoformat alone takes 20260305 too
        day = date.fromisoformat(text) if len(text) == 10 and text[4] == "-" else None
    except ValueError:
        day = None
    if day is None:
        errors.append(InputError("a date as YYYY-MM-DD", field="dvstdtc"))
        return None
    if day > today:
        errors.append(InputError(f"is after today at the site ({today})", field="dvstdtc"))
        return None
    return day


def _visit(study: Study, key: str | None, errors: list[TrialdeskError]) -> Visit | None:
    text = (key or "").strip()
    if not text or study.schedule is None:
        return None
    try:
        return study.schedule.visit(text)
    except KeyError:
        errors.append(InputError(f"no visit {text[:48]} in the schedule", field="visit_key"))
        return None
