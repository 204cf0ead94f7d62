"""refunds, disputes and the audit trail (hash-chained audit_log and its chain head)

Revision ID: 0004_refunds_disputes_audit
Revises: 0003_webhooks
Create Date: 2026-11-26 13:25:44.851191
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import payments.platform.db.types

revision: str = "0004_refunds_disputes_audit"
down_revision: str | None = "0003_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = payments.platform.db.types.UTCDateTime(timezone=True)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "audit_chain",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("updated", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("actor_type", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=40), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("request_id", sa.String(length=40), nullable=True),
        sa.Column("changes", _json(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("created", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_log_seq")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_location_id"), ["location_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_object_id"), ["object_id"], unique=False)

    op.create_table(
        "disputes",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("charge_id", sa.String(length=40), nullable=False),
        sa.Column("payment_intent_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("gateway", sa.String(length=20), nullable=False),
        sa.Column("gateway_ref", sa.String(length=255), nullable=False),
        sa.Column("due_by", UTC_DATETIME, nullable=False),
        sa.Column("evidence", _json(), nullable=False),
        sa.Column("submission_count", sa.Integer(), nullable=False),
        sa.Column("past_due", sa.Boolean(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=True),
        sa.Column("funds_withdrawn", sa.Boolean(), nullable=False),
        sa.Column("deadline_flagged_at", UTC_DATETIME, nullable=True),
        sa.Column("closed_at", UTC_DATETIME, nullable=True),
        sa.Column("metadata", _json(), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["charge_id"], ["charges.id"], name=op.f("fk_disputes_charge_id_charges")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
        sa.UniqueConstraint("gateway", "gateway_ref", name=op.f("uq_disputes_gateway_gateway_ref")),
    )
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disputes_charge_id"), ["charge_id"], unique=False)
        batch_op.create_index("ix_disputes_due", ["status", "due_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_disputes_location_id"), ["location_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_disputes_payment_intent_id"), ["payment_intent_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_disputes_status"), ["status"], unique=False)

    op.create_table(
        "refunds",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("charge_id", sa.String(length=40), nullable=False),
        sa.Column("payment_intent_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("failure_reason", sa.String(length=64), nullable=True),
        sa.Column("gateway", sa.String(length=20), nullable=False),
        sa.Column("gateway_ref", sa.String(length=255), nullable=True),
        sa.Column("requested_by", sa.String(length=40), nullable=False),
        sa.Column("requested_by_name", sa.String(length=200), nullable=False),
        sa.Column("approval_reason", sa.String(length=40), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("decided_by_name", sa.String(length=200), nullable=True),
        sa.Column("decided_at", UTC_DATETIME, nullable=True),
        sa.Column("rejection_reason", sa.String(length=500), nullable=True),
        sa.Column("sent_at", UTC_DATETIME, nullable=True),
        sa.Column("canceled_at", UTC_DATETIME, nullable=True),
        sa.Column("metadata", _json(), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["charge_id"], ["charges.id"], name=op.f("fk_refunds_charge_id_charges")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
    )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refunds_charge_id"), ["charge_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_refunds_gateway_ref"), ["gateway_ref"], unique=False)
        batch_op.create_index(batch_op.f("ix_refunds_location_id"), ["location_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_refunds_payment_intent_id"), ["payment_intent_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_refunds_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refunds_status"))
        batch_op.drop_index(batch_op.f("ix_refunds_payment_intent_id"))
        batch_op.drop_index(batch_op.f("ix_refunds_location_id"))
        batch_op.drop_index(batch_op.f("ix_refunds_gateway_ref"))
        batch_op.drop_index(batch_op.f("ix_refunds_charge_id"))

    op.drop_table("refunds")
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disputes_status"))
        batch_op.drop_index(batch_op.f("ix_disputes_payment_intent_id"))
        batch_op.drop_index(batch_op.f("ix_disputes_location_id"))
        batch_op.drop_index("ix_disputes_due")
        batch_op.drop_index(batch_op.f("ix_disputes_charge_id"))

    op.drop_table("disputes")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_object_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_location_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_actor_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_action"))

    op.drop_table("audit_log")
    op.drop_table("audit_chain")
