"""API keys (only a SHA-256 of each secret is stored)."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import UTCDateTime

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), nullable=True),
    sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("redacted", sa.String(40), nullable=False),
    created_column(),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
    # rolled: the key that replaced this one, and when this one stops working (overlap)
    sa.Column("expires_at", UTCDateTime(), nullable=True),
    sa.Column("rolled_to", ID, nullable=True),
)
