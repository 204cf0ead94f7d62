"""The event outbox: every state change, written in the transaction that made it."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.encrypted import EncryptedJSON
from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import UTCDateTime

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("type", sa.String(80), nullable=False, index=True),
    sa.Column("object_id", ID, nullable=False, index=True),
    sa.Column("location_id", ID, nullable=True, index=True),
    sa.Column("data", EncryptedJSON(), nullable=False),  # holds personal data: encrypted
    sa.Column("request_id", sa.String(40), nullable=True),
    sa.Column("idempotency_key", sa.String(255), nullable=True),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
    # the outbox marker: set once the webhook dispatcher has fanned the event out
    sa.Column("webhooks_dispatched_at", UTCDateTime(), nullable=True),
    # the event bus's marker: set once a broker confirmed the event (payments.eventbus)
    sa.Column("published_at", UTCDateTime(), nullable=True),
)
