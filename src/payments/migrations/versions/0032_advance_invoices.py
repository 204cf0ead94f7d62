"""advance invoices: advance-payment invoices (type 386) deducted on a final invoice

Revision ID: 0032_advance_invoices
Revises: 0031_payment_link_shares
Create Date: 2026-12-01 15:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032_advance_invoices"
down_revision: str | None = "0031_payment_link_shares"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "invoice_type", sa.String(length=16), server_default="invoice", nullable=False
            )
        )
        batch_op.add_column(sa.Column("advance_invoice_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("applied_to", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("prepaid_amount", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_invoices_advance_invoice_id"), ["advance_invoice_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_invoices_advance_invoice_id"), type_="unique")
        batch_op.drop_column("prepaid_amount")
        batch_op.drop_column("applied_to")
        batch_op.drop_column("advance_invoice_id")
        batch_op.drop_column("invoice_type")
