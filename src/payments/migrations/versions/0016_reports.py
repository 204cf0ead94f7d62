"""reports: ECB rates fetched by ``payments fx refresh``, and the indexes by date that
the synchronous reports read charges, refunds, disputes and the journal through

Revision ID: 0016_reports
Revises: 0011_invoices
Create Date: 2026-12-01 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import payments.platform.db.types

revision: str = "0016_reports"
down_revision: str | None = "0011_invoices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = payments.platform.db.types.UTCDateTime(timezone=True)

INDEXES = (
    ("ix_charges_created", "charges", ["created"]),
    ("ix_refunds_created", "refunds", ["created"]),
    ("ix_disputes_created", "disputes", ["created"]),
    ("ix_ledger_transactions_created", "ledger_transactions", ["created"]),
)


def upgrade() -> None:
    op.create_table(
        "fx_rates",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rate_date", sa.Date(), nullable=False),
        sa.Column("rate", sa.String(length=24), nullable=False),
        sa.Column("fetched", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("currency", "rate_date", name=op.f("pk_fx_rates")),
    )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table("fx_rates")
