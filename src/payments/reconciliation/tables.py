"""Reconciliation results: one run per day, one result per payout, one line per balance
transaction of the payout (a copy of the gateway's, with what it was matched to)."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import JSONType, MoneyAmount, UTCDateTime

_REF = sa.String(255)  # the gateway's ids

reconciliation_runs = sa.Table(
    "reconciliation_runs",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("date", sa.Date, nullable=False, unique=True),  # the payouts' arrival date
    sa.Column("gateway", sa.String(20), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending | completed | failed
    sa.Column("payouts", sa.Integer, nullable=False, default=0),
    sa.Column("discrepancies", sa.Integer, nullable=False, default=0),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", UTCDateTime(), nullable=True),
    sa.Column("error", sa.String(500), nullable=True),
    sa.Column("completed_at", UTCDateTime(), nullable=True),
    created_column(),
)

reconciliations = sa.Table(
    "reconciliations",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("run_id", ID, sa.ForeignKey("reconciliation_runs.id"), nullable=False, index=True),
    sa.Column("date", sa.Date, nullable=False, index=True),
    sa.Column("gateway", sa.String(20), nullable=False),
    sa.Column("payout_id", _REF, nullable=False, unique=True),
    sa.Column("payout", JSONType, nullable=False),  # the gateway's payout, Stripe-shaped
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # reconciled | discrepancies
    sa.Column("payout_amount", MoneyAmount, nullable=False),
    sa.Column("charges_count", sa.Integer, nullable=False),
    sa.Column("charges_amount", MoneyAmount, nullable=False),
    sa.Column("refunds_count", sa.Integer, nullable=False),
    sa.Column("refunds_amount", MoneyAmount, nullable=False),
    sa.Column("disputes_count", sa.Integer, nullable=False),
    sa.Column("disputes_amount", MoneyAmount, nullable=False),
    sa.Column("other_amount", MoneyAmount, nullable=False),
    sa.Column("fees_amount", MoneyAmount, nullable=False),
    sa.Column("lines_net", MoneyAmount, nullable=False),
    sa.Column("discrepancies", JSONType, nullable=False),
    sa.Column("payout_posted", sa.Boolean, nullable=False, default=False),
    sa.Column("updated", UTCDateTime(), nullable=False),
    created_column(),
)

reconciliation_lines = sa.Table(
    "reconciliation_lines",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column(
        "reconciliation_id",
        ID,
        sa.ForeignKey("reconciliations.id"),
        nullable=False,
        index=True,
    ),
    sa.Column("balance_transaction", _REF, nullable=False),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("reporting_category", sa.String(32), nullable=False),
    sa.Column("source", _REF, nullable=True),
    sa.Column("source_reference", _REF, nullable=True, index=True),
    sa.Column("amount", MoneyAmount, nullable=False),
    sa.Column("fee", MoneyAmount, nullable=False),
    sa.Column("net", MoneyAmount, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("fee_details", JSONType, nullable=False),
    sa.Column("txn_status", sa.String(16), nullable=False),
    sa.Column("txn_created", UTCDateTime(), nullable=False),
    sa.Column("available_on", UTCDateTime(), nullable=False),
    sa.Column("object", sa.String(20), nullable=True),
    sa.Column("object_id", ID, nullable=True),
    sa.Column("expected_amount", MoneyAmount, nullable=True),
    sa.Column("expected_fee", MoneyAmount, nullable=True),
    sa.Column("codes", sa.String(200), nullable=False),  # comma-separated; "" = matched
)
