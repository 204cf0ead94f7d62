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
