"""Payment links: the hash of each link's token, the invoice it pays, its limits."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import JSONType, MoneyAmount, UTCDateTime

payment_links = sa.Table(
    "payment_links",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("invoice_id", ID, sa.ForeignKey("invoices.id"), nullable=False, index=True),
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), nullable=False, index=True),
    sa.Column("customer_id", ID, sa.ForeignKey("customers.id"), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("amount", MoneyAmount, nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("deactivated_at", UTCDateTime(), nullable=True),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    sa.Column("last_nonce", sa.String(64), nullable=True),
    sa.Column("last_payment_intent_id", ID, nullable=True),
    sa.Column("share_id", ID, sa.ForeignKey("invoice_shares.id"), nullable=True),
    created_column(),
)
