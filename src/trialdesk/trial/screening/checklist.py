"""A candidate's screening checklist: the study's engine run on everything known about them.

What is known: the Patient's record from a FHIR upload (if any), the facts coordinators
entered (not retracted), the consents recorded here, and the dates and parameters the
study declares for each candidate (for NCT06947746: the screening date, the planned
baseline date and the target knee). Investigators' signed judgments count only while
their signature holds: what they signed includes the fingerprint (*basis*) of what the
engine showed for that criterion. A new fact that changes that evidence lapses the
signature (it stays in the history, marked as no longer current).
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from typing import Any

from cachetools import LRUCache
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from trialdesk.criteria.participant import Participant
from trialdesk.criteria.screening import (
    Attestation,
    CriterionResult,
    ScreeningResult,
    Status,
    apply_attestations,
    verdict_of,
)
from trialdesk.errors import InputError
from trialdesk.facts.record import Coding, Fact, FactKind, Laterality, PatientRecord
from trialdesk.study.loader import Study
from trialdesk.study.windows import site_today, site_zone
from trialdesk.trial.accounts import signatures
from trialdesk.trial.accounts.models import Signature
from trialdesk.trial.screening.checklist_rows import CandidateRows
from trialdesk.trial.screening.entry_concepts import is_attestation
from trialdesk.trial.screening.fact_entry import FactEntry, to_fact
from trialdesk.trial.screening.lapses import BasesWith, Lapse, first_lapse
from trialdesk.trial.screening.models import Candidate, Consent, EnteredFact, Judgment
from trialdesk.trial.screening.uploaded_records import UploadAltered, upload_records
from trialdesk.trial.store.values import canonical_json

__all__ = [
    "Checklist",
    "JudgmentView",
    "UploadAltered",
    "build_checklist",
    "entry_of",
    "record_of",
    "signed_content",
]

CONSENT_SCOPE = Coding("http://terminology.hl7.org/CodeSystem/consentscope", "research", "Research")


@dataclass(frozen=True)
class JudgmentView:
    """A signed judgment as the page shows it (21 CFR 11.50: printed name, date and time,
    meaning)."""

    id: int
    criterion_id: str
    decision: str
    reason: str
    signed_by: str  # username
    printed_name: str
    meaning: str
    signed_at: datetime
    current: bool  # False once the facts it relied on changed: the signature lapsed
    # the change that lapsed it, kept when a retraction restores the evidence (D11);
    # None while current, or when it lapsed by a change not replayed (lapses.py)
    lapse: Lapse | None = None


@dataclass(frozen=True)
class Checklist:
    result: ScreeningResult  # valid signed judgments applied
    bases: dict[str, str]  # criterion id -> fingerprint of what a signature now relies on
    judgments: dict[str, list[JudgmentView]]  # criterion id -> signatures, newest first
    entered: list[EnteredFact]  # every entered fact, retracted ones too
    consents: list[Consent]  # newest first
    pre_consent: list[str]  # screening procedures done before consent
    defaulted: list[str]  # dates the candidate has not set yet, and what was used
    record: PatientRecord
    # Consent resources in the uploaded record: shown, never counted (docs/screening.md,
    # "One source of truth for consent")
    record_consents: tuple[Fact, ...] = ()

    def signable(self, criterion_id: str) -> bool:
        return criterion_id in self.bases


def entry_of(row: EnteredFact) -> FactEntry:
    return FactEntry(**{f.name: getattr(row, f.name) for f in dataclasses.fields(FactEntry)})


# Entered facts as the engine reads them, by what was entered: an entry was validated
# when it was entered and never changes (a wrong one is retracted), yet every checklist
# built reads every one, so each is built once. Keyed by the study object itself (kept in
# the value: an address is reused only once the study is gone).
_ENTERED: LRUCache[tuple[int, FactEntry, str, date], tuple[Study, Fact]] = LRUCache(maxsize=8192)
_ENTERED_LOCK = threading.Lock()


def _clinical(rows: Iterable[EnteredFact]) -> list[EnteredFact]:
    """The entered rows that are facts: the record-review attestation is none (it closes
    history over the record, _record_supplied)."""
    return [row for row in rows if not is_attestation(row.concept)]


def _record_supplied(upload_supplied: bool, in_force: Iterable[EnteredFact]) -> bool:
    """Whether history is closed-world over the candidate's record: over an uploaded record
    that is one (its own flag, else its facts), or over what was entered once a live
    attestation says the full clinical record was reviewed (its date and the record
    searched are on the row). Facts a coordinator entered (an ALT) alone are no history:
    with neither, history stays unknown (docs/criteria.md; issue 19)."""
    return upload_supplied or any(is_attestation(row.concept) for row in in_force)


# And by the row object that was read: a transaction builds a candidate's checklist several
# times (the facts entered, each signature, the outcome), and the session gives back the
# same objects each time. Weakly: a row is forgotten with its session.
_ROW_FACTS: weakref.WeakKeyDictionary[EnteredFact, tuple[Study, Fact]] = weakref.WeakKeyDictionary()


def _entered_fact(study: Study, row: EnteredFact) -> Fact:
    # Validated when entered; `today` is the day it was entered. Never the attestation
    # (callers read _clinical rows): it is no Fact.
    kept = _ROW_FACTS.get(row)
    if kept is not None and kept[0] is study:
        return kept[1]
    fact = _entered_fact_of(study, row)
    _ROW_FACTS[row] = (study, fact)
    return fact


def _entered_fact_of(study: Study, row: EnteredFact) -> Fact:
    entry, resource = entry_of(row), f"EnteredFact/{row.id}"
    today = site_today(study.schedule, row.entered_at)  # the site's day, not UTC's
    key = (id(study), entry, resource, today)
    with _ENTERED_LOCK:
        found = _ENTERED.get(key)
    if found is not None and found[0] is study:
        return found[1]
    fact = to_fact(study, entry, resource=resource, today=today)
    with _ENTERED_LOCK:
        _ENTERED[key] = (study, fact)
    return fact


# Screenings by what they read: the engine's result and what a signature relies on
# (bases) are functions of the record, the dates and the parameters, and a candidate's
# checklist is built again and again over the same ones (the page, each signature, the
# outcome).
_Screened = tuple[ScreeningResult, dict[str, str]]
_SCREENED: LRUCache[tuple[object, ...], tuple[Study, _Screened]] = LRUCache(maxsize=256)
_SCREENED_LOCK = threading.Lock()


def _screened(
    study: Study, record: PatientRecord, dates: dict[str, date], parameters: dict[str, str | None]
) -> _Screened:
    """The engine's result and the fingerprint of what a signature of each criterion
    decided by judgment or review relies on (its basis)."""
    key = (id(study), record, tuple(dates.items()), tuple(parameters.items()))
    with _SCREENED_LOCK:
        found = _SCREENED.get(key)
    if found is not None and found[0] is study:
        return found[1]
    raw = study.screener.screen(record, dates=dates, parameters=parameters)
    whole = _whole_record(study, record, dates, parameters)
    bases = {
        r.criterion.id: basis_of(r, whole)
        for r in raw.criteria
        if r.criterion.judgment is not None or r.criterion.review is not None
    }
    with _SCREENED_LOCK:
        _SCREENED[key] = (study, (raw, bases))
    return raw, bases


def _whole_record(
    study: Study, record: PatientRecord, dates: dict[str, date], parameters: dict[str, str | None]
) -> str:
    # the fingerprint's payload as it has always been: each staff date in order, then each
    # side as a Laterality (a changed payload would lapse every stored signature)
    return record_fingerprint(
        record,
        (
            *(dates[a.name] for a in study.participant.staff),
            *(Laterality(v) if v else None for v in parameters.values()),
        ),
    )


def _consent_fact(c: Consent, zone: tzinfo) -> Fact:
    return Fact(
        FactKind.CONSENT,
        f"Consent/{c.id}",
        (CONSENT_SCOPE,),
        text=f"informed consent form {c.form_version}",
        start=c.consented_at.astimezone(zone).date(),  # the site's date (DESIGN.md)
        status="active",
    )


# Built once: building a statement costs more than running it, and every checklist runs
# these (the page, each signature, each outcome).
_ENTERED_OF = (
    select(EnteredFact)
    .where(EnteredFact.candidate_id == bindparam("candidate_id"))
    .order_by(EnteredFact.on.desc(), EnteredFact.id.desc())
)
_CONSENTS_OF = (
    select(Consent)
    .where(Consent.candidate_id == bindparam("candidate_id"))
    .order_by(Consent.consented_at.desc(), Consent.id.desc())
)
_JUDGMENTS_OF = (
    select(Judgment)
    .join(Judgment.signature)
    .where(Judgment.candidate_id == bindparam("candidate_id"))
    .order_by(Signature.signed_at.desc(), Judgment.id.desc())
)


def record_of(
    session: Session, study: Study, candidate: Candidate, rows: CandidateRows | None = None
) -> tuple[PatientRecord, list[EnteredFact], list[Consent]]:
    """The candidate's record as the engine sees it, with the rows it was built from
    (``rows``: read beforehand, checklist_rows.py; else read here).

    The consent the engine reads is the one recorded here only: a FHIR Consent in an
    uploaded record is not this study's documented consent (no form version, no one who
    obtained it: ICH E6(R3) 2.8) and is left out (``record_consents`` shows it)."""
    base = PatientRecord(id=f"candidate/{candidate.id}")
    uploaded = None
    if candidate.upload_id is not None and candidate.patient_key is not None:
        uploaded = upload_records(session, candidate.upload_id).get(candidate.patient_key)
        base = uploaded or base
    given = {"candidate_id": candidate.id}
    entered = list(rows.entered if rows is not None else session.scalars(_ENTERED_OF, given))
    consents = list(rows.consents if rows is not None else session.scalars(_CONSENTS_OF, given))
    facts = [f for f in base.facts if f.kind is not FactKind.CONSENT]
    in_force = [row for row in entered if row.retracted_at is None]
    facts.extend(_entered_fact(study, row) for row in _clinical(in_force))
    zone = site_zone(study.schedule)
    facts.extend(_consent_fact(c, zone) for c in consents)
    record = PatientRecord(
        id=f"candidate/{candidate.id}",
        birth_date=candidate.birth_date or base.birth_date,
        sex=candidate.sex or base.sex,
        facts=tuple(facts),
        source=base.source,
        name=candidate.name,
        clinical_record=_record_supplied(
            uploaded.history_supplied if uploaded is not None else False, in_force
        ),
    )
    return record, entered, consents


def signed_content(
    candidate_id: int, criterion_id: str, decision: str, reason: str, basis: str
) -> dict[str, Any]:
    """Exactly what an eligibility signature vouches for: the decision, its reason, and the
    evidence the page showed (``basis``). A signature is current while this is unchanged."""
    return {
        "candidate": candidate_id,
        "criterion": criterion_id,
        "decision": decision,
        "reason": reason,
        "evidence": basis,
    }


def record_fingerprint(record: PatientRecord, dates: tuple[object, ...]) -> str:
    """The whole clinical record and the study dates, as one fingerprint (order of facts
    ignored). Consents are left out: signing the consent form changes nothing an
    investigator judges, and consent often comes after the judgment."""
    clinical = (f for f in record.facts if f.kind is not FactKind.CONSENT)
    payload = sorted(repr(f) for f in clinical) + [repr(dates)]
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def basis_of(result: CriterionResult, whole_record: str) -> str:
    """What a signature on this criterion relies on, as a fingerprint.

    A criterion with a rule shows evidence: the signature relies on that evidence (and on
    what is missing). A pure judgment criterion shows none: it relies on the whole record
    and the study dates (``whole_record``), so any new fact voids it.
    """
    if result.criterion.judgment is not None:
        return whole_record
    payload = [[e.to_json() for e in result.evidence], list(result.missing)]
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def _pre_consent(
    candidate: Candidate, entered: list[EnteredFact], consents: list[Consent], zone: tzinfo
) -> list[str]:
    """Screening procedures (entered facts dated on or after the candidate was added) done
    before the first informed consent: ICH E6(R3) requires consent before any trial-specific
    procedure. Dates at the site (``zone``). The record-review attestation is no procedure
    on the person (a chart searched to pre-screen: protocol assumption, the site's ethics
    approval decides), so it is not flagged."""
    first = min((c.consented_at.astimezone(zone).date() for c in consents), default=None)
    added = candidate.created_at.astimezone(zone).date()
    flags = []
    for row in _clinical(entered):
        if row.retracted_at is None and row.on >= added and (first is None or row.on < first):
            when = f"before consent on {first.isoformat()}" if first else "with no consent on file"
            flags.append(f"{row.concept} on {row.on.isoformat()} ({row.source_document}): {when}")
    return flags


def _dates(
    participant: Participant, given: Mapping[str, date | None], today: date
) -> tuple[dict[str, date], list[str]]:
    """The candidate's study dates, and a note for each one not set yet. The page shows
    what is set: a date not set is the date it may not precede (a planned baseline: the
    screening date), else today, rather than the declared default."""
    dates: dict[str, date] = {}
    notes: list[str] = []
    for a in participant.staff:
        day = given.get(a.name)
        if day is None and a.not_before is not None:
            day = dates[a.not_before]
            notes.append(f"planned {a.name} date not set: the {a.not_before} date used")
        elif day is None:
            day = today
            notes.append(f"{a.name} date not set: today ({today.isoformat()}) used")
        dates[a.name] = day
    return dates, notes


def build_checklist(
    session: Session,
    study: Study,
    candidate: Candidate,
    today: date,
    rows: CandidateRows | None = None,
) -> Checklist:
    """``rows``: the candidate's rows read beforehand (checklist_rows.py), else read here."""
    if candidate.study_id != study.id:
        raise InputError(f"candidate {candidate.id} is screened for {candidate.study_id}")
    record, entered, consents = record_of(session, study, candidate, rows)
    participant = study.participant
    given = {a.name: candidate.date_of(a.name) for a in participant.staff}
    dates, defaulted = _dates(participant, given, today)
    parameters = participant.parse_parameters(
        {k: v for k, v in candidate.parameters.items() if k in participant.parameters}
    )
    defaulted += participant.missing_notes(parameters, unset="not set")
    raw, screened_bases = _screened(study, record, dates, parameters)
    bases = dict(screened_bases)  # the checklist's own: its caller may change it
    mine = {"candidate_id": candidate.id}
    signed = list(rows.judgments if rows is not None else session.scalars(_JUDGMENTS_OF, mine))
    bases_with = _replay(
        study, record, entered, len(consents), dates, parameters, signed, bases,
        upload_supplied=_upload_supplied(session, candidate, record, entered),
    )  # fmt: skip
    judgments: dict[str, list[JudgmentView]] = {}
    for j in signed:
        sig, basis = j.signature, bases.get(j.criterion_id, "")
        content = signed_content(candidate.id, j.criterion_id, j.decision, j.reason, basis)
        lapse = first_lapse(
            signed_at=sig.signed_at, criterion_id=j.criterion_id,
            signed_basis=sig.content.get("evidence"), entered=entered, bases_with=bases_with,
        )  # fmt: skip
        view = JudgmentView(
            j.id, j.criterion_id, j.decision, j.reason, sig.signer, sig.printed_name,
            sig.meaning, sig.signed_at,
            current=lapse is None and signatures.is_current(sig, content), lapse=lapse,
        )  # fmt: skip
        judgments.setdefault(j.criterion_id, []).append(view)
    attestations = [
        Attestation(
            criterion=cid,
            decision=Status(views[0].decision),
            reason=views[0].reason,
            by=views[0].printed_name,
            on=views[0].signed_at.date(),
            patient=record.id,
        )
        for cid, views in judgments.items()
        if views[0].current  # only the newest signature counts, and only while current
    ]
    results = tuple(apply_attestations(r, record.id, attestations) for r in raw.criteria)
    result = replace(raw, criteria=results, verdict=verdict_of(results))
    return Checklist(
        result=result,
        bases=bases,
        judgments=judgments,
        entered=entered,
        consents=consents,
        pre_consent=_pre_consent(candidate, entered, consents, site_zone(study.schedule)),
        defaulted=defaulted,
        record=record,
        record_consents=_record_consents(session, candidate),
    )


def _replay(
    study: Study,
    record: PatientRecord,
    entered: list[EnteredFact],
    consent_count: int,
    dates: dict[str, date],
    parameters: dict[str, str | None],
    rows: list[Judgment],
    bases: dict[str, str],
    *,
    upload_supplied: bool,
) -> BasesWith:
    """The bases of the signed criteria with other entered facts in force (lapses.py),
    each set of facts judged once: a judgment criterion's basis is the record's
    fingerprint (no engine run), and the engine runs only the review criteria signed."""
    # record_of puts the upload's facts first, then the entered ones in force, then the
    # consents: the upload's are what stays when the entered facts in force are replaced
    in_force = tuple(row.id for row in entered if row.retracted_at is None)
    fact_count = len(_clinical(row for row in entered if row.retracted_at is None))
    upload_facts = record.facts[: len(record.facts) - fact_count - consent_count]
    consent_facts = record.facts[len(record.facts) - consent_count :]
    criteria = {c.id: c for c in study.criteria.criteria}
    signed = {j.criterion_id for j in rows if j.criterion_id in bases}
    judged = {c for c in signed if criteria[c].judgment is not None}
    reviewed = signed - judged
    replayed: dict[tuple[int, ...], dict[str, str]] = {in_force: bases}

    def bases_with(facts_in_force: tuple[EnteredFact, ...]) -> dict[str, str]:
        key = tuple(row.id for row in facts_in_force)
        if key not in replayed:
            facts = (
                *upload_facts,
                *(_entered_fact(study, row) for row in _clinical(facts_in_force)),
                *consent_facts,
            )
            supplied = _record_supplied(upload_supplied, facts_in_force)
            then = replace(record, facts=facts, clinical_record=supplied)
            whole = _whole_record(study, then, dates, parameters)
            found = dict.fromkeys(judged, whole)
            if reviewed:
                raw = study.screener.screen(then, dates=dates, parameters=parameters, only=reviewed)
                found.update({r.criterion.id: basis_of(r, whole) for r in raw.criteria})
            replayed[key] = found
        return replayed[key]

    return bases_with


def _upload_supplied(
    session: Session, candidate: Candidate, record: PatientRecord, entered: list[EnteredFact]
) -> bool:
    """Whether the upload alone is a clinical record (for the replay: which entered rows are
    in force changes, the upload does not). Without a live attestation the record's flag is
    the upload's own; with one, the upload is read again (parsed once, cached)."""
    if not any(is_attestation(r.concept) for r in entered if r.retracted_at is None):
        return bool(record.clinical_record)
    if candidate.upload_id is None or candidate.patient_key is None:
        return False
    uploaded = upload_records(session, candidate.upload_id).get(candidate.patient_key)
    return uploaded is not None and uploaded.history_supplied


def _record_consents(session: Session, candidate: Candidate) -> tuple[Fact, ...]:
    if candidate.upload_id is None or candidate.patient_key is None:
        return ()
    record = upload_records(session, candidate.upload_id).get(candidate.patient_key)
    return tuple(f for f in record.facts if f.kind is FactKind.CONSENT) if record else ()
