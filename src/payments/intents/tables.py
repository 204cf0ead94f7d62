"""PaymentIntents, their charges (attempts at the gateway) and payment methods, and the
record of every gateway call (``gateway_attempts``)."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.encrypted import EncryptedJSON, EncryptedString
from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import JSONType, MoneyAmount, UTCDateTime

payment_methods = sa.Table(
    "payment_methods",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("gateway", sa.String(20), nullable=False),
    sa.Column("gateway_ref", sa.String(255), nullable=False),
    sa.Column("customer_id", ID, sa.ForeignKey("customers.id"), nullable=True, index=True),
    sa.Column("location_id", ID, nullable=True),
    sa.Column("details", JSONType, nullable=False),  # brand, last4, expiry, country, fingerprint
    sa.Column("billing_details", EncryptedJSON(), nullable=False),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
)


payment_intents = sa.Table(
    "payment_intents",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), nullable=False, index=True),
    sa.Column("customer_id", ID, sa.ForeignKey("customers.id"), nullable=True, index=True),
    sa.Column("amount", MoneyAmount, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(32), nullable=False, index=True),
    sa.Column("capture_method", sa.String(16), nullable=False),
    sa.Column("payment_method_id", ID, nullable=True),
    sa.Column("payment_method_types", JSONType, nullable=False),
    sa.Column("amount_capturable", MoneyAmount, nullable=False),
    sa.Column("amount_received", MoneyAmount, nullable=False),
    sa.Column("latest_charge_id", ID, nullable=True),
    sa.Column("last_payment_error", JSONType, nullable=True),
    sa.Column("next_action", JSONType, nullable=True),
    sa.Column("setup_future_usage", sa.String(16), nullable=True),
    sa.Column("off_session", sa.Boolean, nullable=True),
    sa.Column("return_url", sa.String(2048), nullable=True),
    sa.Column("description", sa.String(1000), nullable=True),
    sa.Column("receipt_email", EncryptedString(), nullable=True),
    sa.Column("cancellation_reason", sa.String(32), nullable=True),
    sa.Column("canceled_at", UTCDateTime(), nullable=True),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    sa.Column("client_secret", sa.String(100), nullable=True),
    created_column(),
    sa.Column("invoice_id", ID, nullable=True, index=True),
    sa.Column("radar_session", sa.String(200), nullable=True),
)


charges = sa.Table(
    "charges",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column(
        "payment_intent_id", ID, sa.ForeignKey("payment_intents.id"), nullable=False, index=True
    ),
    sa.Column("location_id", ID, nullable=False),
    sa.Column("customer_id", ID, nullable=True),
    sa.Column("amount", MoneyAmount, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending | succeeded | failed
    sa.Column("captured", sa.Boolean, nullable=False),
    sa.Column("amount_captured", MoneyAmount, nullable=False),
    sa.Column("amount_refunded", MoneyAmount, nullable=False),
    sa.Column("amount_authorized", MoneyAmount, nullable=False),
    sa.Column("fee", MoneyAmount, nullable=True),
    sa.Column("payment_method_id", ID, nullable=True),
    sa.Column("payment_method_details", JSONType, nullable=True),
    sa.Column("failure_code", sa.String(64), nullable=True),
    sa.Column("failure_message", sa.String(500), nullable=True),
    sa.Column("decline_code", sa.String(64), nullable=True),
    sa.Column("gateway", sa.String(20), nullable=False),
    sa.Column("gateway_ref", sa.String(255), nullable=True, index=True),
    sa.Column("disputed", sa.Boolean, nullable=False, default=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
    sa.Column("outcome", JSONType, nullable=True),  # the risk assessment's Stripe outcome
    sa.Column("risk", JSONType, nullable=True),  # score, level, reasons [{signal, value, weight}]
    sa.Index("ix_charges_created", "created"),  # reports read charges by date
)


# Every call to a gateway that may move money, recorded BEFORE the call. Its id is
# the idempotency key sent to the gateway, so repeating it can never move money twice.
gateway_attempts = sa.Table(
    "gateway_attempts",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("operation", sa.String(16), nullable=False),  # charge | capture | cancel | refund
    sa.Column("status", sa.String(16), nullable=False),  # started | unknown | done | not_sent
    sa.Column("payment_intent_id", ID, nullable=True, index=True),
    sa.Column("charge_id", ID, nullable=True),
    sa.Column("object_id", ID, nullable=True),  # e.g. the refund this attempt is for
    sa.Column("gateway", sa.String(20), nullable=False),
    sa.Column("request", JSONType, nullable=False),
    sa.Column("result", JSONType, nullable=True),
    sa.Column("recovery_count", sa.Integer, nullable=False, default=0),
    sa.Column("next_recovery_at", UTCDateTime(), nullable=True),
    sa.Column("locked_until", UTCDateTime(), nullable=True),
    created_column(),
    sa.Column("completed_at", UTCDateTime(), nullable=True),
    sa.Index("ix_gateway_attempts_open", "status", "next_recovery_at"),
)


# SetupIntents: a payment method being saved for a customer's later payments. The gateway
# call is a ``setup`` attempt in ``gateway_attempts`` (object_id = the SetupIntent).
setup_intents = sa.Table(
    "setup_intents",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), nullable=False, index=True),
    sa.Column("customer_id", ID, sa.ForeignKey("customers.id"), nullable=False, index=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("usage", sa.String(16), nullable=False),
    sa.Column("payment_method_types", JSONType, nullable=False),
    sa.Column("payment_method_id", ID, nullable=True),
    sa.Column("client_secret", sa.String(100), nullable=False),
    sa.Column("last_setup_error", JSONType, nullable=True),
    sa.Column("next_action", JSONType, nullable=True),
    sa.Column("return_url", sa.String(2048), nullable=True),
    sa.Column("mandate", sa.String(255), nullable=True),
    sa.Column("mandate_data", JSONType, nullable=True),
    sa.Column("gateway", sa.String(20), nullable=True),
    sa.Column("gateway_ref", sa.String(255), nullable=True, index=True),
    sa.Column("latest_attempt_id", ID, nullable=True),
    sa.Column("cancellation_reason", sa.String(32), nullable=True),
    sa.Column("canceled_at", UTCDateTime(), nullable=True),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
)
