"""electronic signatures in one table: printed name, meaning, what was signed

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

Accounts gain the printed name a signature shows (``full_name``). Signatures move out of
the judgment rows into the ``signature`` table that every later signature uses (visits,
causality, casebooks): each judgment's signer, time and evidence fingerprint become a
signature of what was signed (the decision, its reason and the evidence), which the
judgment points to. Nothing is lost: each signature is audited as it is moved, with its
whole content, and the old columns go only after every row has its signature.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from trialdesk.trial.store import audit
from trialdesk.trial.store.values import canonical_json

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEANING = "eligibility decision"


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _digest(content: dict[str, object]) -> str:
    # as trialdesk.trial.accounts.signatures.digest_of, which checks it from now on
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def _utc(value: datetime) -> datetime:
    # SQLite keeps the UTC wall time without its zone (store/values.py UTCDateTime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("full_name", sa.String(length=200), nullable=True))
    op.create_table(
        "signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signer", sa.String(length=64), nullable=False),
        sa.Column("printed_name", sa.String(length=200), nullable=False),
        sa.Column("meaning", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("signed_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signature")),
    )
    with op.batch_alter_table("judgment") as batch:
        batch.add_column(sa.Column("signature_id", sa.Integer(), nullable=True))
    _move_signatures()
    with op.batch_alter_table("judgment") as batch:
        batch.alter_column("signature_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            op.f("fk_judgment_signature_id_signature"), "signature", ["signature_id"], ["id"]
        )
        batch.create_unique_constraint(op.f("uq_judgment_signature_id"), ["signature_id"])
        batch.drop_column("basis")
        batch.drop_column("signed_by")
        batch.drop_column("signed_at")


def _move_signatures() -> None:
    connection = op.get_bind()
    judgment = sa.table(
        "judgment",
        sa.column("id", sa.Integer()),
        sa.column("candidate_id", sa.Integer()),
        sa.column("criterion_id", sa.String()),
        sa.column("decision", sa.String()),
        sa.column("reason", sa.Text()),
        sa.column("basis", sa.String()),
        sa.column("signed_by", sa.String()),
        sa.column("signed_at", _when()),
        sa.column("signature_id", sa.Integer()),
    )
    signature = sa.table(
        "signature",
        sa.column("id", sa.Integer()),
        sa.column("signer", sa.String()),
        sa.column("printed_name", sa.String()),
        sa.column("meaning", sa.String()),
        sa.column("subject", sa.String()),
        sa.column("content", sa.JSON()),
        sa.column("digest", sa.String()),
        sa.column("signed_at", _when()),
    )
    rows = connection.execute(sa.select(judgment).order_by(judgment.c.id)).mappings().all()
    if not rows:
        return
    moved_at = datetime.now(UTC)
    # The audit chain is appended to through the store's own code, on this connection and
    # inside this migration's transaction.
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    for row in rows:
        content = {
            "candidate": row["candidate_id"],
            "criterion": row["criterion_id"],
            "decision": row["decision"],
            "reason": row["reason"],
            "evidence": row["basis"],
        }
        values = {
            "signer": row["signed_by"],
            "printed_name": row["signed_by"],  # no printed names were kept before
            "meaning": MEANING,
            "subject": f"candidate {row['candidate_id']}, criterion {row['criterion_id']}",
            "content": content,
            "digest": _digest(content),
            "signed_at": row["signed_at"],
        }
        new_id = connection.execute(
            sa.insert(signature).values(**values).returning(signature.c.id)
        ).scalar_one()
        connection.execute(
            sa.update(judgment).where(judgment.c.id == row["id"]).values(signature_id=new_id)
        )
        audit.append(
            session,
            actor="system",
            action=audit.Action.CREATE,
            entity="signature",
            entity_id=str(new_id),
            changes={
                **{k: (None, v) for k, v in values.items() if k not in ("content", "signed_at")},
                "signed_at": (None, _utc(row["signed_at"])),
                "judgment_id": (None, row["id"]),
            },
            reason=f"migration {revision}: judgment {row['id']}'s signature moved to its own table",
            at=moved_at,
        )
    session.flush()
    session.commit()  # releases the savepoint; the migration's transaction commits it all
    session.close()


def downgrade() -> None:
    raise NotImplementedError(
        "0004 cannot be undone: signatures given since then have no place in 0003's judgment "
        "rows; restore a backup taken before the upgrade"
    )
