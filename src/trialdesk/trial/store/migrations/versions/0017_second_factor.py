"""accounts: an administrator's reset forces a new password; an optional second factor
(TOTP) with its recovery codes, and the sign-ins waiting for its code (issue 17, point 8)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["user_account.id"], name=op.f(f"fk_{table}_user_id_user_account")
    )


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    op.create_table(
        "second_factor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sealed_secret", sa.String(length=200), nullable=False),
        sa.Column("recovery_codes", sa.JSON(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("confirmed_at", _when(), nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=True),
        sa.Column("ended_at", _when(), nullable=True),
        sa.Column("ended_by", sa.String(length=64), nullable=True),
        _user_fk("second_factor"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_second_factor")),
    )
    op.create_index(op.f("ix_second_factor_user_id"), "second_factor", ["user_id"])
    op.create_table(
        "sign_in_challenge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("expires_at", _when(), nullable=False),
        sa.Column("ended_at", _when(), nullable=True),
        _user_fk("sign_in_challenge"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_challenge")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sign_in_challenge_token_hash")),
    )
    op.create_index(op.f("ix_sign_in_challenge_user_id"), "sign_in_challenge", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sign_in_challenge_user_id"), table_name="sign_in_challenge")
    op.drop_table("sign_in_challenge")
    op.drop_index(op.f("ix_second_factor_user_id"), table_name="second_factor")
    op.drop_table("second_factor")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("must_change_password")
