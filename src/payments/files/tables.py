"""Uploaded files' facts (their bytes are in the file storage). The table is
``uploaded_files``: ``files`` holds the report runs' generated files (payments.reports),
whose bytes are in the database; one Stripe-style Files capability serving both is left to do."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.schema import ID, created_column, metadata

files = sa.Table(
    "uploaded_files",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("purpose", sa.String(40), nullable=False),
    sa.Column("filename", sa.String(200), nullable=False),
    sa.Column("type", sa.String(60), nullable=False),
    sa.Column("size", sa.Integer(), nullable=False),
    sa.Column("storage_key", sa.String(80), nullable=False, unique=True),
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), nullable=True, index=True),
    sa.Column("uploaded_by", sa.String(40), nullable=True),
    created_column(),
)
