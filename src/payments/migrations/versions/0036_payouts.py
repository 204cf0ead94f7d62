"""payouts: reconciliation of the gateway's payouts (one run per day, one result per
payout, one line per balance transaction of the payout)

Revision ID: 0036_payouts
Revises: 0035_early_fraud_warnings
Create Date: 2026-12-01 16:40:14.607450
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import payments.platform.db.types

revision: str = "0036_payouts"
down_revision: str | None = "0035_early_fraud_warnings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reconciliation_runs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("gateway", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payouts", sa.Integer(), nullable=False),
        sa.Column("discrepancies", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "locked_until", payments.platform.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column(
            "completed_at", payments.platform.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("created", payments.platform.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_runs")),
        sa.UniqueConstraint("date", name=op.f("uq_reconciliation_runs_date")),
    )
    op.create_table(
        "reconciliations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("gateway", sa.String(length=20), nullable=False),
        sa.Column("payout_id", sa.String(length=255), nullable=False),
        sa.Column(
            "payout",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payout_amount", sa.BigInteger(), nullable=False),
        sa.Column("charges_count", sa.Integer(), nullable=False),
        sa.Column("charges_amount", sa.BigInteger(), nullable=False),
        sa.Column("refunds_count", sa.Integer(), nullable=False),
        sa.Column("refunds_amount", sa.BigInteger(), nullable=False),
        sa.Column("disputes_count", sa.Integer(), nullable=False),
        sa.Column("disputes_amount", sa.BigInteger(), nullable=False),
        sa.Column("other_amount", sa.BigInteger(), nullable=False),
        sa.Column("fees_amount", sa.BigInteger(), nullable=False),
        sa.Column("lines_net", sa.BigInteger(), nullable=False),
        sa.Column(
            "discrepancies",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("payout_posted", sa.Boolean(), nullable=False),
        sa.Column("updated", payments.platform.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created", payments.platform.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["reconciliation_runs.id"],
            name=op.f("fk_reconciliations_run_id_reconciliation_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliations")),
        sa.UniqueConstraint("payout_id", name=op.f("uq_reconciliations_payout_id")),
    )
    with op.batch_alter_table("reconciliations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reconciliations_date"), ["date"], unique=False)
        batch_op.create_index(batch_op.f("ix_reconciliations_run_id"), ["run_id"], unique=False)

    op.create_table(
        "reconciliation_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reconciliation_id", sa.String(length=40), nullable=False),
        sa.Column("balance_transaction", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("reporting_category", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=True),
        sa.Column("source_reference", sa.String(length=255), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "fee_details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("txn_status", sa.String(length=16), nullable=False),
        sa.Column(
            "txn_created", payments.platform.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "available_on", payments.platform.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("object", sa.String(length=20), nullable=True),
        sa.Column("object_id", sa.String(length=40), nullable=True),
        sa.Column("expected_amount", sa.BigInteger(), nullable=True),
        sa.Column("expected_fee", sa.BigInteger(), nullable=True),
        sa.Column("codes", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["reconciliation_id"],
            ["reconciliations.id"],
            name=op.f("fk_reconciliation_lines_reconciliation_id_reconciliations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_lines")),
    )
    with op.batch_alter_table("reconciliation_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reconciliation_lines_reconciliation_id"),
            ["reconciliation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_reconciliation_lines_source_reference"),
            ["source_reference"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("reconciliation_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reconciliation_lines_source_reference"))
        batch_op.drop_index(batch_op.f("ix_reconciliation_lines_reconciliation_id"))

    op.drop_table("reconciliation_lines")
    with op.batch_alter_table("reconciliations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reconciliations_run_id"))
        batch_op.drop_index(batch_op.f("ix_reconciliations_date"))

    op.drop_table("reconciliations")
    op.drop_table("reconciliation_runs")
