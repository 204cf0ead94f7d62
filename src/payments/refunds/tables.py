"""The refunds table."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import JSONType, MoneyAmount, UTCDateTime

refunds = sa.Table(
    "refunds",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("charge_id", ID, sa.ForeignKey("charges.id"), nullable=False, index=True),
    sa.Column("payment_intent_id", ID, nullable=False, index=True),
    sa.Column("location_id", ID, nullable=False, index=True),
    sa.Column("amount", MoneyAmount, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    # pending_approval | pending | requires_action | succeeded | failed | canceled
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("reason", sa.String(32), nullable=True),
    sa.Column("note", sa.String(1000), nullable=True),
    sa.Column("failure_reason", sa.String(64), nullable=True),
    sa.Column("gateway", sa.String(20), nullable=False),
    sa.Column("gateway_ref", sa.String(255), nullable=True, index=True),
    sa.Column("requested_by", sa.String(40), nullable=False),
    sa.Column("requested_by_name", sa.String(200), nullable=False),
    sa.Column("approval_reason", sa.String(40), nullable=True),
    sa.Column("decision", sa.String(16), nullable=True),  # approved | rejected
    sa.Column("decided_by", sa.String(40), nullable=True),
    sa.Column("decided_by_name", sa.String(200), nullable=True),
    sa.Column("decided_at", UTCDateTime(), nullable=True),
    sa.Column("rejection_reason", sa.String(500), nullable=True),
    sa.Column("sent_at", UTCDateTime(), nullable=True),
    sa.Column("canceled_at", UTCDateTime(), nullable=True),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
    sa.Index("ix_refunds_created", "created"),  # reports read refunds by date
)
