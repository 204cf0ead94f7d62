"""Request bodies for invoices and credit notes (Stripe's names and verbs)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

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
    description: Description
    quantity: Quantity = "1"
    unit_amount: MinorUnits
    tax_category: TaxCategory = "standard"
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


class InvoiceUpdate(StrictModel):
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
