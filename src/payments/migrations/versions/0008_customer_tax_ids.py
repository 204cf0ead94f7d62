"""customers' tax ids and tax_exempt

Revision ID: 0008_customer_tax_ids
Revises: 0007_secrets_shop_currencies
Create Date: 2026-12-01 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import payments.platform.db.types

revision: str = "0008_customer_tax_ids"
down_revision: str | None = "0007_secrets_shop_currencies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tax_exempt", sa.String(length=16), nullable=False, server_default="none")
        )
    op.create_table(
        "customer_tax_ids",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("verification_status", sa.String(length=16), nullable=False),
        sa.Column("verification_source", sa.String(length=16), nullable=False),
        sa.Column("verified_name", sa.String(length=512), nullable=True),
        sa.Column("verified_address", sa.String(length=1024), nullable=True),
        sa.Column("verification_reference", sa.String(length=64), nullable=True),
        sa.Column("verification_detail", sa.String(length=256), nullable=True),
        sa.Column(
            "checked_at", payments.platform.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", payments.platform.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "deleted_at", payments.platform.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_tax_ids_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_tax_ids")),
    )
    with op.batch_alter_table("customer_tax_ids", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_tax_ids_customer_id"), ["customer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("customer_tax_ids", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_tax_ids_customer_id"))
    op.drop_table("customer_tax_ids")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("tax_exempt")
