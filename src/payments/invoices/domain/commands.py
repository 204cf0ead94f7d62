"""What a caller asks of invoicing: the commands and list queries of its use cases, in
Stripe's parameter names. Frozen and typed; the API builds them from its request models
and the use cases validate them (400 naming the param). In a partial update (an
invoice's fields, ``update_lines``), a field left :data:`~payments.kernel.unset.UNSET`
is not changed and ``None`` clears it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from payments.invoices.domain.advance import InvoiceType
from payments.invoices.domain.credit_note import CreditNoteReason
from payments.invoices.domain.status import InvoiceStatus
from payments.kernel.pagination import Created
from payments.kernel.unset import UNSET, Unset

CollectionMethod = Literal["charge_automatically", "send_invoice"]
CreditLineType = Literal["invoice_line_item", "custom_line_item"]


@dataclass(frozen=True, slots=True, kw_only=True)
class LineInput:
    """A new line. With a ``sku`` and no ``unit_amount`` (or no ``description``), the
    part catalogue fills them in, and the tax category unless one is given."""

    description: str | None = None
    quantity: str = "1"
    unit_amount: int | None = None
    tax_category: str | None = None  # default: the part's, else standard
    tax_behavior: str = "exclusive"
    kind: str | None = None  # goods | services (default: goods with a sku, else services)
    unit: str | None = None  # piece | hour (default: piece)
    sku: str | None = None
    discount_amount: int = 0
    exemption_reason: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    proration: bool = False  # a subscription's proration (a credit may be negative)


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionBilling:
    """What a subscription's invoice records of it (set by billing, not by the API):
    ``subscription_period`` makes the invoice of a period unique, so a retry finds the
    invoice an earlier run made instead of making a second one."""

    subscription: str
    billing_reason: str
    period_start: datetime
    period_end: datetime
    subscription_period: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateInvoice:
    customer: str
    location: str | None = None  # default: the shop of a location-restricted key
    currency: str | None = None  # default: the shop's currency
    collection_method: CollectionMethod = "charge_automatically"
    days_until_due: int | None = None
    footer: str | None = None
    description: str | None = None
    default_payment_method: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    lines: tuple[LineInput, ...] = ()
    subscription: SubscriptionBilling | None = None
    invoice_type: InvoiceType = "invoice"  # advance: an advance-payment invoice (386)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateInvoice:
    """``footer``, ``description``, ``default_payment_method`` and ``days_until_due`` may
    be cleared (``None``; an empty string clears the texts too); ``metadata`` merges
    (``""`` removes a key) and ``None`` clears it."""

    id: str
    currency: str | Unset = UNSET
    collection_method: CollectionMethod | Unset = UNSET
    days_until_due: int | Unset | None = UNSET
    footer: str | Unset | None = UNSET
    description: str | Unset | None = UNSET
    default_payment_method: str | Unset | None = UNSET
    metadata: Mapping[str, str] | Unset | None = UNSET


@dataclass(frozen=True, slots=True, kw_only=True)
class AddLines:
    id: str
    lines: tuple[LineInput, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveLines:
    id: str
    line_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class LineChange:
    """One line of ``update_lines``: its id and the fields to change (``UNSET``: kept;
    ``sku``, ``exemption_reason`` and ``metadata`` may be cleared with ``None``)."""

    id: str
    description: str | Unset = UNSET
    quantity: str | Unset = UNSET
    unit_amount: int | Unset = UNSET
    tax_category: str | Unset = UNSET
    tax_behavior: str | Unset = UNSET
    kind: str | Unset = UNSET
    unit: str | Unset = UNSET
    sku: str | Unset | None = UNSET
    discount_amount: int | Unset = UNSET
    exemption_reason: str | Unset | None = UNSET
    metadata: Mapping[str, str] | Unset | None = UNSET


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateLines:
    id: str
    lines: tuple[LineChange, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PayInvoice:
    """``amount`` (default: what remains), ``method``, ``note`` and ``reference`` describe
    a payment made outside the gateway (``paid_out_of_band``) only."""

    id: str
    payment_method: str | None = None
    paid_out_of_band: bool = False
    amount: int | None = None
    method: str | None = None
    note: str | None = None
    reference: str | None = None
    share: str | None = None  # a share of the invoice's payment plan (either way of paying)


@dataclass(frozen=True, slots=True, kw_only=True)
class DateRange:
    """A range of calendar days (``due_date[gte]``/``due_date[lte]``); either end open."""

    gte: date | None = None
    lte: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ListInvoices:
    """Filters as the client sent them: None or "" is no filter."""

    customer: str | None = None
    status: InvoiceStatus | None = None
    created: Created = field(default_factory=Created)
    due_date: DateRange = field(default_factory=DateRange)
    subscription: str | None = None
    location: str | None = None  # a shop; a location-restricted key may only name its own


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditLineInput:
    """A credit note line: ``invoice_line_item`` (with a quantity, default all that is
    left of it) or ``custom_line_item`` (description, unit_amount, quantity)."""

    type: CreditLineType
    invoice_line_item: str | None = None
    quantity: str | None = None
    description: str | None = None
    unit_amount: int | None = None
    tax_category: str | None = None
    kind: str | None = None
    exemption_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateCreditNote:
    invoice: str
    lines: tuple[CreditLineInput, ...] = ()
    amount: int | None = None
    reason: CreditNoteReason | None = None
    memo: str | None = None
    refund_amount: int = 0
    credit_amount: int = 0
    out_of_band_amount: int = 0
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListCreditNotes:
    invoice: str | None = None
    customer: str | None = None
    created: Created = field(default_factory=Created)
    location: str | None = None  # a shop; a location-restricted key may only name its own
