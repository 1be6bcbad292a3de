"""The trial store's tables as SQLAlchemy 2 typed ORM classes.

Every datetime is timezone-aware UTC (``UTCDateTime``). Table names are singular; the
audit log's ``entity`` is the table name of the record it describes.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    mapped_column,
    relationship,
)

from trialdesk.trial.roles import Role
from trialdesk.trial.values import UTCDateTime

# Named constraints let Alembic drop and alter them (SQLite batch mode needs names).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Primary keys are INTEGER: 32-bit on PostgreSQL. An id past this cannot name a row, and
# PostgreSQL refuses it with an error rather than finding nothing.
MAX_ROW_ID = 2**31 - 1


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


def _enum(cls: type[StrEnum], name: str) -> Enum:
    # VARCHAR + CHECK on every backend: adding a value later is a plain migration.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class LeadStatus(StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    NOT_SUITABLE = "not_suitable"
    REFERRED = "referred"


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)  # always lower-case
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, username={self.username!r}, role={self.role!r})"


class LoginSession(Base):
    """A staff browser session. Only the SHA-256 of the cookie token is stored."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class SetupToken(Base):
    """A one-time link that lets the first administrator create their account."""

    __tablename__ = "setup_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


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
    status: Mapped[LeadStatus] = mapped_column(_enum(LeadStatus, "status"), default=LeadStatus.NEW)
    status_note: Mapped[str | None] = mapped_column(Text)


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
    screening_date: Mapped[date | None] = mapped_column(Date)
    baseline_date: Mapped[date | None] = mapped_column(Date)
    target_knee: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[CandidateStatus] = mapped_column(
        _enum(CandidateStatus, "status"), default=CandidateStatus.SCREENING
    )
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    failed_criteria: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcome_at: Mapped[datetime | None]
    outcome_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


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
    """An investigator's signed decision on a judgment criterion. ``basis`` fingerprints
    the facts it relied on: when they change, the decision no longer counts."""

    __tablename__ = "judgment"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), index=True)
    criterion_id: Mapped[str] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(10))  # met / not_met
    reason: Mapped[str] = mapped_column(Text)
    basis: Mapped[str] = mapped_column(String(64))
    signed_by: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime]


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


class AuditRecord(Base):
    """One append-only audit entry, chained to the previous one by ``prev_hash``.

    ``id`` is assigned from ``AuditHead.last_id`` rather than a database sequence: a
    rolled-back transaction would burn a sequence value and leave a gap that looks
    exactly like a deleted row.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    changes: Mapped[dict[str, Any]]  # {field: [old, new]}, JSON-normalised
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The single row naming the newest audit entry, so removing the tail shows."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


GENESIS_HASH = "0" * 64  # prev_hash of the first entry


class AppendOnlyError(RuntimeError):
    """A programming error: code tried to change or delete an audit entry."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _ctx: object, _instances: object) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditRecord):
            raise AppendOnlyError(f"audit_log is append-only: refused to delete entry {obj.id}")
        if isinstance(obj, AuditHead):
            raise AppendOnlyError("audit_head cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditRecord) and session.is_modified(obj):
            raise AppendOnlyError(f"audit_log is append-only: refused to change entry {obj.id}")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_audit_changes(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is AuditRecord.__mapper__:
        raise AppendOnlyError("audit_log is append-only: refused a bulk UPDATE/DELETE")
