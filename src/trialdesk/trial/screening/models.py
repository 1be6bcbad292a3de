"""The screening wing's tables: leads, candidates and their records, entered facts,
signed judgments, consent, this site's places and the enrolments."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trialdesk.trial.accounts.models import Signature
from trialdesk.trial.store.models import Base, enum_column


class LeadStatus(StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    NOT_SUITABLE = "not_suitable"
    REFERRED = "referred"
    # erased on request: contact details and answers gone, the row kept so counts stay
    # true (screening/lead_erasure.py, migration 0016)
    ERASED = "erased"


class Lead(Base):
    """A pre-screening lead a patient left from the public self-check, with consent."""

    __tablename__ = "lead"
    __table_args__ = (Index("ix_lead_study_id_created_at", "study_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    study_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    preferred_contact: Mapped[str | None] = mapped_column(Text)
    answers: Mapped[dict[str, Any]]
    outcome: Mapped[dict[str, Any]]
    consent_text: Mapped[str] = mapped_column(Text)
    consented_at: Mapped[datetime]
    status: Mapped[LeadStatus] = mapped_column(
        enum_column(LeadStatus, "status"), default=LeadStatus.NEW
    )
    status_note: Mapped[str | None] = mapped_column(Text)
    # the key of the digests the audit trail keeps instead of the person's details
    # (screening/leads.py); erased with them. None for leads stored before 0015.
    digest_key: Mapped[str | None] = mapped_column(String(64))
    # the optimistic lock of a status change (stale.py), as a candidate's (0015)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class CandidateStatus(StrEnum):
    SCREENING = "screening"  # being screened: no outcome yet
    SCREEN_FAILED = "screen_failed"  # the engine found a criterion that excludes
    DECLINED = "declined"  # eligible or not, did not take part (no consent, changed mind)
    ENROLLED = "enrolled"
    WITHDRAWN = "withdrawn"  # enrolled, then withdrawn (the enrolment row stays)


class Candidate(Base):
    """A person being screened for one study at this site.

    ``version`` is the optimistic lock: a form carries the version it was rendered from,
    and a change made meanwhile by someone else is refused instead of overwritten.
    """

    __tablename__ = "candidate"
    __table_args__ = (
        Index("ix_candidate_study_id_status", "study_id", "status"),
        Index("ix_candidate_record_number", "record_number"),
        Index("ix_candidate_name_key_birth_date", "name_key", "birth_date"),
        # a lead becomes at most one candidate, even from concurrent requests (0015)
        Index("uq_candidate_lead_id", "lead_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))  # case/accent-folded, for duplicates
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(16))
    record_number: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(20))  # form, fhir, lead, feasibility
    source_ref: Mapped[str | None] = mapped_column(String(200))  # lead ref, person_id, file
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id"))
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("fhir_upload.id"))
    patient_key: Mapped[str | None] = mapped_column(String(200))  # Patient.id in the upload
    possible_duplicates: Mapped[list[int]] = mapped_column(JSON, default=list)
    # What the study declares particular to each participant (participant.yaml): the dates
    # the site sets, {anchor: "YYYY-MM-DD"}, and parameters such as the target knee.
    anchor_dates: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    status: Mapped[CandidateStatus] = mapped_column(
        enum_column(CandidateStatus, "status"), default=CandidateStatus.SCREENING
    )
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    failed_criteria: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcome_at: Mapped[datetime | None]
    outcome_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    def date_of(self, anchor: str) -> date | None:
        """The date the site set for ``anchor``, if any."""
        value = self.anchor_dates.get(anchor)
        return date.fromisoformat(value) if value else None


class FhirUpload(Base):
    """A FHIR R4 Bundle or NDJSON file as uploaded: candidates' records are read from it."""

    __tablename__ = "fhir_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    uploaded_at: Mapped[datetime]
    uploaded_by: Mapped[str] = mapped_column(String(64))


class EnteredFact(Base):
    """A fact a coordinator entered on the screening page. Never deleted: a wrong entry is
    retracted (who, when, why) and stops counting."""

    __tablename__ = "entered_fact"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), index=True)
    concept: Mapped[str] = mapped_column(String(64))
    on: Mapped[date] = mapped_column(Date)
    value: Mapped[str | None] = mapped_column(String(64))
    unit: Mapped[str | None] = mapped_column(String(32))
    end: Mapped[date | None] = mapped_column(Date)
    dose: Mapped[str | None] = mapped_column(String(32))
    dose_unit: Mapped[str | None] = mapped_column(String(16))
    per_day: Mapped[str | None] = mapped_column(String(16))
    route: Mapped[str | None] = mapped_column(String(32))
    laterality: Mapped[str | None] = mapped_column(String(10))
    code: Mapped[str | None] = mapped_column(String(100))  # "system|code" within the set
    upper_limit: Mapped[str | None] = mapped_column(String(40))  # labs: the report's ULN
    source_document: Mapped[str] = mapped_column(String(200))
    entered_at: Mapped[datetime]
    entered_by: Mapped[str] = mapped_column(String(64))
    retracted_at: Mapped[datetime | None]
    retracted_by: Mapped[str | None] = mapped_column(String(64))
    retraction_reason: Mapped[str | None] = mapped_column(Text)


class Judgment(Base):
    """An investigator's decision on a judgment criterion, with its electronic signature.
    What was signed includes the evidence the investigator saw (its fingerprint): when that
    changes, the signature lapses and the decision no longer counts (checklist.py)."""

    __tablename__ = "judgment"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), index=True)
    criterion_id: Mapped[str] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(10))  # met / not_met
    reason: Mapped[str] = mapped_column(Text)
    signature_id: Mapped[int] = mapped_column(ForeignKey("signature.id"), unique=True)

    signature: Mapped[Signature] = relationship(lazy="joined")


class ConsentForm(Base):
    """A version of a study's informed consent form; the newest in effect is current."""

    __tablename__ = "consent_form"
    __table_args__ = (UniqueConstraint("study_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[str] = mapped_column(String(32))
    version: Mapped[str] = mapped_column(String(32))
    effective_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(64))


class Consent(Base):
    """Informed consent as documented (ICH E6(R3) 2.8): form version, when, who obtained it,
    and the date the participant signed."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), index=True)
    form_version: Mapped[str] = mapped_column(String(32))
    consented_at: Mapped[datetime]
    obtained_by: Mapped[str] = mapped_column(String(200))
    participant_signed_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(64))


class StudySite(Base):
    """This site's place in a study: its code, the target and the places taken.

    Enrolment takes a place with one conditional UPDATE (``enrolled < target``), so no
    number of concurrent requests can take more places than there are. Sequence numbers
    only grow: a subject number is never reused, even after a withdrawal.
    """

    __tablename__ = "study_site"
    __table_args__ = (CheckConstraint("enrolled <= target", name="within_target"),)

    study_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    site_code: Mapped[str] = mapped_column(String(8))
    target: Mapped[int] = mapped_column(Integer)
    enrolled: Mapped[int] = mapped_column(Integer, default=0)
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)


class Enrolment(Base):
    """A participant: the candidate, their subject number and, if it came to that, their
    withdrawal. Never deleted."""

    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("study_id", "subject_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), unique=True)
    study_id: Mapped[str] = mapped_column(String(32))
    subject_number: Mapped[str] = mapped_column(String(16))
    enrolled_at: Mapped[datetime]
    enrolled_by: Mapped[str] = mapped_column(String(64))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by: Mapped[str | None] = mapped_column(String(64))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
