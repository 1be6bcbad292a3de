"""Facts staff enter on a screening page from source documents, and their retraction.

Each function checks, changes and audits inside the caller's transaction; a refusal
raises before anything is written. An entered fact is never deleted: a wrong one is
retracted with a reason and stops counting.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from trialdesk.errors import FieldErrors, InputError, NotFoundError, TrialdeskError
from trialdesk.study.loader import Study
from trialdesk.study.windows import site_today
from trialdesk.trial.screening.candidates import candidate_or_404, check_version
from trialdesk.trial.screening.fact_entry import FactEntry, check_entry
from trialdesk.trial.screening.models import Candidate, CandidateStatus, EnteredFact
from trialdesk.trial.store import audit
from trialdesk.trial.store.models import MAX_ROW_ID
from trialdesk.trial.store.text import reason_text
from trialdesk.trial.store.values import as_utc

__all__ = ["add_fact", "add_facts", "open_screening", "retract_fact"]


def open_screening(
    session: Session, candidate_id: int, expected_version: int | None = None
) -> Candidate:
    """The candidate, locked, whose screening is open."""
    candidate = candidate_or_404(session, candidate_id, for_update=True)
    check_version(candidate, expected_version)
    if candidate.status is not CandidateStatus.SCREENING:
        raise InputError(f"screening is closed ({candidate.status.value})", field="status")
    return candidate


def add_fact(
    session: Session,
    *,
    actor: str,
    study: Study,
    candidate_id: int,
    entry: FactEntry,
    now: datetime,
) -> EnteredFact:
    """Validate an entered fact against the study's value sets (or the record-review
    attestation: fact_entry.check_attestation), then store it."""
    now = as_utc(now)
    open_screening(session, candidate_id)
    # "in the future" on the site's day: 07:00 in Shanghai is still yesterday in UTC
    today = site_today(study.schedule, now)
    check_entry(study, entry, today=today)  # raises at the field
    row, given = _row(candidate_id, entry, actor, now)
    session.add(row)
    session.flush()
    _audited(session, row, given, actor, now)
    return row


def add_facts(
    session: Session,
    *,
    actor: str,
    study: Study,
    candidate_id: int,
    entries: Sequence[FactEntry],
    now: datetime,
) -> list[EnteredFact]:
    """Several facts of one candidate entered at once (a screening visit's documents typed
    in one go), each validated, stored and audited as :func:`add_fact` does, in order,
    with the candidate locked once and the rows inserted together. Every refused entry is
    reported at once (its resource names it: entry 1 is the first) and nothing is stored."""
    now = as_utc(now)
    open_screening(session, candidate_id)
    errors: list[TrialdeskError] = []
    today = site_today(study.schedule, now)  # the site's day (add_fact)
    for number, entry in enumerate(entries, 1):
        try:
            check_entry(study, entry, today=today)
        except InputError as error:
            where = f"entry {number} ({entry.concept})"
            each = error.errors if isinstance(error, FieldErrors) else (error,)
            errors.extend(InputError(e.message, resource=where, field=e.field) for e in each)
    if errors:
        raise FieldErrors(errors, resource="EnteredFact/new")
    made = [_row(candidate_id, entry, actor, now) for entry in entries]
    session.add_all([row for row, _ in made])
    session.flush()  # one INSERT for them all; ids in the order given
    for row, given in made:
        _audited(session, row, given, actor, now)
    return [row for row, _ in made]


def _row(
    candidate_id: int, entry: FactEntry, actor: str, now: datetime
) -> tuple[EnteredFact, dict[str, Any]]:
    """The row of an entry already validated, and its fields as audited."""
    given = {f.name: getattr(entry, f.name) for f in dataclasses.fields(FactEntry)}
    given["source_document"] = entry.source_document.strip()
    row = EnteredFact(candidate_id=candidate_id, **given, entered_at=now, entered_by=actor)
    return row, given


def _audited(
    session: Session, row: EnteredFact, given: dict[str, Any], actor: str, now: datetime
) -> None:
    audit.created(
        session,
        row,
        actor=actor,
        fields={"candidate_id": row.candidate_id, **given},
        reason=f"entered for candidate {row.candidate_id} from {row.source_document}",
        at=now,
    )


def retract_fact(
    session: Session, *, actor: str, fact_id: int, reason: str | None, now: datetime
) -> EnteredFact:
    """A wrong entry stops counting; the row and its history stay."""
    now = as_utc(now)
    why = reason_text(reason)
    row = session.get(EnteredFact, fact_id) if 1 <= fact_id <= MAX_ROW_ID else None
    if row is None:
        raise NotFoundError(f"no entered fact {fact_id}")
    open_screening(session, row.candidate_id)
    if row.retracted_at is not None:
        raise InputError("this fact was already retracted", field="fact")
    row.retracted_at, row.retracted_by, row.retraction_reason = now, actor, why
    session.flush()
    audit.retracted(
        session,
        row,
        actor=actor,
        changes={"retracted_at": (None, now), "retracted_by": (None, actor)},
        reason=why,
        at=now,
    )
    return row
