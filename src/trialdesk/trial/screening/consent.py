"""Informed consent: the form versions a study uses and each person's signed consent.

ICH E6(R3) 2.8: consent is documented with the version of the form, the date and time,
who conducted the discussion and the participant's own signature date; when the form is
revised, participants still taking part are informed and re-consented on the new one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from trialdesk.errors import InputError
from trialdesk.trial.screening.candidates import candidate_or_404
from trialdesk.trial.screening.models import (
    Candidate,
    CandidateStatus,
    Consent,
    ConsentForm,
    Enrolment,
)
from trialdesk.trial.store import audit, locks
from trialdesk.trial.store.values import as_utc

__all__ = [
    "Reconsent",
    "add_form_version",
    "current_form",
    "due_for_reconsent",
    "form_versions",
    "latest_consent",
    "record_consent",
]

_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._\-]{0,31}")


def _version(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if not _VERSION.fullmatch(text):
        raise InputError(
            "a version such as 2.0 or v3 2026-10-01 (letters, digits, . _ -)", field=field
        )
    return text


def form_versions(session: Session, study_id: str) -> list[ConsentForm]:
    """The study's consent form versions, newest in effect first."""
    return list(
        session.scalars(
            select(ConsentForm)
            .where(ConsentForm.study_id == study_id)
            .order_by(ConsentForm.effective_on.desc(), ConsentForm.id.desc())
        )
    )


def current_form(session: Session, study_id: str, today: date) -> ConsentForm | None:
    return next((f for f in form_versions(session, study_id) if f.effective_on <= today), None)


def add_form_version(
    session: Session, *, actor: str, study_id: str, version: str, effective_on: date, now: datetime
) -> ConsentForm:
    now = as_utc(now)
    locks.writing(session, study_id)
    name = _version(version, "version")
    if any(f.version == name for f in form_versions(session, study_id)):
        raise InputError(f"version {name} is already registered", field="version")
    form = ConsentForm(
        study_id=study_id,
        version=name,
        effective_on=effective_on,
        recorded_at=now,
        recorded_by=actor,
    )
    session.add(form)
    session.flush()
    audit.created(
        session,
        form,
        actor=actor,
        fields={"study_id": study_id, "version": name, "effective_on": effective_on},
        reason="new consent form version",
        at=now,
    )
    return form


def record_consent(
    session: Session,
    *,
    actor: str,
    candidate_id: int,
    form_version: str,
    consented_at: datetime,
    obtained_by: str,
    participant_signed_on: date,
    now: datetime,
    zone: tzinfo | None = None,
) -> Consent:
    """Record a signed consent. ``zone``: the site's time zone (study/windows.py
    ``site_zone``): a ``consented_at`` without an offset is the site's wall clock, and every
    date rule (the form in effect, "signed on the day of the discussion", not in the future)
    is judged on the site's calendar (DESIGN.md, "Codes, units, time and language"): a
    consent at 07:00 in Shanghai is on Shanghai's date, not UTC's day before. The instant is
    stored in UTC; pages show it in site time."""
    now = as_utc(now)
    if consented_at.tzinfo is None or consented_at.utcoffset() is None:
        if zone is None:  # no site zone given: an offset is the only way to know the instant
            raise InputError(
                "give the time with its time zone (e.g. +01:00 or Z)", field="consented_at"
            )
        consented_at = consented_at.replace(tzinfo=zone)
    zone = zone or UTC
    try:
        consented_at = as_utc(consented_at)
        on = consented_at.astimezone(zone).date()  # the consent's date at the site
    except OverflowError:  # year 1 or 9999 with an offset: outside what a datetime holds
        raise InputError("is not a plausible date and time", field="consented_at") from None
    site_today = now.astimezone(zone).date()
    candidate = candidate_or_404(session, candidate_id, for_update=True)
    if candidate.status not in (CandidateStatus.SCREENING, CandidateStatus.ENROLLED):
        raise InputError(f"candidate is {candidate.status.value}", field="status")
    version = _version(form_version, "form_version")
    forms = {f.version: f for f in form_versions(session, candidate.study_id)}
    if not forms:
        raise InputError(
            "register the study's consent form version first (Consent forms page)",
            field="form_version",
        )
    form = forms.get(version)
    if form is None:
        known = ", ".join(sorted(forms))
        raise InputError(
            f"not a registered version of this study's form ({known})", field="form_version"
        )
    if consented_at > now:
        raise InputError("is in the future", field="consented_at")
    if on < form.effective_on:
        raise InputError(
            f"is before version {version} took effect ({form.effective_on.isoformat()})",
            field="consented_at",
        )
    in_effect = current_form(session, candidate.study_id, on)
    if in_effect is not None and in_effect.version != version:
        # Consent is given on the form approved at the time (ICH E6(R3) 2.8.2): a superseded
        # version cannot be used for a consent taken after its replacement took effect.
        raise InputError(
            f"version {version} was replaced by {in_effect.version} on "
            f"{in_effect.effective_on.isoformat()}: consent on that date is on {in_effect.version}",
            field="form_version",
        )
    if participant_signed_on > site_today:
        raise InputError("is in the future", field="participant_signed_on")
    if participant_signed_on != on:
        # The participant signs and dates the form at the consent discussion (ICH E6(R3)
        # 2.8.8); a different date is a documentation error to correct at the source.
        raise InputError(
            f"must be the date of the consent discussion ({on.isoformat()}, site time)",
            field="participant_signed_on",
        )
    who = " ".join((obtained_by or "").split())
    if not who or len(who) > 200 or any(unicodedata.category(c) == "Cc" for c in who):
        raise InputError(
            "name the person who obtained consent (up to 200 characters, no control characters)",
            field="obtained_by",
        )
    row = Consent(
        candidate_id=candidate.id,
        form_version=version,
        consented_at=consented_at,
        obtained_by=who,
        participant_signed_on=participant_signed_on,
        recorded_at=now,
        recorded_by=actor,
    )
    session.add(row)
    session.flush()
    audit.created(
        session,
        row,
        actor=actor,
        fields={
            "candidate_id": candidate.id,
            "form_version": version,
            "consented_at": consented_at,
            "obtained_by": who,
            "participant_signed_on": participant_signed_on,
        },
        reason="informed consent recorded",
        at=now,
    )
    return row


@dataclass(frozen=True)
class Reconsent:
    candidate_id: int
    subject_number: str
    consented_on: str | None  # the latest consent's version, if any
    current_version: str


def due_for_reconsent(session: Session, study_id: str, today: date) -> list[Reconsent]:
    """Participants still taking part whose latest consent is not on the current form."""
    form = current_form(session, study_id, today)
    if form is None:
        return []
    rows = session.execute(
        select(Candidate.id, Enrolment.subject_number)
        .join(Enrolment, Enrolment.candidate_id == Candidate.id)
        .where(Candidate.study_id == study_id, Candidate.status == CandidateStatus.ENROLLED)
        .order_by(Enrolment.subject_number)
    ).all()
    due = []
    for candidate_id, subject in rows:
        latest = session.scalars(
            select(Consent.form_version)
            .where(Consent.candidate_id == candidate_id)
            .order_by(Consent.consented_at.desc(), Consent.id.desc())
            .limit(1)
        ).first()
        if latest != form.version:
            due.append(Reconsent(candidate_id, subject, latest, form.version))
    return due


def latest_consent(session: Session, candidate_id: int) -> Consent | None:
    return session.scalars(
        select(Consent)
        .where(Consent.candidate_id == candidate_id)
        .order_by(Consent.consented_at.desc(), Consent.id.desc())
        .limit(1)
    ).first()
