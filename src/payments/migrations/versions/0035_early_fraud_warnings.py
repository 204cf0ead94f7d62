"""fraud prevention: early fraud warnings, and the device (Radar session) of a PaymentIntent

Revision ID: 0035_early_fraud_warnings
Revises: 0034_api_key_expiry
Create Date: 2026-12-01 16:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import payments.platform.db.types

revision: str = "0035_early_fraud_warnings"
down_revision: str | None = "0034_api_key_expiry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fraud_early_fraud_warnings",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("gateway", sa.String(length=32), nullable=False),
        sa.Column("gateway_ref", sa.String(length=255), nullable=False),
        sa.Column("charge_id", sa.String(length=40), nullable=False),
        sa.Column("payment_intent_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("fraud_type", sa.String(length=40), nullable=False),
        sa.Column("actionable", sa.Boolean(), nullable=False),
        sa.Column("card_fingerprint", sa.String(length=100), nullable=True),
        sa.Column("customer_id", sa.String(length=40), nullable=True),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", payments.platform.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fraud_early_fraud_warnings")),
        sa.UniqueConstraint("charge_id", name=op.f("uq_fraud_early_fraud_warnings_charge_id")),
        sa.UniqueConstraint(
            "gateway", "gateway_ref", name=op.f("uq_fraud_early_fraud_warnings_gateway_gateway_ref")
        ),
    )
    with op.batch_alter_table("fraud_early_fraud_warnings", schema=None) as batch_op:
        for column in ("card_fingerprint", "customer_id", "location_id", "payment_intent_id"):
            batch_op.create_index(
                batch_op.f(f"ix_fraud_early_fraud_warnings_{column}"), [column], unique=False
            )
    with op.batch_alter_table("payment_intents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("radar_session", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payment_intents", schema=None) as batch_op:
        batch_op.drop_column("radar_session")
    with op.batch_alter_table("fraud_early_fraud_warnings", schema=None) as batch_op:
        for column in ("payment_intent_id", "location_id", "customer_id", "card_fingerprint"):
            batch_op.drop_index(batch_op.f(f"ix_fraud_early_fraud_warnings_{column}"))
    op.drop_table("fraud_early_fraud_warnings")
