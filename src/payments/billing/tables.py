"""Products, prices, test clocks, subscriptions, their items, and the shops' dunning
settings."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import JSONType, MoneyAmount, UTCDateTime

products = sa.Table(
    "billing_products",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(250), nullable=False),
    sa.Column("description", sa.String(1000), nullable=True),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("tax_category", sa.String(16), nullable=False),
    sa.Column("unit_label", sa.String(12), nullable=True),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
    sa.Column("updated", UTCDateTime(), nullable=False),
)

prices = sa.Table(
    "billing_prices",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("product_id", ID, sa.ForeignKey("billing_products.id"), nullable=False, index=True),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("unit_amount", MoneyAmount, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("recurring_interval", sa.String(8), nullable=True),
    sa.Column("recurring_interval_count", sa.Integer, nullable=True),
    sa.Column("tax_behavior", sa.String(16), nullable=False),
    sa.Column("tax_category", sa.String(16), nullable=True),
    sa.Column("nickname", sa.String(250), nullable=True),
    sa.Column("lookup_key", sa.String(200), nullable=True, unique=True),
    sa.Column("used", sa.Boolean, nullable=False),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
)

test_clocks = sa.Table(
    "billing_test_clocks",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(300), nullable=True),
    sa.Column("frozen_time", UTCDateTime(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("deletes_after", UTCDateTime(), nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
)

subscriptions = sa.Table(
    "billing_subscriptions",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("customer_id", ID, sa.ForeignKey("customers.id"), nullable=False, index=True),
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), nullable=False, index=True),
    sa.Column("status", sa.String(24), nullable=False, index=True),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("collection_method", sa.String(24), nullable=False),
    sa.Column("days_until_due", sa.Integer, nullable=True),
    sa.Column("default_payment_method", ID, nullable=True),
    sa.Column("billing_cycle_anchor", UTCDateTime(), nullable=False),
    sa.Column("current_period_start", UTCDateTime(), nullable=False),
    sa.Column("current_period_end", UTCDateTime(), nullable=False),
    sa.Column("start_date", UTCDateTime(), nullable=False),
    sa.Column("trial_start", UTCDateTime(), nullable=True),
    sa.Column("trial_end", UTCDateTime(), nullable=True),
    sa.Column("cancel_at_period_end", sa.Boolean, nullable=False),
    sa.Column("canceled_at", UTCDateTime(), nullable=True),
    sa.Column("ended_at", UTCDateTime(), nullable=True),
    sa.Column("pause_collection", JSONType, nullable=True),
    sa.Column(
        "test_clock_id", ID, sa.ForeignKey("billing_test_clocks.id"), nullable=True, index=True
    ),
    sa.Column("latest_invoice_id", ID, nullable=True),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("next_action_at", UTCDateTime(), nullable=True, index=True),
    sa.Column("lease_until", UTCDateTime(), nullable=True),
    sa.Column("pending_invoice", JSONType, nullable=True),
    sa.Column("charge_invoice_id", ID, nullable=True),
    sa.Column("pending_prorations", JSONType, nullable=False),
    sa.Column("dunning_invoice_id", ID, nullable=True),
    sa.Column("attempt_count", sa.Integer, nullable=False),
    sa.Column("next_payment_attempt", UTCDateTime(), nullable=True),
    sa.Column("trial_will_end_sent", sa.Boolean, nullable=False),
    sa.Column("upcoming_sent_for", UTCDateTime(), nullable=True),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
)

subscription_items = sa.Table(
    "billing_subscription_items",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column(
        "subscription_id",
        ID,
        sa.ForeignKey("billing_subscriptions.id"),
        nullable=False,
        index=True,
    ),
    sa.Column("price_id", ID, sa.ForeignKey("billing_prices.id"), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("metadata", JSONType, nullable=False),
    created_column(),
)

dunning_settings = sa.Table(
    "billing_dunning_settings",
    metadata,
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), primary_key=True),
    sa.Column("retry_days", JSONType, nullable=False),
    sa.Column("final_action", sa.String(16), nullable=False),
    sa.Column("updated", UTCDateTime(), nullable=False),
)

# The update-your-payment-method links of subscriptions in dunning (the hosted page
# ``/billing/update/{token}``): only the token's SHA-256 is stored, as for pay links
payment_method_links = sa.Table(
    "billing_payment_method_links",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column(
        "subscription_id", ID, sa.ForeignKey("billing_subscriptions.id"), nullable=False, index=True
    ),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("invoice_id", ID, nullable=True),  # the open invoice it was sent for
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("used_at", UTCDateTime(), nullable=True),  # a method was saved through it
    sa.Column("setup_intent_id", ID, nullable=True),  # the latest SetupIntent made through it
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
)
