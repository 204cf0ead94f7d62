"""invoice payments: every payment applied to an invoice (several per invoice), and the
shares of payment plans (several payers), and installments

Revision ID: 0023_invoice_payments
Revises: 0022_customer_external_id
Create Date: 2026-12-01 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import payments.platform.db.types

revision: str = "0023_invoice_payments"
down_revision: str | None = "0022_customer_external_id"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = payments.platform.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "invoice_payments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("invoice_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payment_type", sa.String(length=24), nullable=False),
        sa.Column("amount_requested", sa.BigInteger(), nullable=False),
        sa.Column("amount_paid", sa.BigInteger(), nullable=False),
        sa.Column("amount_credited", sa.BigInteger(), nullable=False),
        sa.Column("payment_intent_id", sa.String(length=40), nullable=True),
        sa.Column("method", sa.String(length=24), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("reference", sa.String(length=140), nullable=True),
        sa.Column("recorded_by", sa.String(length=40), nullable=True),
        sa.Column("share_id", sa.String(length=40), nullable=True),
        sa.Column("paid_at", UTC_DATETIME, nullable=True),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_invoice_payments_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_payments_invoice_id_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_invoice_payments_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_payments")),
        sa.UniqueConstraint(
            "payment_intent_id", name=op.f("uq_invoice_payments_payment_intent_id")
        ),
    )
    with op.batch_alter_table("invoice_payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_payments_invoice_id"), ["invoice_id"], unique=False
        )

    op.create_table(
        "invoice_shares",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("invoice_id", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("amount_paid", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("percent", sa.String(length=12), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("payment_method_hint", sa.String(length=24), nullable=True),
        sa.Column("paid_at", UTC_DATETIME, nullable=True),
        sa.Column("created", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_invoice_shares_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_shares_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_shares")),
        sa.UniqueConstraint(
            "invoice_id", "position", name=op.f("uq_invoice_shares_invoice_id_position")
        ),
    )
    with op.batch_alter_table("invoice_shares", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_shares_invoice_id"), ["invoice_id"], unique=False
        )

    op.create_table(
        "invoice_installments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("invoice_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("charge_at", UTC_DATETIME, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payment_method_id", sa.String(length=40), nullable=False),
        sa.Column("next_attempt_at", UTC_DATETIME, nullable=True),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("payment_intent_id", sa.String(length=40), nullable=True),
        sa.Column("locked_until", UTC_DATETIME, nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("paid_at", UTC_DATETIME, nullable=True),
        sa.Column("created", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_installments_invoice_id_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_invoice_installments_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_installments")),
        sa.UniqueConstraint(
            "invoice_id", "position", name=op.f("uq_invoice_installments_invoice_id_position")
        ),
        sa.UniqueConstraint(
            "payment_intent_id", name=op.f("uq_invoice_installments_payment_intent_id")
        ),
    )
    with op.batch_alter_table("invoice_installments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_installments_invoice_id"), ["invoice_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_invoice_installments_next_attempt_at"),
            ["next_attempt_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("invoice_installments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_installments_next_attempt_at"))
        batch_op.drop_index(batch_op.f("ix_invoice_installments_invoice_id"))
    op.drop_table("invoice_installments")
    with op.batch_alter_table("invoice_shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_shares_invoice_id"))
    op.drop_table("invoice_shares")
    with op.batch_alter_table("invoice_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_payments_invoice_id"))
    op.drop_table("invoice_payments")
