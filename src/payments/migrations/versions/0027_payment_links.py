"""payment links: the hosted pay page's unguessable, expiring links to pay an invoice

Revision ID: 0027_payment_links
Revises: 0026_billing
Create Date: 2026-12-01 13:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import payments.platform.db.types

revision: str = "0027_payment_links"
down_revision: str | None = "0026_billing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = payments.platform.db.types.UTCDateTime(timezone=True)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "payment_links",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("invoice_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("deactivated_at", UTC_DATETIME, nullable=True),
        sa.Column("metadata", _json(), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("last_nonce", sa.String(length=64), nullable=True),
        sa.Column("last_payment_intent_id", sa.String(length=40), nullable=True),
        sa.Column("created", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_payment_links_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_payment_links_invoice_id_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_payment_links_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_payment_links_token_hash")),
    )
    with op.batch_alter_table("payment_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_links_invoice_id"), ["invoice_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_payment_links_location_id"), ["location_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_links_location_id"))
        batch_op.drop_index(batch_op.f("ix_payment_links_invoice_id"))

    op.drop_table("payment_links")
