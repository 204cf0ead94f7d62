"""report rollups: daily sums of the summaries, kept by triggers, backfilled here

Revision ID: 0037_report_rollups
Revises: 0036_payouts
Create Date: 2026-12-01 17:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from payments.reports.rollups import SUMS, drop_trigger_sql, rebuild_sql, trigger_sql

revision: str = "0037_report_rollups"
down_revision: str | None = "0036_payouts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_daily_rollups",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("payment_method_type", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        *(sa.Column(name, sa.BigInteger(), server_default="0", nullable=False) for name in SUMS),
        sa.PrimaryKeyConstraint(
            "day",
            "location_id",
            "payment_method_type",
            "currency",
            name=op.f("pk_report_daily_rollups"),
        ),
    )
    op.create_table(
        "report_decline_rollups",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("count", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "location_id", "code", name=op.f("pk_report_decline_rollups")
        ),
    )
    dialect = op.get_bind().dialect.name
    for statement in trigger_sql(dialect):
        op.execute(statement)
    for statement in rebuild_sql(dialect):  # the backfill: the rollups of existing rows
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_trigger_sql(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("report_decline_rollups")
    op.drop_table("report_daily_rollups")
