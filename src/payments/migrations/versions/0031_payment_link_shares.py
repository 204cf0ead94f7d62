"""payment link shares: a payment link may pay one share of an invoice's payment plan

Revision ID: 0031_payment_link_shares
Revises: 0030_dashboard
Create Date: 2026-12-01 15:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031_payment_link_shares"
down_revision: str | None = "0030_dashboard"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payment_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("share_id", sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_payment_links_share_id_invoice_shares"),
            "invoice_shares",
            ["share_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_links", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_payment_links_share_id_invoice_shares"), type_="foreignkey"
        )
        batch_op.drop_column("share_id")
