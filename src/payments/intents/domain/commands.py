"""What a caller asks of payments: one frozen command per use case, and the list queries.

The API builds them from its request models (pydantic stays there); tests, jobs and the
CLI build them directly. Field names are Stripe's request parameters. In a partial
update, a field left :data:`~payments.kernel.unset.UNSET` is not changed and ``None``
clears it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from payments.intents.domain.payment_intent import CancellationReason, CaptureMethod
from payments.kernel.pagination import Created
from payments.kernel.unset import UNSET, Unset

SetupFutureUsage = Literal["on_session", "off_session"]
PaymentMethodType = Literal[
    "card",
    "sepa_debit",
    "customer_balance",
    "ideal",
    "bancontact",
    "eps",
    "p24",
    "blik",
    "twint",
    "swish",
    "klarna",
]
# what an intent may accept: the methods above, and a card read at a shop's reader
AcceptedMethodType = PaymentMethodType | Literal["card_present"]
WalletType = Literal["apple_pay", "google_pay"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentMethodOptions:
    """Per-confirm options of the payment method (Stripe's ``payment_method_options``)."""

    blik_code: str | None = field(default=None, repr=False)  # [blik][code]: 6 digits


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatePaymentIntent:
    amount: int  # minor units
    currency: str | None = None  # default: the shop's currency
    location: str | None = None  # default: the shop of a location-restricted key
    customer: str | None = None
    payment_method: str | None = None  # one of ours (pm_...) or a gateway test id
    # a new payment method, created with the intent (Stripe's ``payment_method_data``)
    payment_method_data: CreatePaymentMethod | None = None
    payment_method_options: PaymentMethodOptions = field(default_factory=PaymentMethodOptions)
    payment_method_types: tuple[AcceptedMethodType, ...] = ()  # (): what the shop offers
    capture_method: CaptureMethod = CaptureMethod.AUTOMATIC
    setup_future_usage: SetupFutureUsage | None = None
    return_url: str | None = None
    description: str | None = None
    receipt_email: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    off_session: bool | None = None  # for the confirm of a create with confirm=true
    invoice: str | None = None  # an open invoice it pays (part of)
    radar_session: str | None = None  # radar_options[session]: the device / browser session


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdatePaymentIntent:
    amount: int | Unset = UNSET
    currency: str | Unset = UNSET
    capture_method: CaptureMethod | Unset = UNSET
    payment_method: str | None = None  # attach (None: leave the method as it is)
    setup_future_usage: SetupFutureUsage | Unset | None = UNSET
    return_url: str | Unset | None = UNSET
    description: str | Unset | None = UNSET
    receipt_email: str | Unset | None = UNSET
    metadata: Mapping[str, str] | Unset | None = UNSET  # merged ("" removes a key); None clears

    @property
    def changes_money(self) -> bool:
        """Whether it changes amount, currency or capture method (an ``update`` in the
        transition table; the other fields do not touch the status)."""
        return not (
            isinstance(self.amount, Unset)
            and isinstance(self.currency, Unset)
            and isinstance(self.capture_method, Unset)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmPaymentIntent:
    payment_method: str | None = None  # attach this one first
    payment_method_data: CreatePaymentMethod | None = None  # or create one and attach it
    payment_method_options: PaymentMethodOptions = field(default_factory=PaymentMethodOptions)
    off_session: bool | None = None
    setup_future_usage: SetupFutureUsage | None = None
    return_url: str | None = None
    radar_session: str | None = None  # radar_options[session]: the device / browser session


@dataclass(frozen=True, slots=True, kw_only=True)
class CapturePaymentIntent:
    amount_to_capture: int | None = None  # None: everything capturable


@dataclass(frozen=True, slots=True, kw_only=True)
class IncrementAuthorization:
    amount: int  # the new total to hold, above the amount held now


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelPaymentIntent:
    cancellation_reason: CancellationReason | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CardParams:
    """Raw card details (test numbers only; never stored), or a gateway test ``token``."""

    number: str | None = field(default=None, repr=False)
    exp_month: int | None = None
    exp_year: int | None = None
    cvc: str | None = field(default=None, repr=False)
    token: str | None = None  # e.g. pm_card_visa
    wallet: WalletType | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatePaymentMethod:
    type: PaymentMethodType
    card: CardParams | None = None
    sepa_debit_iban: str | None = field(default=None, repr=False)
    customer_balance_country: str = "DE"
    bank: str | None = None  # ideal[bank], eps[bank], p24[bank]: the customer's bank
    billing_details: Mapping[str, Any] = field(default_factory=dict)  # stored as given
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListPaymentIntents:
    """Filters given as the client sent them: None or "" is no filter, and a value no
    intent has (an unknown status) matches nothing."""

    customer: str | None = None
    status: str | None = None
    created: Created = field(default_factory=Created)
    location: str | None = None  # a shop; a location-restricted key may only name its own
    amount: int | None = None  # minor units, exactly (the dashboard's search)
    currency: str | None = None
    # the last 4 digits of the card of one of its charges (card or card_present); the
    # dashboard's search only: Stripe's list has no such filter, so the API never sets it
    card_last4: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ListCharges:
    payment_intent: str | None = None
    customer: str | None = None
    status: str | None = None
    created: Created = field(default_factory=Created)
    location: str | None = None
