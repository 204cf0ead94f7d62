"""What a caller asks of invoicing: the commands and list queries of its use cases, in
Stripe's parameter names. Frozen and typed; the API builds them from its request models
and the use cases validate them (400 naming the param)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class LineInput:
    description: str
    quantity: str
    unit_amount: int
    tax_category: str = "standard"
    tax_behavior: str = "exclusive"
    kind: str | None = None  # goods | services (default: goods with a sku, else services)
    unit: str | None = None  # piece | hour (default: piece)
    sku: str | None = None
    discount_amount: int = 0
    exemption_reason: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateInvoice:
    customer: str
    location: str | None = None
    currency: str | None = None
    collection_method: str = "charge_automatically"
    days_until_due: int | None = None
    footer: str | None = None
    description: str | None = None
    default_payment_method: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    lines: tuple[LineInput, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateInvoice:
    """``None``: unchanged; an empty string clears ``footer``, ``description`` and
    ``default_payment_method``."""

    id: str
    currency: str | None = None
    collection_method: str | None = None
    days_until_due: int | None = None
    footer: str | None = None
    description: str | None = None
    default_payment_method: str | None = None
    metadata: Mapping[str, str] | None = None


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
    """One line of ``update_lines``: its id and the fields to change (``None``: kept)."""

    id: str
    description: str | None = None
    quantity: str | None = None
    unit_amount: int | None = None
    tax_category: str | None = None
    tax_behavior: str | None = None
    kind: str | None = None
    unit: str | None = None
    sku: str | None = None
    discount_amount: int | None = None
    exemption_reason: str | None = None
    metadata: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateLines:
    id: str
    lines: tuple[LineChange, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PayInvoice:
    id: str
    payment_method: str | None = None
    paid_out_of_band: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ListInvoices:
    customer: str | None = None
    location: str | None = None
    status: str | None = None
    created_gte: datetime | None = None
    created_lte: datetime | None = None
    due_date_gte: date | None = None
    due_date_lte: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditLineInput:
    """A credit note line: ``invoice_line_item`` (with a quantity, default all that is
    left of it) or ``custom_line_item`` (description, unit_amount, quantity)."""

    type: str
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
    reason: str | None = None
    memo: str | None = None
    refund_amount: int = 0
    credit_amount: int = 0
    out_of_band_amount: int = 0
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListCreditNotes:
    invoice: str | None = None
    customer: str | None = None
    created_gte: datetime | None = None
    created_lte: datetime | None = None
