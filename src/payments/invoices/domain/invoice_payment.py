"""Payments applied to an invoice: Stripe's ``invoice_payment`` records.

An invoice may be paid in any number of parts: PaymentIntents created with
``invoice: in_...`` and payments made outside the gateway (cash at the counter, a card
terminal, a bank transfer). Each one that arrives is an :class:`InvoicePayment`:

* ``amount_requested``: what the payer handed over (the PaymentIntent's
  ``amount_received``, the cash counted);
* ``amount_paid``: the part applied to the invoice (at most what it still owed);
* ``amount_credited``: the rest, put on the customer's credit balance (never lost).

:func:`allocate` is the one rule that splits a payment between the two.

Statuses (Stripe's): ``paid`` (applied); ``open`` and ``canceled`` are Stripe's too and
kept for payments that are announced before they arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from payments.kernel.errors import InvalidRequest


class InvoicePaymentStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"
    CANCELED = "canceled"


class InvoicePaymentType(StrEnum):
    PAYMENT_INTENT = "payment_intent"
    OUT_OF_BAND = "out_of_band"


class OfflineMethod(StrEnum):
    """How money paid outside the gateway arrived."""

    CASH = "cash"
    CARD_TERMINAL = "card_terminal"
    BANK_TRANSFER = "bank_transfer"
    OTHER = "other"


def offline_method(value: str, *, param: str = "method") -> OfflineMethod:
    """The method named, or a 400 naming ``param``."""
    try:
        return OfflineMethod(value)
    except ValueError:
        allowed = ", ".join(m.value for m in OfflineMethod)
        raise InvalidRequest(
            f"Invalid {param}: {value!r}; one of {allowed}.", param=param
        ) from None


@dataclass(slots=True, kw_only=True)
class InvoicePayment:
    id: str
    invoice_id: str
    location_id: str
    customer_id: str
    currency: str
    status: InvoicePaymentStatus
    payment_type: InvoicePaymentType
    amount_requested: int
    amount_paid: int
    amount_credited: int
    created: datetime
    payment_intent_id: str | None = None
    method: OfflineMethod | None = None
    note: str | None = None
    reference: str | None = None
    recorded_by: str | None = None  # the API key that recorded an out-of-band payment
    paid_at: datetime | None = None
    livemode: bool = False


@dataclass(frozen=True, slots=True)
class Allocation:
    applied: int  # to the invoice
    excess: int  # to the customer's credit balance


def allocate(amount: int, *, remaining: int) -> Allocation:
    """Split ``amount`` between what the invoice still owes and the customer's credit."""
    if amount < 0 or remaining < 0:
        raise ValueError("amounts are not negative")
    applied = min(amount, remaining)
    return Allocation(applied=applied, excess=amount - applied)
