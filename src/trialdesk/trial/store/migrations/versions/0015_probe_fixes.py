"""probe fixes: one candidate per lead, lead versions, sign-in failures of unknown names,
lead digests (issue 18, point 5: F1, F8, F13; point 4)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _unlink_duplicates() -> None:
    """Before 0015, concurrent requests on PostgreSQL could make one lead several
    candidates (security probe F1). The oldest keeps the link; the later ones keep their
    ``source_ref`` ("lead <reference>"), which the screening page shows as a possible
    duplicate, and are named in the migration's log for the site to decide."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, lead_id FROM candidate WHERE lead_id IS NOT NULL ORDER BY lead_id, id")
    ).all()
    seen: set[int] = set()
    later: list[int] = []
    for candidate_id, lead_id in rows:
        if lead_id in seen:
            later.append(candidate_id)
        seen.add(lead_id)
    if not later:
        return
    bind.execute(
        sa.text("UPDATE candidate SET lead_id = NULL WHERE id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True)
        ),
        {"ids": later},
    )
    log.warning(
        "candidates %s came from a lead another candidate came from first: their link to "
        "the lead is removed (their source still names it); review them as duplicates",
        ", ".join(map(str, later)),
    )


def upgrade() -> None:
    _unlink_duplicates()
    # one lead becomes at most one candidate (NULLs, candidates not from a lead, allowed)
    op.create_index("uq_candidate_lead_id", "candidate", ["lead_id"], unique=True)
    # a lead's status change is checked against the version the form was rendered from
    with op.batch_alter_table("lead") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        # the key of the digests the audit trail keeps of a new lead's details (point 4)
        batch.add_column(sa.Column("digest_key", sa.String(length=64), nullable=True))
    # failed sign-ins of names with no account, counted as an account's are (F8): only a
    # digest of the name is kept
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name_digest", sa.String(length=64), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", _when(), nullable=True),
        sa.Column("last_failed_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
        sa.UniqueConstraint("name_digest", name=op.f("uq_login_failure_name_digest")),
    )
    op.create_index("ix_login_failure_last_failed_at", "login_failure", ["last_failed_at"])


def downgrade() -> None:
    op.drop_index("ix_login_failure_last_failed_at", table_name="login_failure")
    op.drop_table("login_failure")
    with op.batch_alter_table("lead") as batch:
        batch.drop_column("digest_key")
        batch.drop_column("version")
    op.drop_index("uq_candidate_lead_id", table_name="candidate")
