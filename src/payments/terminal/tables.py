"""Readers registered at the shops' counters and the actions sent to them."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import JSONType, MoneyAmount, UTCDateTime

terminal_readers = sa.Table(
    "terminal_readers",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), nullable=False, index=True),
    sa.Column("label", sa.String(255), nullable=False),
    sa.Column("device_type", sa.String(64), nullable=False),
    sa.Column("serial_number", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("gateway", sa.String(20), nullable=False),
    sa.Column("gateway_ref", sa.String(255), nullable=False),
    sa.Column("gateway_location", sa.String(255), nullable=True),
    sa.Column("action_id", ID, nullable=True),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
    sa.UniqueConstraint("gateway", "gateway_ref", name="uq_terminal_readers_gateway_ref"),
)

terminal_reader_actions = sa.Table(
    "terminal_reader_actions",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("reader_id", ID, sa.ForeignKey("terminal_readers.id"), nullable=False, index=True),
    sa.Column("location_id", ID, nullable=False),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("payment_intent_id", ID, nullable=True, index=True),
    sa.Column("charge_id", ID, nullable=True, index=True),
    sa.Column("refund_id", ID, nullable=True),
    sa.Column("amount", MoneyAmount, nullable=True),
    sa.Column("currency", sa.String(3), nullable=True),
    sa.Column("gateway_ref", sa.String(255), nullable=True, index=True),
    sa.Column("details", JSONType, nullable=False),
    sa.Column("failure_code", sa.String(64), nullable=True),
    sa.Column("failure_message", sa.String(1000), nullable=True),
    sa.Column("completed_at", UTCDateTime, nullable=True),
    created_column(),
)
