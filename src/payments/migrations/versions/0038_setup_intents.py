"""setup intents; the update-your-payment-method links of subscriptions in dunning

Revision ID: 0038_setup_intents
Revises: 0037_report_rollups
Create Date: 2026-12-01 17:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import payments.platform.db.types

revision: str = "0038_setup_intents"
down_revision: str | None = "0037_report_rollups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = payments.platform.db.types.UTCDateTime(timezone=True)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "setup_intents",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("usage", sa.String(length=16), nullable=False),
        sa.Column("payment_method_types", _json(), nullable=False),
        sa.Column("payment_method_id", sa.String(length=40), nullable=True),
        sa.Column("client_secret", sa.String(length=100), nullable=False),
        sa.Column("last_setup_error", _json(), nullable=True),
        sa.Column("next_action", _json(), nullable=True),
        sa.Column("return_url", sa.String(length=2048), nullable=True),
        sa.Column("mandate", sa.String(length=255), nullable=True),
        sa.Column("mandate_data", _json(), nullable=True),
        sa.Column("gateway", sa.String(length=20), nullable=True),
        sa.Column("gateway_ref", sa.String(length=255), nullable=True),
        sa.Column("latest_attempt_id", sa.String(length=40), nullable=True),
        sa.Column("cancellation_reason", sa.String(length=32), nullable=True),
        sa.Column("canceled_at", UTC_DATETIME, nullable=True),
        sa.Column("metadata", _json(), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_setup_intents_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_setup_intents_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_setup_intents")),
    )
    op.create_index(
        op.f("ix_setup_intents_customer_id"), "setup_intents", ["customer_id"], unique=False
    )
    op.create_index(
        op.f("ix_setup_intents_gateway_ref"), "setup_intents", ["gateway_ref"], unique=False
    )
    op.create_index(
        op.f("ix_setup_intents_location_id"), "setup_intents", ["location_id"], unique=False
    )
    op.create_table(
        "billing_payment_method_links",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("subscription_id", sa.String(length=40), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invoice_id", sa.String(length=40), nullable=True),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("used_at", UTC_DATETIME, nullable=True),
        sa.Column("setup_intent_id", sa.String(length=40), nullable=True),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["billing_subscriptions.id"],
            name=op.f("fk_billing_payment_method_links_subscription_id_billing_subscriptions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_payment_method_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_billing_payment_method_links_token_hash")),
    )
    op.create_index(
        op.f("ix_billing_payment_method_links_subscription_id"),
        "billing_payment_method_links",
        ["subscription_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_billing_payment_method_links_subscription_id"),
        table_name="billing_payment_method_links",
    )
    op.drop_table("billing_payment_method_links")
    op.drop_index(op.f("ix_setup_intents_location_id"), table_name="setup_intents")
    op.drop_index(op.f("ix_setup_intents_gateway_ref"), table_name="setup_intents")
    op.drop_index(op.f("ix_setup_intents_customer_id"), table_name="setup_intents")
    op.drop_table("setup_intents")
