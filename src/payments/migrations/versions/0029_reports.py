"""reports: ECB rates fetched by ``payments fx refresh``, the indexes by date that the
synchronous reports read charges, refunds, disputes and the journal through, report
runs and their files (in chunks)

Revision ID: 0029_reports
Revises: 0028_fraud
Create Date: 2026-12-01 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import payments.platform.db.types

revision: str = "0029_reports"
down_revision: str | None = "0028_fraud"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = payments.platform.db.types.UTCDateTime(timezone=True)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


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
    op.create_table(
        "report_runs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("report_type", sa.String(length=40), nullable=False),
        sa.Column("parameters", _json(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("result_file_id", sa.String(length=40), nullable=True),
        sa.Column("rows_done", sa.BigInteger(), nullable=False),
        sa.Column("rows_total", sa.BigInteger(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTC_DATETIME, nullable=True),
        sa.Column("succeeded_at", UTC_DATETIME, nullable=True),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_runs")),
    )
    op.create_index("ix_report_runs_location_id", "report_runs", ["location_id"], unique=False)
    op.create_index(
        "ix_report_runs_status", "report_runs", ["status", "locked_until"], unique=False
    )
    op.create_table(
        "files",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=True),
        sa.Column("expires_at", UTC_DATETIME, nullable=True),
        sa.Column("created", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_files")),
    )
    op.create_table(
        "file_chunks",
        sa.Column("file_id", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("file_id", "seq", name=op.f("pk_file_chunks")),
    )


def downgrade() -> None:
    op.drop_table("file_chunks")
    op.drop_table("files")
    op.drop_index("ix_report_runs_status", table_name="report_runs")
    op.drop_index("ix_report_runs_location_id", table_name="report_runs")
    op.drop_table("report_runs")
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table("fx_rates")
