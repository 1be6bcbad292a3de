"""electronic signatures in one table: printed name, meaning, what was signed

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

Accounts gain the printed name a signature shows (``full_name``). Signatures move out of
the judgment rows into the ``signature`` table that every later signature uses (visits,
causality, casebooks): each judgment's signer, time and evidence fingerprint become a
signature of what was signed (the decision, its reason and the evidence), which the
judgment points to. Nothing is lost: each signature is audited as it is moved (its
fields, the digest of what was signed, and the judgment it came from), and the old
columns go only after every row has its signature.

Self-contained, like every migration here: plain table definitions, and the audit chain
appended to with a frozen copy of the entry hash as it is defined at this revision, so a
later change to the store's code cannot change what this upgrade does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEANING = "eligibility decision"


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _plain(value: Any) -> Any:
    """A value as the audit chain's canonical JSON holds it (store/values.py at 0004)."""
    if isinstance(value, datetime):
        return _utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _canonical(value: Any) -> str:
    text = json.dumps(
        _plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text


def _digest(content: dict[str, object]) -> str:
    # as trialdesk.trial.accounts.signatures.digest_of, which checks it from now on
    return hashlib.sha256(_canonical(content).encode("utf-8")).hexdigest()


# The audit chain as it is at this revision (store/audit.py, store/models.py).
_LOG = sa.table(
    "audit_log",
    sa.column("id", sa.Integer()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("entity", sa.String()),
    sa.column("entity_id", sa.String()),
    sa.column("changes", sa.JSON()),
    sa.column("reason", sa.Text()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)
_HEAD = sa.table(
    "audit_head",
    sa.column("id", sa.Integer()),
    sa.column("last_id", sa.Integer()),
    sa.column("last_hash", sa.String()),
)
_HASHED_FIELDS = ("id", "at", "actor", "action", "entity", "entity_id", "changes", "reason",
                  "prev_hash")  # fmt: skip


def _append(
    connection: sa.Connection,
    *,
    entity: str,
    entity_id: str,
    changes: Mapping[str, tuple[Any, Any]],
    reason: str,
    at: datetime,
) -> None:
    """One entry on the chain by the system, created: its fields from nothing."""
    head = connection.execute(
        sa.select(_HEAD.c.last_id, _HEAD.c.last_hash).where(_HEAD.c.id == 1).with_for_update()
    ).one()
    fields = {
        "id": head.last_id + 1,
        "at": _utc(at),
        "actor": "system",
        "action": "create",
        "entity": entity,
        "entity_id": entity_id,
        "changes": {name: [_plain(old), _plain(new)] for name, (old, new) in changes.items()},
        "reason": reason,
        "prev_hash": head.last_hash,
    }
    digest = hashlib.sha256(
        _canonical({k: fields[k] for k in _HASHED_FIELDS}).encode("utf-8")
    ).hexdigest()
    connection.execute(sa.insert(_LOG).values(**fields, hash=digest))
    connection.execute(
        sa.update(_HEAD).where(_HEAD.c.id == 1).values(last_id=fields["id"], last_hash=digest)
    )


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
        _append(
            connection,
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


def downgrade() -> None:
    raise NotImplementedError(
        "0004 cannot be undone: signatures given since then have no place in 0003's judgment "
        "rows; restore a backup taken before the upgrade"
    )
