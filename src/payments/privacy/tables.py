"""GDPR erasures: one per customer, the record that it was done and what is left."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import JSONType, UTCDateTime

privacy_erasures = sa.Table(
    "privacy_erasures",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("customer_id", ID, nullable=False, unique=True),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("requested_at", UTCDateTime(), nullable=False),
    sa.Column("completed_at", UTCDateTime(), nullable=True),
    # the last day the law keeps billing details frozen on the customer's invoices
    sa.Column("retained_until", sa.Date, nullable=True),
    sa.Column("counts", JSONType, nullable=False),
    created_column(),
)
