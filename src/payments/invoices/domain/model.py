"""The invoicing records: Invoice, its lines, CreditNote, its lines.

Field names equal the storage column names (the repositories map rows without
hand-written copies). Amounts are integer minor units of the document's currency;
quantities and rates are decimal strings (``"1.5"``, ``"19"``), exact and stored as text.

``seller`` and ``customer_*`` are empty on a draft and frozen at finalization: what
was issued stays what was issued, whatever happens to the legal entity or customer
later. Credit notes name their invoice and print its frozen parties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from payments.invoices.domain.status import CreditNoteStatus, InvoiceStatus


@dataclass(slots=True, kw_only=True)
class Invoice:
    id: str
    status: InvoiceStatus
    location_id: str
    legal_entity_id: str
    customer_id: str
    currency: str
    collection_method: str
    created: datetime
    number: str | None = None
    days_until_due: int | None = None
    due_date: date | None = None
    footer: str | None = None
    description: str | None = None
    default_payment_method: str | None = None
    # amounts (Stripe's names); drafts are recalculated at every change
    subtotal: int = 0  # lines after line discounts, as entered (inclusive lines gross)
    subtotal_excluding_tax: int = 0
    tax: int = 0
    total: int = 0
    total_excluding_tax: int = 0
    amount_due: int = 0  # total less pre-payment credit notes
    amount_paid: int = 0
    amount_remaining: int = 0
    pre_payment_credit_notes_amount: int = 0
    post_payment_credit_notes_amount: int = 0
    tax_breakdown: list[dict[str, Any]] = field(default_factory=list)
    tax_notes: list[str] = field(default_factory=list)  # legal note keys
    language: str | None = None
    # frozen at finalization
    seller: dict[str, Any] | None = None
    customer_name: str | None = None
    customer_email: str | None = None
    customer_address: dict[str, Any] | None = None
    customer_tax_ids: list[dict[str, Any]] = field(default_factory=list)
    customer_tax_exempt: str | None = None
    issue_date: date | None = None
    tax_point: date | None = None
    payment_reference: str | None = None  # ISO 11649 RF creditor reference
    # payment
    paid_out_of_band: bool = False
    payment_intent_id: str | None = None
    attempt_count: int = 0
    # status transitions
    finalized_at: datetime | None = None
    paid_at: datetime | None = None
    voided_at: datetime | None = None
    marked_uncollectible_at: datetime | None = None
    sent_at: datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    livemode: bool = False
    # the subscription it bills (billing's renewals and prorations)
    subscription_id: str | None = None
    billing_reason: str | None = None  # subscription_create | subscription_cycle | ...
    period_start: datetime | None = None
    period_end: datetime | None = None
    subscription_period: datetime | None = None  # unique per subscription
    # advance-payment invoices (EN 16931 type 386) and the final invoice deducting one
    invoice_type: str = "invoice"  # invoice | advance
    advance_invoice_id: str | None = None  # the final invoice: the advance it deducts
    applied_to: str | None = None  # the advance: the final invoice that deducts it
    prepaid_amount: int = 0  # the final invoice: the advance's total (BT-113)


@dataclass(slots=True, kw_only=True)
class InvoiceLine:
    id: str
    invoice_id: str
    position: int
    description: str
    quantity: str  # decimal string, > 0 and < 10^6
    unit_amount: int  # per unit, net (exclusive) or gross (inclusive)
    amount: int  # quantity x unit_amount, rounded half up
    discount_amount: int
    tax_category: str
    tax_behavior: str
    kind: str  # goods | services (export and intra-EU rules differ)
    unit: str  # piece | hour
    created: datetime
    sku: str | None = None
    exemption_reason: str | None = None
    # the tax engine's treatment (recalculated on drafts, frozen at finalization)
    category_code: str | None = None
    tax_rate: str | None = None
    net_amount: int = 0  # BT-131
    metadata: dict[str, str] = field(default_factory=dict)
    proration: bool = False  # a subscription's proration: may be a credit (negative)

    @property
    def amount_after_discount(self) -> int:
        return self.amount - self.discount_amount


@dataclass(slots=True, kw_only=True)
class CreditNote:
    id: str
    number: str
    status: CreditNoteStatus
    invoice_id: str
    customer_id: str
    location_id: str
    legal_entity_id: str
    currency: str
    created: datetime
    effective_at: datetime
    issue_date: date
    reason: str | None = None
    memo: str | None = None
    subtotal: int = 0
    subtotal_excluding_tax: int = 0
    tax: int = 0
    total: int = 0
    total_excluding_tax: int = 0
    amount: int = 0  # Stripe: the credit note's total
    pre_payment_amount: int = 0
    post_payment_amount: int = 0
    refund_amount: int = 0
    credit_amount: int = 0
    out_of_band_amount: int = 0
    tax_breakdown: list[dict[str, Any]] = field(default_factory=list)
    tax_notes: list[str] = field(default_factory=list)
    refunds: list[dict[str, Any]] = field(default_factory=list)  # [{refund, amount_refunded}]
    voided_at: datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    livemode: bool = False


@dataclass(slots=True, kw_only=True)
class CreditNoteLine:
    id: str
    credit_note_id: str
    position: int
    type: str  # invoice_line_item | custom_line_item
    description: str
    quantity: str
    unit_amount: int
    amount: int
    discount_amount: int
    tax_category: str
    tax_behavior: str
    kind: str
    unit: str
    created: datetime
    invoice_line_item: str | None = None
    exemption_reason: str | None = None
    category_code: str | None = None
    tax_rate: str | None = None
    net_amount: int = 0

    @property
    def amount_after_discount(self) -> int:
        return self.amount - self.discount_amount
