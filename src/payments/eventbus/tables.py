"""The event bus's lease: one publisher at a time drains the outbox (the ``events`` table,
whose ``published_at`` marks what a broker confirmed), so order per object holds across
any number of workers."""

from __future__ import annotations

import sqlalchemy as sa

from payments.events.tables import events
from payments.platform.db.schema import metadata
from payments.platform.db.types import UTCDateTime

event_publishers = sa.Table(
    "event_publishers",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("holder", sa.String(120), nullable=True),
    sa.Column("locked_until", UTCDateTime(), nullable=True),
    sa.Column("published_through", sa.String(40), nullable=True),  # the last event confirmed
    sa.Column("updated", UTCDateTime(), nullable=False),
)

# Events no broker has confirmed yet: a small partial index the publisher scans.
sa.Index(
    "ix_events_unpublished",
    events.c.id,
    postgresql_where=events.c.published_at.is_(None),
    sqlite_where=events.c.published_at.is_(None),
)
