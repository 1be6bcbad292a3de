"""staff workflow: candidates, uploaded FHIR, entered facts, judgments, consent, enrolment

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

Generated with autogenerate, then made self-contained (plain column types).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "consent_form",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", _when(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_form")),
        sa.UniqueConstraint("study_id", "version", name=op.f("uq_consent_form_study_id")),
    )
    op.create_table(
        "fhir_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("uploaded_at", _when(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fhir_upload")),
    )
    op.create_table(
        "study_site",
        sa.Column("study_id", sa.String(length=32), nullable=False),
        sa.Column("site_code", sa.String(length=8), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("enrolled", sa.Integer(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.CheckConstraint("enrolled <= target", name=op.f("ck_study_site_within_target")),
        sa.PrimaryKeyConstraint("study_id", name=op.f("pk_study_site")),
    )
    op.create_table(
        "candidate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=16), nullable=True),
        sa.Column("record_number", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("source_ref", sa.String(length=200), nullable=True),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("upload_id", sa.Integer(), nullable=True),
        sa.Column("patient_key", sa.String(length=200), nullable=True),
        sa.Column("possible_duplicates", sa.JSON(), nullable=False),
        sa.Column("screening_date", sa.Date(), nullable=True),
        sa.Column("baseline_date", sa.Date(), nullable=True),
        sa.Column("target_knee", sa.String(length=10), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "screening",
                "screen_failed",
                "declined",
                "enrolled",
                "withdrawn",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("outcome_reason", sa.Text(), nullable=True),
        sa.Column("failed_criteria", sa.JSON(), nullable=False),
        sa.Column("outcome_at", _when(), nullable=True),
        sa.Column("outcome_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_candidate_lead_id_lead")),
        sa.ForeignKeyConstraint(
            ["upload_id"], ["fhir_upload.id"], name=op.f("fk_candidate_upload_id_fhir_upload")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate")),
    )
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.create_index(
            "ix_candidate_name_key_birth_date", ["name_key", "birth_date"], unique=False
        )
        batch_op.create_index("ix_candidate_record_number", ["record_number"], unique=False)
        batch_op.create_index("ix_candidate_study_id_status", ["study_id", "status"], unique=False)

    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("form_version", sa.String(length=32), nullable=False),
        sa.Column("consented_at", _when(), nullable=False),
        sa.Column("obtained_by", sa.String(length=200), nullable=False),
        sa.Column("participant_signed_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", _when(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidate.id"], name=op.f("fk_consent_candidate_id_candidate")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent")),
    )
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_candidate_id"), ["candidate_id"], unique=False)

    op.create_table(
        "enrolment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.String(length=32), nullable=False),
        sa.Column("subject_number", sa.String(length=16), nullable=False),
        sa.Column("enrolled_at", _when(), nullable=False),
        sa.Column("enrolled_by", sa.String(length=64), nullable=False),
        sa.Column("withdrawn_at", _when(), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=64), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidate.id"], name=op.f("fk_enrolment_candidate_id_candidate")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment")),
        sa.UniqueConstraint("candidate_id", name=op.f("uq_enrolment_candidate_id")),
        sa.UniqueConstraint("study_id", "subject_number", name=op.f("uq_enrolment_study_id")),
    )
    op.create_table(
        "entered_fact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("concept", sa.String(length=64), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("dose", sa.String(length=32), nullable=True),
        sa.Column("dose_unit", sa.String(length=16), nullable=True),
        sa.Column("per_day", sa.String(length=16), nullable=True),
        sa.Column("route", sa.String(length=32), nullable=True),
        sa.Column("laterality", sa.String(length=10), nullable=True),
        sa.Column("code", sa.String(length=100), nullable=True),
        sa.Column("source_document", sa.String(length=200), nullable=False),
        sa.Column("entered_at", _when(), nullable=False),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("retracted_at", _when(), nullable=True),
        sa.Column("retracted_by", sa.String(length=64), nullable=True),
        sa.Column("retraction_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidate.id"], name=op.f("fk_entered_fact_candidate_id_candidate")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entered_fact")),
    )
    with op.batch_alter_table("entered_fact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_entered_fact_candidate_id"), ["candidate_id"], unique=False
        )

    op.create_table(
        "judgment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.String(length=32), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("basis", sa.String(length=64), nullable=False),
        sa.Column("signed_by", sa.String(length=64), nullable=False),
        sa.Column("signed_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidate.id"], name=op.f("fk_judgment_candidate_id_candidate")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judgment")),
    )
    with op.batch_alter_table("judgment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_judgment_candidate_id"), ["candidate_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("judgment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_judgment_candidate_id"))

    op.drop_table("judgment")
    with op.batch_alter_table("entered_fact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entered_fact_candidate_id"))

    op.drop_table("entered_fact")
    op.drop_table("enrolment")
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_candidate_id"))

    op.drop_table("consent")
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.drop_index("ix_candidate_study_id_status")
        batch_op.drop_index("ix_candidate_record_number")
        batch_op.drop_index("ix_candidate_name_key_birth_date")

    op.drop_table("candidate")
    op.drop_table("study_site")
    op.drop_table("fhir_upload")
    op.drop_table("consent_form")
