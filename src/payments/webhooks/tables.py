"""Webhook endpoints, their secrets and deliveries."""

from __future__ import annotations

import sqlalchemy as sa

from payments.events.tables import events
from payments.platform.db.encrypted import EncryptedString
from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import JSONType, UTCDateTime

# --------------------------------------------------------------------------- webhooks

# Events not yet fanned out to webhook endpoints: a small partial index the dispatcher scans.
sa.Index(
    "ix_events_undispatched",
    events.c.id,
    postgresql_where=events.c.webhooks_dispatched_at.is_(None),
    sqlite_where=events.c.webhooks_dispatched_at.is_(None),
)

webhook_endpoints = sa.Table(
    "webhook_endpoints",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("url", sa.String(2048), nullable=False),
    sa.Column("enabled_events", JSONType, nullable=False),
    sa.Column("description", sa.String(5000), nullable=True),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), nullable=True, index=True),
    sa.Column("failing_since", UTCDateTime(), nullable=True),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
)

# Signing secrets (Standard Webhooks ``whsec_``). Encrypted at rest (they sign every
# delivery, so they are kept, not hashed); never rendered except once on create/rotate, never logged. During a
# rotation's grace period an endpoint has several, and every delivery carries one
# signature per unexpired secret.
webhook_endpoint_secrets = sa.Table(
    "webhook_endpoint_secrets",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column(
        "endpoint_id",
        ID,
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("secret", EncryptedString(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=True),
    created_column(),
)

# One row per (event, endpoint) from the fan-out (sequence 0); each manual redelivery
# or replay adds a row with the next sequence. Claimed with a lease (locked_until).
webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column(
        "endpoint_id",
        ID,
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("event_id", ID, sa.ForeignKey("events.id"), nullable=False, index=True),
    sa.Column("event_type", sa.String(80), nullable=False),
    sa.Column("sequence", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
    sa.Column("locked_until", UTCDateTime(), nullable=True),
    sa.Column("lease_token", sa.String(32), nullable=True),
    sa.Column("last_attempt_at", UTCDateTime(), nullable=True),
    sa.Column("response_status", sa.Integer, nullable=True),
    sa.Column("latency_ms", sa.Integer, nullable=True),
    sa.Column("response_body", sa.Text, nullable=True),
    sa.Column("error_code", sa.String(40), nullable=True),
    sa.Column("error_message", sa.String(500), nullable=True),
    created_column(),
    sa.UniqueConstraint("event_id", "endpoint_id", "sequence"),
    sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    sa.Index("ix_webhook_deliveries_endpoint", "endpoint_id", "id"),
)
