"""ECB rates fetched by ``payments fx refresh`` (newer than the shipped history)."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.schema import metadata
from payments.platform.db.types import UTCDateTime

fx_rates = sa.Table(
    "fx_rates",
    metadata,
    sa.Column("currency", sa.String(3), primary_key=True),
    sa.Column("rate_date", sa.Date, primary_key=True),
    sa.Column("rate", sa.String(24), nullable=False),  # as published: exact decimal text
    sa.Column("fetched", UTCDateTime(), nullable=False),
)
