"""The shops table (ours; synchronised from the Locations Service when it is configured)."""

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
    # synchronised from the Locations Service (payments locations sync)
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("external_id", sa.String(64), nullable=True, unique=True),
    sa.Column("price_list", sa.String(64), nullable=True),
    sa.Column("tax_region", sa.String(64), nullable=True),
    sa.Column("overridden", JSONType, nullable=False, server_default="[]"),
    sa.Column("upstream", JSONType, nullable=True),
)
