"""Gateway events stored once by id and applied later, and the simulator feed's cursor."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.schema import metadata
from payments.platform.db.types import JSONType, UTCDateTime

# Asynchronous gateway events (simulator polling, Stripe webhooks), stored once by id.
gateway_events = sa.Table(
    "gateway_events",
    metadata,
    sa.Column("id", sa.String(255), primary_key=True),
    sa.Column("gateway", sa.String(20), nullable=False),
    sa.Column("type", sa.String(80), nullable=False),
    sa.Column("payload", JSONType, nullable=False),
    sa.Column("received", UTCDateTime(), nullable=False),
    sa.Column("processed_at", UTCDateTime(), nullable=True),
    sa.Column("error", sa.String(500), nullable=True),
    sa.Column("locked_until", UTCDateTime(), nullable=True),
    sa.Index("ix_gateway_events_pending", "processed_at", "received"),
)


gateway_cursors = sa.Table(
    "gateway_cursors",
    metadata,
    sa.Column("gateway", sa.String(20), primary_key=True),
    sa.Column("cursor", sa.String(255), nullable=True),
    sa.Column("locked_until", UTCDateTime(), nullable=True),
    sa.Column("updated", UTCDateTime(), nullable=False),
)
