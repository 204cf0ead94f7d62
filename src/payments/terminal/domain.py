"""Readers, their actions and the rules of driving them (pure).

A reader belongs to one shop and runs one action at a time (Stripe Terminal's reader
``action``: ``process_payment_intent``, ``refund_payment``, ``set_reader_display``),
``in_progress`` until the gateway reports it ``succeeded`` or ``failed``. Refusals use
Stripe's codes, so a point-of-sale written against Stripe reads them unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from payments.kernel.errors import InvalidRequest


class ReaderStatus(StrEnum):
    online = "online"
    offline = "offline"


class ActionType(StrEnum):
    process_payment_intent = "process_payment_intent"
    refund_payment = "refund_payment"
    set_reader_display = "set_reader_display"


class ActionStatus(StrEnum):
    in_progress = "in_progress"
    succeeded = "succeeded"
    failed = "failed"


@dataclass(slots=True, kw_only=True)
class Reader:
    id: str  # tmr_...
    location_id: str
    label: str
    device_type: str
    serial_number: str
    status: ReaderStatus
    gateway: str
    gateway_ref: str
    created: datetime
    gateway_location: str | None = None
    action_id: str | None = None  # the reader's action now (or its last one)
    metadata: dict[str, str] = field(default_factory=dict)
    livemode: bool = False


@dataclass(slots=True, kw_only=True)
class ReaderAction:
    """One action sent to a reader (its request, and what became of it)."""

    id: str  # tmra_...: also the idempotency key of the gateway call
    reader_id: str
    location_id: str
    type: ActionType
    status: ActionStatus
    created: datetime
    payment_intent_id: str | None = None
    charge_id: str | None = None  # the charge made (payment) or refunded (refund)
    refund_id: str | None = None
    amount: int | None = None
    currency: str | None = None
    gateway_ref: str | None = None  # the gateway's PaymentIntent (payment) or charge (refund)
    details: dict[str, Any] = field(default_factory=dict)  # the cart shown, a refund's reason
    failure_code: str | None = None
    failure_message: str | None = None
    completed_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterReader:
    registration_code: str
    label: str | None = None
    location: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessPaymentIntent:
    """A PaymentIntent accepting card_present, or an invoice (its PaymentIntent for a
    card read at the reader is created or reused)."""

    payment_intent: str | None = None
    invoice: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundPayment:
    charge: str | None = None
    payment_intent: str | None = None
    amount: int | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CartLineItem:
    description: str
    amount: int
    quantity: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class SetReaderDisplay:
    """A cart given line by line, or the lines and total of an invoice (``invoice``)."""

    currency: str | None = None
    line_items: tuple[CartLineItem, ...] = ()
    tax: int | None = None
    total: int | None = None
    invoice: str | None = None


def refuse_busy(reader: Reader, current: ReaderAction | None) -> None:
    """A reader runs one action at a time (Stripe: ``terminal_reader_busy``)."""
    if current is not None and current.status == ActionStatus.in_progress:
        raise InvalidRequest(
            f"Reader {reader.id} is currently busy processing another request "
            f"({current.type}). Cancel it with cancel_action or wait for it to finish.",
            code="terminal_reader_busy",
            param="reader",
        )


def refuse_offline(reader: Reader) -> None:
    if reader.status != ReaderStatus.online:
        raise InvalidRequest(
            f"Reader {reader.id} is currently unreachable, please ensure the reader is "
            "powered on and connected to the internet before retrying your request.",
            code="terminal_reader_offline",
            param="reader",
        )


def check_card_present_intent(
    *, intent_id: str, status: str, payment_method_types: list[str]
) -> None:
    """Only a card_present PaymentIntent still waiting for its payment goes to a reader."""
    if "card_present" not in payment_method_types:
        raise InvalidRequest(
            f"PaymentIntent {intent_id} does not accept card_present payments: create it "
            "with payment_method_types[]=card_present to collect it on a reader.",
            code="payment_intent_incompatible_payment_method",
            param="payment_intent",
        )
    if status not in ("requires_payment_method", "requires_confirmation"):
        raise InvalidRequest(
            f"PaymentIntent {intent_id} has a status of {status}; a reader can only process "
            "one whose status is requires_payment_method or requires_confirmation.",
            code="intent_invalid_state",
            param="payment_intent",
        )


def check_same_shop(reader: Reader, location_id: str) -> None:
    if reader.location_id != location_id:
        raise InvalidRequest(
            f"Reader {reader.id} belongs to another shop than the payment "
            f"({reader.location_id}, not {location_id}).",
            code="terminal_reader_invalid_location_for_payment",
            param="reader",
        )


def cart_total(lines: tuple[CartLineItem, ...], tax: int | None) -> int:
    return sum(line.amount for line in lines) + (tax or 0)


def check_cart(cmd: SetReaderDisplay) -> None:
    if not cmd.line_items:
        raise InvalidRequest(
            "A cart needs at least one line item.",
            code="parameter_missing",
            param="cart[line_items]",
        )
    if cmd.currency is None:
        raise InvalidRequest(
            "Missing required param: cart[currency].",
            code="parameter_missing",
            param="cart[currency]",
        )
    expected = cart_total(cmd.line_items, cmd.tax)
    if cmd.total is not None and cmd.total != expected:
        raise InvalidRequest(
            f"cart[total] ({cmd.total}) must be the sum of the line items and tax ({expected}).",
            code="parameter_invalid_integer",
            param="cart[total]",
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class VatLine:
    rate: str  # percent, e.g. "19"
    taxable_amount: int
    amount: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Receipt:
    """What a card-present payment's receipt shows (EMV receipt requirements: the
    merchant, date and time, amount, card brand and last 4 digits, how the card was
    read, the authorization code, the application id and name; the VAT summary when the
    payment pays an invoice)."""

    charge_id: str
    payment_intent_id: str
    merchant_name: str
    merchant_address: tuple[str, ...]
    vat_id: str | None
    shop_name: str
    when: datetime  # the charge's time, in the shop's time zone
    amount: int
    currency: str
    transaction: str  # SALE | AUTHORIZATION
    approved: bool
    brand: str | None
    last4: str | None
    read_method: str | None
    authorization_code: str | None
    application_id: str | None
    application_name: str | None
    account_type: str | None
    verification: str | None
    amount_refunded: int = 0
    invoice_number: str | None = None
    vat_lines: tuple[VatLine, ...] = ()


READ_METHODS = {
    "contact_emv": "Chip",
    "contactless_emv": "Contactless",
    "contactless_magstripe_mode": "Contactless (magstripe)",
    "magnetic_stripe_fallback": "Swiped (fallback)",
    "magnetic_stripe_track2": "Swiped",
}
VERIFICATIONS = {
    "approval": "No verification",
    "failure": "Verification failed",
    "none": "No verification",
    "offline_pin": "PIN verified",
    "offline_pin_and_signature": "PIN and signature",
    "online_pin": "PIN verified online",
    "signature": "Signature",
}


def address_lines(address: dict[str, Any]) -> tuple[str, ...]:
    """An address as printed: street lines, postal code and city, country."""
    city = " ".join(x for x in (address.get("postal_code"), address.get("city")) if x)
    parts = (address.get("line1"), address.get("line2"), city, address.get("country"))
    return tuple(str(p) for p in parts if p)
