"""The shops table."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import JSONType

locations = sa.Table(
    "locations",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("address", JSONType, nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("default_currency", sa.String(3), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("payment_method_types", JSONType, nullable=False),
    sa.Column("currencies", JSONType, nullable=False),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    sa.Column("legal_entity_id", ID, sa.ForeignKey("legal_entities.id"), nullable=True, index=True),
    created_column(),
)
