"""Our own parts catalogue (the local PartCatalogue adapter reads it)."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import JSONType, UTCDateTime

parts = sa.Table(
    "parts",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("sku", sa.String(64), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("description", sa.String(500), nullable=False),
    sa.Column("unit_amount", sa.BigInteger, nullable=False),
    sa.Column("tax_category", sa.String(30), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("metadata", JSONType, nullable=False),
    created_column(),
    sa.Column("updated", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("sku", "currency", name="uq_parts_sku_currency"),
)
