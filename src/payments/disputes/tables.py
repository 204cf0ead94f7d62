"""The disputes table."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import JSONType, MoneyAmount, UTCDateTime

disputes = sa.Table(
    "disputes",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("charge_id", ID, sa.ForeignKey("charges.id"), nullable=False, index=True),
    sa.Column("payment_intent_id", ID, nullable=False, index=True),
    sa.Column("location_id", ID, nullable=False, index=True),
    sa.Column("amount", MoneyAmount, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("reason", sa.String(64), nullable=False),
    sa.Column("status", sa.String(32), nullable=False, index=True),
    sa.Column("gateway", sa.String(20), nullable=False),
    sa.Column("gateway_ref", sa.String(255), nullable=False),
    sa.Column("due_by", UTCDateTime(), nullable=False),
    sa.Column("evidence", JSONType, nullable=False),
    sa.Column("submission_count", sa.Integer, nullable=False, default=0),
    sa.Column("past_due", sa.Boolean, nullable=False, default=False),
    sa.Column("fee", MoneyAmount, nullable=True),
    sa.Column("funds_withdrawn", sa.Boolean, nullable=False, default=False),
    sa.Column("deadline_flagged_at", UTCDateTime(), nullable=True),
    sa.Column("closed_at", UTCDateTime(), nullable=True),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
    sa.UniqueConstraint("gateway", "gateway_ref"),
    sa.Index("ix_disputes_due", "status", "due_by"),
    sa.Index("ix_disputes_created", "created"),  # reports read disputes by date
)
