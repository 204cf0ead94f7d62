"""Invoices, credit notes, their lines, and the gapless number series."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.encrypted import EncryptedJSON, EncryptedString
from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import JSONType, MoneyAmount, UTCDateTime


def _amounts() -> list[sa.Column[int]]:
    return [
        sa.Column(name, MoneyAmount, nullable=False)
        for name in ("subtotal", "subtotal_excluding_tax", "tax", "total", "total_excluding_tax")
    ]


invoices = sa.Table(
    "invoices",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("number", sa.String(40), nullable=True),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), nullable=False, index=True),
    sa.Column("legal_entity_id", ID, sa.ForeignKey("legal_entities.id"), nullable=False),
    sa.Column("customer_id", ID, sa.ForeignKey("customers.id"), nullable=False, index=True),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("collection_method", sa.String(24), nullable=False),
    sa.Column("days_until_due", sa.Integer, nullable=True),
    sa.Column("due_date", sa.Date, nullable=True, index=True),
    sa.Column("footer", sa.String(2000), nullable=True),
    sa.Column("description", sa.String(1000), nullable=True),
    sa.Column("default_payment_method", ID, nullable=True),
    *_amounts(),
    sa.Column("amount_due", MoneyAmount, nullable=False),
    sa.Column("amount_paid", MoneyAmount, nullable=False),
    sa.Column("amount_remaining", MoneyAmount, nullable=False),
    sa.Column("pre_payment_credit_notes_amount", MoneyAmount, nullable=False),
    sa.Column("post_payment_credit_notes_amount", MoneyAmount, nullable=False),
    sa.Column("tax_breakdown", JSONType, nullable=False),
    sa.Column("tax_notes", JSONType, nullable=False),
    sa.Column("language", sa.String(8), nullable=True),
    sa.Column("seller", JSONType, nullable=True),
    sa.Column("customer_name", EncryptedString(), nullable=True),
    sa.Column("customer_email", EncryptedString(), nullable=True),
    sa.Column("customer_address", EncryptedJSON(), nullable=True),
    # the buyer's country in clear (not personal on its own): the VAT report groups by it
    # in SQL, which cannot read the encrypted address; kept by InvoiceRepository
    sa.Column("customer_country", sa.String(8), nullable=True),
    sa.Column("customer_tax_ids", JSONType, nullable=False),
    sa.Column("customer_tax_exempt", sa.String(16), nullable=True),
    sa.Column("issue_date", sa.Date, nullable=True),
    sa.Column("tax_point", sa.Date, nullable=True),
    sa.Column("payment_reference", sa.String(25), nullable=True),
    sa.Column("paid_out_of_band", sa.Boolean, nullable=False),
    sa.Column("payment_intent_id", ID, nullable=True),
    sa.Column("attempt_count", sa.Integer, nullable=False),
    sa.Column("finalized_at", UTCDateTime(), nullable=True),
    sa.Column("paid_at", UTCDateTime(), nullable=True),
    sa.Column("voided_at", UTCDateTime(), nullable=True),
    sa.Column("marked_uncollectible_at", UTCDateTime(), nullable=True),
    sa.Column("sent_at", UTCDateTime(), nullable=True),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
    # the subscription an invoice bills (Stripe's subscription, billing_reason, period)
    sa.Column("subscription_id", ID, nullable=True, index=True),
    sa.Column("billing_reason", sa.String(32), nullable=True),
    sa.Column("period_start", UTCDateTime(), nullable=True),
    sa.Column("period_end", UTCDateTime(), nullable=True),
    # the period a subscription_create / subscription_cycle invoice bills: one invoice per
    # (subscription, period), whatever retries, workers or crashes happen
    sa.Column("subscription_period", UTCDateTime(), nullable=True),
    # advance-payment invoices: ``advance`` (EN 16931 type 386) or a plain ``invoice``;
    # a final invoice names the paid advance it deducts (unique: an advance is deducted
    # once) and its gross as prepaid_amount (BT-113); the advance names its final invoice
    sa.Column("invoice_type", sa.String(16), nullable=False, server_default="invoice"),
    sa.Column("advance_invoice_id", ID, nullable=True, unique=True),
    sa.Column("applied_to", ID, nullable=True),
    sa.Column("prepaid_amount", MoneyAmount, nullable=False, server_default="0"),
    # numbers are unique per seller (each legal entity numbers its own series)
    sa.UniqueConstraint("legal_entity_id", "number"),
    sa.UniqueConstraint("subscription_id", "subscription_period"),
)

invoice_lines = sa.Table(
    "invoice_lines",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("invoice_id", ID, sa.ForeignKey("invoices.id"), nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("description", sa.String(500), nullable=False),
    sa.Column("quantity", sa.String(20), nullable=False),
    sa.Column("unit_amount", MoneyAmount, nullable=False),
    sa.Column("amount", MoneyAmount, nullable=False),
    sa.Column("discount_amount", MoneyAmount, nullable=False),
    sa.Column("tax_category", sa.String(16), nullable=False),
    sa.Column("tax_behavior", sa.String(16), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("unit", sa.String(16), nullable=False),
    sa.Column("sku", sa.String(64), nullable=True),
    sa.Column("exemption_reason", sa.String(500), nullable=True),
    sa.Column("category_code", sa.String(4), nullable=True),
    sa.Column("tax_rate", sa.String(12), nullable=True),
    sa.Column("net_amount", MoneyAmount, nullable=False),
    sa.Column("metadata", JSONType, nullable=False),
    created_column(),
    sa.Column("proration", sa.Boolean, nullable=False, server_default=sa.false()),
)

credit_notes = sa.Table(
    "credit_notes",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("number", sa.String(40), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("invoice_id", ID, sa.ForeignKey("invoices.id"), nullable=False, index=True),
    sa.Column("customer_id", ID, sa.ForeignKey("customers.id"), nullable=False, index=True),
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), nullable=False, index=True),
    sa.Column("legal_entity_id", ID, sa.ForeignKey("legal_entities.id"), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("reason", sa.String(32), nullable=True),
    sa.Column("memo", sa.String(1000), nullable=True),
    *_amounts(),
    sa.Column("amount", MoneyAmount, nullable=False),
    sa.Column("pre_payment_amount", MoneyAmount, nullable=False),
    sa.Column("post_payment_amount", MoneyAmount, nullable=False),
    sa.Column("refund_amount", MoneyAmount, nullable=False),
    sa.Column("credit_amount", MoneyAmount, nullable=False),
    sa.Column("out_of_band_amount", MoneyAmount, nullable=False),
    sa.Column("tax_breakdown", JSONType, nullable=False),
    sa.Column("tax_notes", JSONType, nullable=False),
    sa.Column("refunds", JSONType, nullable=False),
    sa.Column("effective_at", UTCDateTime(), nullable=False),
    sa.Column("issue_date", sa.Date, nullable=False),
    sa.Column("voided_at", UTCDateTime(), nullable=True),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
    sa.UniqueConstraint("legal_entity_id", "number"),
)

credit_note_lines = sa.Table(
    "credit_note_lines",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("credit_note_id", ID, sa.ForeignKey("credit_notes.id"), nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("type", sa.String(24), nullable=False),
    sa.Column("invoice_line_item", ID, nullable=True, index=True),
    sa.Column("description", sa.String(500), nullable=False),
    sa.Column("quantity", sa.String(20), nullable=False),
    sa.Column("unit_amount", MoneyAmount, nullable=False),
    sa.Column("amount", MoneyAmount, nullable=False),
    sa.Column("discount_amount", MoneyAmount, nullable=False),
    sa.Column("tax_category", sa.String(16), nullable=False),
    sa.Column("tax_behavior", sa.String(16), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("unit", sa.String(16), nullable=False),
    sa.Column("exemption_reason", sa.String(500), nullable=True),
    sa.Column("category_code", sa.String(4), nullable=True),
    sa.Column("tax_rate", sa.String(12), nullable=True),
    sa.Column("net_amount", MoneyAmount, nullable=False),
    created_column(),
)

# One counter per series: (legal entity, document kind, year). The finalization that
# takes a number increments it in its own transaction, holding the row lock until it
# commits, so numbers are consecutive and none is lost or reused (a rollback undoes it).
number_series = sa.Table(
    "number_series",
    metadata,
    sa.Column("legal_entity_id", ID, sa.ForeignKey("legal_entities.id"), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("year", sa.SmallInteger, primary_key=True),
    sa.Column("last_value", sa.BigInteger, nullable=False),
)

# Every payment applied to an invoice (Stripe's invoice_payment): a PaymentIntent that
# succeeded with ``invoice`` set, or money that arrived outside the gateway.
invoice_payments = sa.Table(
    "invoice_payments",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("invoice_id", ID, sa.ForeignKey("invoices.id"), nullable=False, index=True),
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), nullable=False),
    sa.Column("customer_id", ID, sa.ForeignKey("customers.id"), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("payment_type", sa.String(24), nullable=False),
    sa.Column("amount_requested", MoneyAmount, nullable=False),
    sa.Column("amount_paid", MoneyAmount, nullable=False),
    sa.Column("amount_credited", MoneyAmount, nullable=False),
    # one invoice payment per PaymentIntent (its success is applied once)
    sa.Column("payment_intent_id", ID, nullable=True, unique=True),
    sa.Column("method", sa.String(24), nullable=True),
    sa.Column("note", sa.String(1000), nullable=True),
    sa.Column("reference", sa.String(140), nullable=True),
    sa.Column("recorded_by", ID, nullable=True),
    sa.Column("share_id", ID, nullable=True),  # the payment plan share it names
    sa.Column("paid_at", UTCDateTime(), nullable=True),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
)

# A payment plan: the shares of what an invoice owes, each with its payer and due date.
invoice_shares = sa.Table(
    "invoice_shares",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("invoice_id", ID, sa.ForeignKey("invoices.id"), nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("customer_id", ID, sa.ForeignKey("customers.id"), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("amount", MoneyAmount, nullable=False),
    sa.Column("amount_paid", MoneyAmount, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("percent", sa.String(12), nullable=True),
    sa.Column("due_date", sa.Date, nullable=True),
    sa.Column("payment_method_hint", sa.String(24), nullable=True),
    sa.Column("paid_at", UTCDateTime(), nullable=True),
    created_column(),
    sa.UniqueConstraint("invoice_id", "position"),
)

# Installments: an invoice charged in scheduled parts; the worker claims due ones with a
# lease (locked_until) and records each one's PaymentIntent before confirming it.
invoice_installments = sa.Table(
    "invoice_installments",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("invoice_id", ID, sa.ForeignKey("invoices.id"), nullable=False, index=True),
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("amount", MoneyAmount, nullable=False),
    sa.Column("charge_at", UTCDateTime(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("payment_method_id", ID, nullable=False),
    sa.Column("next_attempt_at", UTCDateTime(), nullable=True, index=True),
    sa.Column("attempt_count", sa.Integer, nullable=False),
    sa.Column("payment_intent_id", ID, nullable=True, unique=True),
    sa.Column("locked_until", UTCDateTime(), nullable=True),
    sa.Column("last_error", sa.String(500), nullable=True),
    sa.Column("paid_at", UTCDateTime(), nullable=True),
    created_column(),
    sa.UniqueConstraint("invoice_id", "position"),
)
