"""Request bodies and response models of readers (Stripe Terminal's names)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from payments.platform.http.schemas import Metadata, StrictModel

Id = Annotated[str, Field(min_length=3, max_length=64)]
Amount = Annotated[int, Field(strict=True, gt=0, le=999_999_999_999)]


class ReaderCreate(StrictModel):
    registration_code: Annotated[str, Field(min_length=1, max_length=128)] = Field(
        description="The code the reader shows (`simulated-wpe` registers a simulated one)."
    )
    label: Annotated[str | None, Field(min_length=1, max_length=255)] = None
    location: Id | None = Field(
        None, description="The shop the reader stands in (default: the key's shop)."
    )
    metadata: Metadata = {}


class ProcessPaymentIntentIn(StrictModel):
    payment_intent: Id | None = Field(None, description="A PaymentIntent accepting card_present.")
    invoice: Id | None = Field(
        None, description="Or an open invoice: what it still owes is collected on the reader."
    )


class RefundPaymentIn(StrictModel):
    charge: Id | None = Field(None, description="The card_present charge to refund.")
    payment_intent: Id | None = Field(None, description="Or its PaymentIntent.")
    amount: Amount | None = Field(None, description="Minor units; default: all that is left.")
    reason: Literal["duplicate", "fraudulent", "requested_by_customer"] | None = None


class CartLineIn(StrictModel):
    description: Annotated[str, Field(min_length=1, max_length=255)]
    amount: Annotated[int, Field(strict=True, ge=0, le=999_999_999_999)]
    quantity: Annotated[int, Field(strict=True, gt=0, le=10_000)] = 1


class CartIn(StrictModel):
    currency: Annotated[str, Field(min_length=3, max_length=3)]
    line_items: Annotated[list[CartLineIn], Field(min_length=1, max_length=100)]
    tax: Annotated[int | None, Field(strict=True, ge=0)] = None
    total: Annotated[int | None, Field(strict=True, ge=0)] = None


class SetReaderDisplayIn(StrictModel):
    type: Literal["cart"] = "cart"
    cart: CartIn | None = Field(None, description="The lines and total to show.")
    invoice: Id | None = Field(
        None, description="Or an invoice: its lines, tax and amount remaining are shown."
    )


class ConnectionTokenCreate(StrictModel):
    location: Id | None = Field(None, description="Limit the token to this shop's readers.")


class PresentPaymentMethodIn(StrictModel):
    type: Literal["card_present", "interac_present"] = "card_present"
    card_present: dict[Literal["number"], Annotated[str, Field(max_length=32)]] | None = Field(
        None, description="A published test card number (default 4242424242424242)."
    )
    interac_present: dict[str, Any] | None = None


class ReaderStatusIn(StrictModel):
    status: Literal["online", "offline"]


class ReaderActionOut(BaseModel):
    id: str
    type: str
    status: Literal["in_progress", "succeeded", "failed"]
    failure_code: str | None
    failure_message: str | None
    process_payment_intent: dict[str, Any] | None = None
    refund_payment: dict[str, Any] | None = None
    set_reader_display: dict[str, Any] | None = None


class ReaderOut(BaseModel):
    """A card reader at a shop's counter (Stripe's `terminal.reader`)."""

    id: str = Field(examples=["tmr_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["terminal.reader"] = "terminal.reader"
    action: ReaderActionOut | None
    device_sw_version: str | None
    device_type: str = Field(examples=["simulated_wisepos_e"])
    ip_address: str | None
    label: str
    location: str
    serial_number: str
    status: Literal["online", "offline"]
    metadata: dict[str, str]
    created: int
    livemode: bool


class ReaderList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[ReaderOut]


class ConnectionTokenOut(BaseModel):
    object: Literal["terminal.connection_token"] = "terminal.connection_token"
    secret: str
    location: str | None


class SendReceiptIn(StrictModel):
    email: Annotated[
        str | None, Field(min_length=3, max_length=512, pattern=r"^[^@\s]+@[^@\s]+$")
    ] = Field(None, description="Default: the PaymentIntent's receipt_email.")


class ReceiptSentOut(BaseModel):
    object: Literal["receipt"] = "receipt"
    charge: str
    sent: bool
