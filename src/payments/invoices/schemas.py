"""Request bodies and response shapes of invoices and credit notes (Stripe's names and
verbs). The request models read JSON and Stripe's form encoding alike
(``lines[0][quantity]=1.5``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field

from payments.customers.schemas import CustomerOut, DeletedCustomerOut
from payments.intents.schemas import PaymentIntentOut, PaymentMethodOut
from payments.platform.http.schemas import Metadata, StrictModel

Id = Annotated[str, Field(min_length=3, max_length=64)]
MinorUnits = Annotated[int, Field(strict=True, ge=0, le=99_999_999_999)]


def _whole_number_as_text(value: object) -> object:
    """A JSON integer quantity is taken as its decimal text; a float is refused (money and
    quantities never travel as binary floating point)."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Quantity = Annotated[
    str,
    BeforeValidator(_whole_number_as_text),
    Field(
        min_length=1,
        max_length=20,
        description='A decimal string, more than 0 and less than 1000000 ("1.5" hours).',
    ),
]
TaxCategory = Literal[
    "standard", "reduced", "reduced_2", "reduced_3", "super_reduced", "zero", "exempt"
]
TaxBehavior = Literal["exclusive", "inclusive"]
Kind = Literal["goods", "services"]
Unit = Literal["piece", "hour"]
Description = Annotated[str, Field(min_length=1, max_length=500)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]


class LineIn(StrictModel):
    """A line. Give ``description`` and ``unit_amount``, or a ``sku`` alone: the part
    catalogue (ours, or the Inventory Service) then fills in its description, net unit
    price and tax category, once (the line keeps them)."""

    description: Description | None = None
    quantity: Quantity = "1"
    unit_amount: MinorUnits | None = None
    tax_category: TaxCategory | None = Field(
        None, description="Default: the part's category for a sku line, else standard."
    )
    tax_behavior: TaxBehavior = "exclusive"
    kind: Kind | None = Field(
        None, description="goods or services; default: goods with a sku, services without."
    )
    unit: Unit | None = None
    sku: Annotated[str | None, Field(max_length=64)] = None
    discount_amount: MinorUnits = 0
    exemption_reason: Reason | None = Field(
        None, description="Required for tax_category=exempt: why the line is exempt."
    )
    metadata: Metadata = {}


class InvoiceCreate(StrictModel):
    customer: Id
    location: Id | None = Field(None, description="The shop (default: the key's shop).")
    currency: Annotated[str | None, Field(min_length=3, max_length=3)] = Field(
        None, description="Default: the shop's currency."
    )
    collection_method: Literal["charge_automatically", "send_invoice"] = "charge_automatically"
    days_until_due: Annotated[int | None, Field(strict=True, ge=0, le=730)] = None
    footer: Annotated[str | None, Field(max_length=2000)] = None
    description: Annotated[str | None, Field(max_length=1000)] = None
    default_payment_method: Id | None = None
    metadata: Metadata = {}
    lines: Annotated[list[LineIn], Field(max_length=250)] = []
    invoice_type: Literal["invoice", "advance"] = Field(
        "invoice",
        description="advance: an advance-payment invoice (a deposit; EN 16931 type 386). "
        "Its VAT is due when it is paid; a final invoice deducts it (apply_advance).",
    )


class InvoiceUpdate(StrictModel):
    """Only the fields sent change; ``footer``, ``description``, ``default_payment_method``,
    ``days_until_due`` and ``metadata`` sent as null (``""`` in a form) are cleared."""

    currency: Annotated[str | None, Field(min_length=3, max_length=3)] = None
    collection_method: Literal["charge_automatically", "send_invoice"] | None = None
    days_until_due: Annotated[int | None, Field(strict=True, ge=0, le=730)] = None
    footer: Annotated[str | None, Field(max_length=2000)] = None
    description: Annotated[str | None, Field(max_length=1000)] = None
    default_payment_method: Annotated[str | None, Field(max_length=64)] = None
    metadata: Metadata | None = None


class AddLinesIn(StrictModel):
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=250)]


class LineRef(StrictModel):
    id: Id
    behavior: Literal["delete"] = "delete"


class RemoveLinesIn(StrictModel):
    lines: Annotated[list[LineRef], Field(min_length=1, max_length=250)]


class LineUpdateIn(StrictModel):
    """The line ``id`` and the fields to change; ``sku``, ``exemption_reason`` and
    ``metadata`` sent as null are cleared."""

    id: Id
    description: Description | None = None
    quantity: Quantity | None = None
    unit_amount: MinorUnits | None = None
    tax_category: TaxCategory | None = None
    tax_behavior: TaxBehavior | None = None
    kind: Kind | None = None
    unit: Unit | None = None
    sku: Annotated[str | None, Field(max_length=64)] = None
    discount_amount: MinorUnits | None = None
    exemption_reason: Reason | None = None
    metadata: Metadata | None = None


class UpdateLinesIn(StrictModel):
    lines: Annotated[list[LineUpdateIn], Field(min_length=1, max_length=250)]


class PayIn(StrictModel):
    payment_method: Annotated[str | None, Field(max_length=100)] = Field(
        None,
        description="Ours (pm_...) or a gateway test id (pm_card_visa); default: the "
        "invoice's default_payment_method, else the customer's newest saved method.",
    )
    paid_out_of_band: bool = False
    amount: Annotated[int | None, Field(strict=True, gt=0, le=99_999_999_999)] = Field(
        None,
        description="With paid_out_of_band: the amount received (default: what remains). "
        "More than remains goes to the customer's credit balance.",
    )
    method: Literal["cash", "card_terminal", "bank_transfer", "other"] | None = Field(
        None, description="With paid_out_of_band: how the money arrived (default: other)."
    )
    note: Annotated[str | None, Field(max_length=1000)] = Field(
        None, description="With paid_out_of_band: the clerk's note."
    )
    reference: Annotated[str | None, Field(max_length=140)] = Field(
        None, description="With paid_out_of_band: a receipt or transfer reference."
    )
    share: Id | None = Field(
        None,
        description="A share of the invoice's payment plan this payment pays (default "
        "amount: what the share owes; more is refused).",
    )


PaymentMethodHint = Literal[
    "card",
    "sepa_debit",
    "bank_transfer",
    "cash",
    "card_terminal",
    "ideal",
    "bancontact",
    "eps",
    "p24",
    "blik",
    "twint",
    "swish",
    "klarna",
    "other",
]


class ShareIn(StrictModel):
    customer: Id | None = Field(None, description="The payer (default: the invoice's customer).")
    amount: Annotated[int | None, Field(strict=True, gt=0, le=99_999_999_999)] = None
    percent: Annotated[str | None, Field(min_length=1, max_length=12)] = Field(
        None, description='Instead of amount: a percentage of what the invoice owes ("80").'
    )
    due_date: Annotated[int | None, Field(strict=True, ge=0, le=2**33)] = Field(
        None, description="Unix time of the due day (default: the invoice's due date)."
    )
    payment_method_hint: PaymentMethodHint | None = Field(
        None, description="How this payer is expected to pay."
    )


class InstallmentIn(StrictModel):
    amount: Annotated[int, Field(strict=True, gt=0, le=99_999_999_999)]
    date: Annotated[int, Field(strict=True, ge=0, le=2**33)] = Field(
        description="Unix time at which the worker charges it."
    )


class InstallmentPlanIn(StrictModel):
    """``count`` equal installments (the remainder cent on the last), monthly from
    ``first_charge_at``; or the ``installments`` given, adding up to what is owed."""

    payment_method: Id = Field(
        description="A card or SEPA debit saved for the invoice's customer (pm_...)."
    )
    count: Annotated[int | None, Field(strict=True, ge=2, le=24)] = None
    first_charge_at: Annotated[int | None, Field(strict=True, ge=0, le=2**33)] = Field(
        None, description="Unix time of the first charge (default: now)."
    )
    interval_months: Annotated[int, Field(strict=True, ge=1, le=12)] = 1
    installments: Annotated[list[InstallmentIn], Field(max_length=24)] = []


class PaymentPlanIn(StrictModel):
    shares: Annotated[list[ShareIn], Field(min_length=2, max_length=10)]


class AttachPaymentIn(StrictModel):
    payment_intent: Id = Field(
        description="A PaymentIntent of the invoice's shop and currency, e.g. a deposit "
        "authorized at drop-off (capture it at the final amount) or already paid."
    )


class ApplyAdvanceIn(StrictModel):
    advance_invoice: Id = Field(
        description="A paid advance-payment invoice (invoice_type=advance) of the same "
        "customer, currency and seller, not deducted elsewhere and not larger than this "
        "invoice; deducted when this draft is finalized."
    )


class CreditLineIn(StrictModel):
    type: Literal["invoice_line_item", "custom_line_item"]
    invoice_line_item: Id | None = None
    quantity: Quantity | None = None
    description: Description | None = None
    unit_amount: MinorUnits | None = None
    tax_category: TaxCategory | None = None
    kind: Kind | None = None
    exemption_reason: Reason | None = None


class CreditNoteCreate(StrictModel):
    invoice: Id
    lines: Annotated[list[CreditLineIn], Field(max_length=250)] = []
    amount: Annotated[int | None, Field(strict=True, gt=0, le=99_999_999_999)] = Field(
        None, description="Instead of lines: a gross amount spread over the invoice's VAT groups."
    )
    reason: (
        Literal[
            "duplicate",
            "fraudulent",
            "order_change",
            "product_unsatisfactory",
            "warranty",
            "repair_cancelled",
        ]
        | None
    ) = None
    memo: Annotated[str | None, Field(max_length=1000)] = None
    refund_amount: MinorUnits = 0
    credit_amount: MinorUnits = 0
    out_of_band_amount: MinorUnits = 0
    metadata: Metadata = {}


# ------------------------------------------------------------------ responses


class TaxBreakdownOut(BaseModel):
    """One VAT group of the document (EN 16931 BG-23)."""

    category: str = Field(description="EN 16931 VAT category code (S, AE, K, G, E, Z, O).")
    rate: str = Field(description="Percent, as a decimal string.", examples=["19"])
    country: str = Field(description="The seller's country (whose VAT it is).")
    taxable_amount: int
    amount: int = Field(description="The VAT of the group, rounded once.")
    exemption_reason: str | None
    exemption_reason_code: str | None


class InvoiceLineOut(BaseModel):
    id: str = Field(examples=["il_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["line_item"] = "line_item"
    invoice: str
    description: str
    quantity: str = Field(description="A decimal string.", examples=["1.5"])
    unit: Unit
    unit_amount: int
    amount: int = Field(description="quantity x unit_amount, rounded half up.")
    discount_amount: int
    amount_excluding_tax: int
    tax_category: TaxCategory
    tax_behavior: TaxBehavior
    kind: Kind
    sku: str | None
    exemption_reason: str | None
    tax_rate: str | None
    vat_category_code: str | None
    metadata: dict[str, str]
    proration: bool = Field(
        description="A subscription's proration (a credit for unused time is negative)."
    )


class InvoiceLineList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    total_count: int
    data: list[InvoiceLineOut]


class StatusTransitionsOut(BaseModel):
    finalized_at: int | None
    paid_at: int | None
    voided_at: int | None
    marked_uncollectible_at: int | None


class InvoiceOut(BaseModel):
    """A bill for a repair: a draft until finalized, then numbered and never changed."""

    id: str = Field(examples=["in_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["invoice"] = "invoice"
    number: str | None = Field(examples=["DE1-2026-000001"])
    status: Literal["draft", "open", "paid", "void", "uncollectible"]
    customer: str | CustomerOut | DeletedCustomerOut
    location: str = Field(description="The shop that invoices.")
    legal_entity: str = Field(description="The seller (legal entity) of the shop.")
    currency: str
    collection_method: Literal["charge_automatically", "send_invoice"]
    days_until_due: int | None
    due_date: int | None
    description: str | None
    footer: str | None
    default_payment_method: str | PaymentMethodOut | None
    lines: InvoiceLineList
    subtotal: int
    subtotal_excluding_tax: int
    tax: int
    total: int
    total_excluding_tax: int
    amount_due: int
    amount_paid: int
    amount_remaining: int
    pre_payment_credit_notes_amount: int
    post_payment_credit_notes_amount: int
    invoice_type: Literal["invoice", "advance"] = Field(
        description="advance: an advance-payment invoice (a deposit, EN 16931 type 386)."
    )
    advance_invoice: str | None = Field(
        description="The paid advance-payment invoice this invoice deducts (BT-25)."
    )
    prepaid_amount: int = Field(
        description="The deducted advance's total (BT-113): amount_remaining is less by it."
    )
    applied_to: str | None = Field(
        description="An advance-payment invoice: the final invoice that deducts it."
    )
    tax_breakdown: list[TaxBreakdownOut]
    tax_notes: list[str]
    language: str | None
    seller: dict[str, Any] | None = Field(description="The seller as it was at issue.")
    customer_name: str | None
    customer_email: str | None
    customer_address: dict[str, Any] | None
    customer_tax_ids: list[dict[str, Any]]
    customer_tax_exempt: str | None
    issue_date: str | None = Field(description="ISO date, the shop's calendar day.")
    tax_point: str | None
    payment_reference: str | None = Field(description="ISO 11649 RF creditor reference.")
    paid: bool
    paid_out_of_band: bool
    payment_intent: str | PaymentIntentOut | None
    attempt_count: int
    attempted: bool
    effective_at: int | None
    status_transitions: StatusTransitionsOut
    sent_at: int | None
    invoice_pdf: str | None
    metadata: dict[str, str]
    created: int
    livemode: bool
    subscription: str | None = Field(description="The subscription it bills, if any.")
    billing_reason: Literal[
        "manual",
        "subscription_create",
        "subscription_cycle",
        "subscription_update",
        "subscription_cancel",
    ]
    period_start: int
    period_end: int


class InvoiceList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[InvoiceOut]


class CreditNoteLineOut(BaseModel):
    id: str
    object: Literal["credit_note_line_item"] = "credit_note_line_item"
    type: Literal["invoice_line_item", "custom_line_item"]
    invoice_line_item: str | None
    description: str
    quantity: str
    unit: Unit
    unit_amount: int
    amount: int
    discount_amount: int
    amount_excluding_tax: int
    tax_category: TaxCategory
    tax_behavior: TaxBehavior
    tax_rate: str | None
    vat_category_code: str | None


class CreditNoteLineList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    total_count: int
    data: list[CreditNoteLineOut]


class CreditNoteRefundOut(BaseModel):
    refund: str
    amount_refunded: int


class CreditNoteOut(BaseModel):
    """A correction of a finalized invoice, with its own number and documents."""

    id: str = Field(examples=["cn_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["credit_note"] = "credit_note"
    number: str = Field(examples=["DE1-CN-2026-000001"])
    status: Literal["issued", "void"]
    invoice: str | InvoiceOut
    customer: str | CustomerOut | DeletedCustomerOut
    location: str
    legal_entity: str
    currency: str
    reason: str | None
    memo: str | None
    type: Literal["pre_payment", "post_payment"]
    amount: int
    subtotal: int
    subtotal_excluding_tax: int
    tax: int
    total: int
    total_excluding_tax: int
    pre_payment_amount: int
    post_payment_amount: int
    refund_amount: int
    credit_amount: int
    out_of_band_amount: int
    tax_breakdown: list[TaxBreakdownOut]
    tax_notes: list[str]
    refunds: list[CreditNoteRefundOut]
    lines: CreditNoteLineList
    issue_date: str | None
    effective_at: int
    voided_at: int | None
    pdf: str
    metadata: dict[str, str]
    created: int
    livemode: bool


class CreditNoteList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[CreditNoteOut]


class InvoicePaymentDetailsOut(BaseModel):
    type: Literal["payment_intent", "out_of_band"]
    payment_intent: str | None = None
    method: Literal["cash", "card_terminal", "bank_transfer", "other"] | None = None
    note: str | None = None
    reference: str | None = None


class InvoicePaymentTransitionsOut(BaseModel):
    paid_at: int | None
    canceled_at: int | None


class InvoicePaymentOut(BaseModel):
    """One payment applied to an invoice (Stripe's invoice payment)."""

    id: str = Field(examples=["inpay_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["invoice_payment"] = "invoice_payment"
    invoice: str
    amount_requested: int = Field(description="What the payer handed over.")
    amount_paid: int | None = Field(description="The part applied to the invoice.")
    amount_credited: int = Field(
        description="The part beyond what the invoice owed: the customer's credit balance."
    )
    currency: str
    status: Literal["open", "paid", "canceled"]
    is_default: bool
    payment: InvoicePaymentDetailsOut
    status_transitions: InvoicePaymentTransitionsOut
    created: int
    livemode: bool


class InvoicePaymentList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[InvoicePaymentOut]


class InvoiceShareOut(BaseModel):
    id: str = Field(examples=["ishr_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["invoice_share"] = "invoice_share"
    invoice: str
    customer: str
    currency: str
    amount: int
    amount_paid: int
    amount_remaining: int
    percent: str | None
    due_date: int | None
    payment_method_hint: str | None
    status: Literal["open", "paid"]
    paid_at: int | None
    created: int


class PaymentPlanOut(BaseModel):
    """What an invoice owed when the plan was made, split between payers."""

    object: Literal["invoice_payment_plan"] = "invoice_payment_plan"
    invoice: str
    currency: str
    amount: int
    amount_remaining: int
    shares: list[InvoiceShareOut]


class InstallmentOut(BaseModel):
    id: str = Field(examples=["inst_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["invoice_installment"] = "invoice_installment"
    invoice: str
    position: int
    amount: int
    currency: str
    charge_at: int
    status: Literal["scheduled", "processing", "succeeded", "failed", "canceled"]
    payment_method: str
    payment_intent: str | None
    attempt_count: int
    next_attempt_at: int | None
    last_error: str | None
    paid_at: int | None
    created: int


class InstallmentPlanOut(BaseModel):
    object: Literal["invoice_installment_plan"] = "invoice_installment_plan"
    invoice: str
    currency: str
    amount: int
    installments: list[InstallmentOut]
