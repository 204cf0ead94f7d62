"""Report runs and the files they produce (stored in chunks: written and read in
constant memory, visible to every API process)."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import JSONType, UTCDateTime

report_runs = sa.Table(
    "report_runs",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("report_type", sa.String(40), nullable=False),
    sa.Column("parameters", JSONType, nullable=False),
    sa.Column("format", sa.String(8), nullable=False),  # csv | xlsx
    sa.Column("location_id", ID, nullable=True, index=True),
    sa.Column("status", sa.String(16), nullable=False),  # pending | succeeded | failed
    sa.Column("error", sa.String(500), nullable=True),
    sa.Column("result_file_id", ID, nullable=True),
    sa.Column("rows_done", sa.BigInteger, nullable=False, default=0),
    sa.Column("rows_total", sa.BigInteger, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", UTCDateTime(), nullable=True),
    sa.Column("succeeded_at", UTCDateTime(), nullable=True),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
    sa.Index("ix_report_runs_status", "status", "locked_until"),
)

files = sa.Table(
    "files",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("purpose", sa.String(40), nullable=False),
    sa.Column("filename", sa.String(200), nullable=False),
    sa.Column("title", sa.String(200), nullable=True),
    sa.Column("type", sa.String(8), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("location_id", ID, nullable=True),
    sa.Column("expires_at", UTCDateTime(), nullable=True),
    created_column(),
)

file_chunks = sa.Table(
    "file_chunks",
    metadata,
    sa.Column("file_id", ID, primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

# Daily rollups of the summaries (migration 0035): one row per UTC day, shop, payment
# method type ('' when unknown) and currency, kept by database triggers in the very
# transactions that change a charge, refund or dispute (:mod:`payments.reports.rollups`).
# Every column is a sum the summary would otherwise compute from the base tables.
ROLLUP_SUMS = (
    "count",  # captured charges (status succeeded, captured)
    "gross",  # their amount_captured
    "fees",  # their fee, plus every dispute's fee
    "refunds",  # succeeded refunds' amount
    "refund_count",  # succeeded refunds
    "disputes",  # amount of disputes whose funds were withdrawn and that were not won
    "dispute_count",  # disputes
    "authorized",  # charges with status succeeded (captured or not)
    "declined",  # charges with status failed
)

daily_rollups = sa.Table(
    "report_daily_rollups",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("location_id", ID, primary_key=True),
    sa.Column("payment_method_type", sa.String(40), primary_key=True),
    sa.Column("currency", sa.String(3), primary_key=True),
    *(sa.Column(name, sa.BigInteger, nullable=False, server_default="0") for name in ROLLUP_SUMS),
)

decline_rollups = sa.Table(
    "report_decline_rollups",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("location_id", ID, primary_key=True),
    sa.Column("code", sa.String(64), primary_key=True),  # decline_code, failure_code, unknown
    sa.Column("count", sa.BigInteger, nullable=False, server_default="0"),
)
