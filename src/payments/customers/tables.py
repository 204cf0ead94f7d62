"""The customers table."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import JSONType, UTCDateTime

customers = sa.Table(
    "customers",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), nullable=True, index=True),
    sa.Column("name", sa.String(256), nullable=True),
    sa.Column("email", sa.String(512), nullable=True, index=True),
    sa.Column("phone", sa.String(32), nullable=True),
    sa.Column("address", JSONType, nullable=True),
    sa.Column("preferred_locales", JSONType, nullable=False),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
    sa.Column("deleted_at", UTCDateTime(), nullable=True),
)
