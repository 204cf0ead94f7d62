"""Uploaded files' facts (their bytes are in the file storage)."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.schema import ID, created_column, metadata

files = sa.Table(
    "files",
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
