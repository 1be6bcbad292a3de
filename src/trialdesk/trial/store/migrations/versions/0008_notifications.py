"""notifications: the alert outbox, and when an adverse event became serious

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    # Nullable: an event never serious has no clock. One recorded serious before this
    # revision became so no later than it was recorded: its clock starts there (the
    # earliest instant the store proves the site knew), so it is neither lost nor restarted.
    op.add_column("adverse_event", sa.Column("serious_since", _when(), nullable=True))
    criteria = ("death", "life_threatening", "hospitalisation", "disability",
                "congenital_anomaly", "medically_important")  # fmt: skip
    events = sa.table(
        "adverse_event",
        sa.column("serious_since", _when()),
        sa.column("recorded_at", _when()),
        *(sa.column(name, sa.Boolean()) for name in criteria),
    )
    op.execute(
        events.update()
        .where(sa.or_(*(events.c[name] == sa.true() for name in criteria)))
        .values(serious_since=events.c.recorded_at)
    )
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.String(length=32), nullable=False),
        sa.Column("adverse_event_id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("subject_number", sa.String(length=16), nullable=False),
        sa.Column("event_sequence", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("recipient_role", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _when(), nullable=False),
        sa.Column("claimed_at", _when(), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", _when(), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'sending', 'sent', 'undelivered')",
            name=op.f("ck_outbox_message_state"),
        ),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolment.id"],
            name=op.f("fk_outbox_message_enrolment_id_enrolment"),
        ),
        sa.ForeignKeyConstraint(
            ["adverse_event_id"],
            ["adverse_event.id"],
            name=op.f("fk_outbox_message_adverse_event_id_adverse_event"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_message_message_id")),
    )
    op.create_index(
        op.f("ix_outbox_message_adverse_event_id"),
        "outbox_message",
        ["adverse_event_id"],
        unique=False,
    )
    # the worker's scan: messages due, by state and time
    op.create_index(
        "ix_outbox_message_due", "outbox_message", ["state", "next_attempt_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_message_due", table_name="outbox_message")
    op.drop_index(op.f("ix_outbox_message_adverse_event_id"), table_name="outbox_message")
    op.drop_table("outbox_message")
    with op.batch_alter_table("adverse_event") as batch:
        batch.drop_column("serious_since")
