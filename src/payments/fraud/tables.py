"""Fraud rules, value lists and their items, reviews, assessments (one per assessed
charge) and the database's velocity events."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.encrypted import BlindIndex, EncryptedJSON, EncryptedString
from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import JSONType, MoneyAmount, UTCDateTime

fraud_rules = sa.Table(
    "fraud_rules",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("predicate", sa.String(2000), nullable=False),
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), nullable=True, index=True),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("description", sa.String(500), nullable=True),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
    sa.Column("updated", UTCDateTime(), nullable=False),
)

fraud_value_lists = sa.Table(
    "fraud_value_lists",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("alias", sa.String(100), nullable=False, unique=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("item_type", sa.String(32), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
)

fraud_value_list_items = sa.Table(
    "fraud_value_list_items",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column(
        "value_list_id", ID, sa.ForeignKey("fraud_value_lists.id"), nullable=False, index=True
    ),
    sa.Column("value", sa.String(800), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
    sa.UniqueConstraint("value_list_id", "value"),
)

fraud_reviews = sa.Table(
    "fraud_reviews",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("payment_intent_id", ID, nullable=False, index=True),
    sa.Column("charge_id", ID, nullable=False, unique=True),
    sa.Column("location_id", ID, nullable=False, index=True),
    sa.Column("open", sa.Boolean, nullable=False),
    sa.Column("opened_reason", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("closed_reason", sa.String(32), nullable=True),
    sa.Column("closed_at", UTCDateTime(), nullable=True),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("rule_id", ID, nullable=True),
    sa.Column("risk_level", sa.String(16), nullable=True),
    sa.Column("risk_score", sa.Integer, nullable=True),
    sa.Column("ip_address", EncryptedString(), nullable=True),
    sa.Column("locked_until", UTCDateTime(), nullable=True),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
    sa.Index("ix_fraud_reviews_open_expires_at", "open", "expires_at"),
)

fraud_assessments = sa.Table(
    "fraud_assessments",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("charge_id", ID, nullable=False, unique=True),
    sa.Column("payment_intent_id", ID, nullable=False),
    sa.Column("location_id", ID, nullable=False),
    sa.Column("customer_id", ID, nullable=True, index=True),
    sa.Column("card_fingerprint", sa.String(100), nullable=True, index=True),
    sa.Column("email", EncryptedString(), nullable=True),
    sa.Column("ip_address", EncryptedString(), nullable=True),
    sa.Column("amount", MoneyAmount, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("amount_eur_cents", MoneyAmount, nullable=False),
    sa.Column("score", sa.Integer, nullable=False),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("rule_id", ID, nullable=True),
    sa.Column("attributes", EncryptedJSON(), nullable=False),  # e-mail, IP: encrypted
    created_column(),
    sa.Index("ix_fraud_assessments_location_id_created", "location_id", "created"),
)

# The database's velocity counters: one row per sighting, trimmed after 24 hours.
fraud_velocity_events = sa.Table(
    "fraud_velocity_events",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    # card:<fp> | email:<address> | ip:<address> ...: a keyed hash, never the address
    sa.Column("subject", BlindIndex("velocity"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("member", sa.String(100), nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Index("ix_fraud_velocity_events_subject_kind_at", "subject", "kind", "at"),
    sa.Index("ix_fraud_velocity_events_at", "at"),
)

# Early fraud warnings the gateway reported (one per charge), with the card and customer
# they concern (the signals of later payments read them).
fraud_early_fraud_warnings = sa.Table(
    "fraud_early_fraud_warnings",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("gateway", sa.String(32), nullable=False),
    sa.Column("gateway_ref", sa.String(255), nullable=False),
    sa.Column("charge_id", ID, nullable=False, unique=True),
    sa.Column("payment_intent_id", ID, nullable=False, index=True),
    sa.Column("location_id", ID, nullable=False, index=True),
    sa.Column("fraud_type", sa.String(40), nullable=False),
    sa.Column("actionable", sa.Boolean, nullable=False),
    sa.Column("card_fingerprint", sa.String(100), nullable=True, index=True),
    sa.Column("customer_id", ID, nullable=True, index=True),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
    sa.UniqueConstraint("gateway", "gateway_ref"),
)
