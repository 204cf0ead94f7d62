"""Request bodies for payment methods and PaymentIntents (Stripe's names)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from payments.customers.schemas import CustomerOut, DeletedCustomerOut
from payments.platform.http.schemas import AddressIn, Metadata, StrictModel

Id = Annotated[str, Field(min_length=3, max_length=64)]
Amount = Annotated[int, Field(strict=True, gt=0, le=999_999_999_999)]
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
AcceptedMethodType = Literal[PaymentMethodType, "card_present"]
BankCode = Annotated[str, Field(pattern=r"^[a-z0-9_]{2,40}$")]
BlikCode = Annotated[str, Field(pattern=r"^[0-9]{6}$")]


class CardIn(StrictModel):
    number: Annotated[str | None, Field(max_length=23)] = None
    exp_month: Annotated[int | None, Field(ge=1, le=12)] = None
    exp_year: Annotated[int | None, Field(ge=2000, le=2100)] = None
    cvc: Annotated[str | None, Field(pattern=r"^[0-9]{3,4}$")] = None
    token: Annotated[str | None, Field(max_length=100)] = Field(
        None, description="A gateway test PaymentMethod id such as pm_card_visa."
    )
    wallet: Literal["apple_pay", "google_pay"] | None = None


class SepaDebitIn(StrictModel):
    iban: Annotated[str, Field(min_length=5, max_length=42)]


class CustomerBalanceIn(StrictModel):
    country: Annotated[str, Field(min_length=2, max_length=2)] = "DE"


class BankIn(StrictModel):
    """iDEAL, EPS, Przelewy24: the customer's bank (Stripe's bank codes), if chosen here."""

    bank: BankCode | None = None


class NoDetailsIn(StrictModel):
    """Bancontact, TWINT, Swish, Klarna: nothing to say but the type (an empty hash)."""


class BlikIn(StrictModel):
    code: BlikCode | None = Field(
        None,
        description=(
            "In `payment_method_data` only: the 6-digit code from the customer's banking app, "
            "as `payment_method_options[blik][code]` (where Stripe takes it)."
        ),
    )


class BillingDetailsIn(StrictModel):
    name: Annotated[str | None, Field(max_length=200)] = None
    email: Annotated[str | None, Field(max_length=512)] = None
    phone: Annotated[str | None, Field(max_length=32)] = None
    address: AddressIn | None = None


class PaymentMethodCreate(StrictModel):
    type: PaymentMethodType
    card: CardIn | None = None
    sepa_debit: SepaDebitIn | None = None
    customer_balance: CustomerBalanceIn | None = None
    ideal: BankIn | None = None
    eps: BankIn | None = None
    p24: BankIn | None = None
    bancontact: NoDetailsIn | None = None
    blik: BlikIn | None = None
    twint: NoDetailsIn | None = None
    swish: NoDetailsIn | None = None
    klarna: NoDetailsIn | None = None
    billing_details: BillingDetailsIn | None = None
    metadata: Metadata = {}


class BlikOptionsIn(StrictModel):
    code: BlikCode = Field(description="The 6-digit code from the customer's banking app.")


class PaymentMethodOptionsIn(StrictModel):
    """Options of this confirm's payment method (only BLIK's code so far)."""

    blik: BlikOptionsIn | None = None


PAYMENT_METHOD_DATA = (
    "A new payment method to pay with, created with the intent (as `POST /v1/payment_methods` "
    "takes it): e.g. `{type: ideal, ideal: {bank: ing}}` or `{type: blik}`."
)


class RadarOptionsIn(StrictModel):
    """Stripe's ``radar_options``: the Radar session of the customer's device or browser
    (any stable id of it), for the per-device velocity signals of fraud prevention."""

    session: Annotated[str, Field(min_length=1, max_length=200)]


class AttachIn(StrictModel):
    customer: Id


class PaymentIntentCreate(StrictModel):
    amount: Amount
    currency: Annotated[str | None, Field(min_length=3, max_length=3)] = None
    location: Id | None = None
    customer: Id | None = None
    payment_method: Annotated[str | None, Field(max_length=100)] = None
    payment_method_data: PaymentMethodCreate | None = Field(None, description=PAYMENT_METHOD_DATA)
    payment_method_options: PaymentMethodOptionsIn | None = None
    payment_method_types: list[AcceptedMethodType] | None = None
    capture_method: Literal["automatic", "automatic_async", "manual"] = "automatic"
    confirm: bool = False
    off_session: bool | None = None
    setup_future_usage: Literal["on_session", "off_session"] | None = None
    return_url: Annotated[str | None, Field(max_length=2048)] = None
    description: Annotated[str | None, Field(max_length=1000)] = None
    receipt_email: Annotated[str | None, Field(max_length=512)] = None
    metadata: Metadata = {}
    radar_options: RadarOptionsIn | None = None
    invoice: Id | None = Field(
        None,
        description="An open invoice this payment pays (part of): its shop, currency and "
        "customer are the defaults, and the amount is at most what it still owes. Any "
        "number of payments may pay one invoice.",
    )


class PaymentIntentUpdate(StrictModel):
    amount: Amount | None = None
    currency: Annotated[str | None, Field(min_length=3, max_length=3)] = None
    payment_method: Annotated[str | None, Field(max_length=100)] = None
    capture_method: Literal["automatic", "automatic_async", "manual"] | None = None
    setup_future_usage: Literal["on_session", "off_session"] | None = None
    return_url: Annotated[str | None, Field(max_length=2048)] = None
    description: Annotated[str | None, Field(max_length=1000)] = None
    receipt_email: Annotated[str | None, Field(max_length=512)] = None
    metadata: Metadata | None = None


class PaymentIntentConfirm(StrictModel):
    payment_method: Annotated[str | None, Field(max_length=100)] = None
    payment_method_data: PaymentMethodCreate | None = Field(None, description=PAYMENT_METHOD_DATA)
    payment_method_options: PaymentMethodOptionsIn | None = None
    off_session: bool | None = None
    setup_future_usage: Literal["on_session", "off_session"] | None = None
    return_url: Annotated[str | None, Field(max_length=2048)] = None
    radar_options: RadarOptionsIn | None = None


class PaymentIntentCapture(StrictModel):
    amount_to_capture: Annotated[int | None, Field(strict=True)] = None


class PaymentIntentIncrementAuthorization(StrictModel):
    amount: Amount = Field(
        description="The new total to hold (above the amount authorized now), in minor units."
    )


class PaymentIntentCancel(StrictModel):
    cancellation_reason: (
        Literal["duplicate", "fraudulent", "requested_by_customer", "abandoned"] | None
    ) = None


class AuthenticateIn(StrictModel):
    succeed: bool = True


class FundIn(StrictModel):
    amount: Amount


# ------------------------------------------------------------------ responses (OpenAPI)


class PaymentMethodOut(BaseModel):
    """A payment method: safe details only (brand, last 4 digits, IBAN country...)."""

    id: str = Field(examples=["pm_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["payment_method"] = "payment_method"
    type: str = Field(examples=["card"])
    customer: str | CustomerOut | DeletedCustomerOut | None
    billing_details: dict[str, Any]
    metadata: dict[str, str]
    created: int
    livemode: bool
    card: dict[str, Any] | None = Field(None, description="When `type` is `card`.")
    sepa_debit: dict[str, Any] | None = Field(None, description="When `type` is `sepa_debit`.")
    customer_balance: dict[str, Any] | None = Field(
        None, description="When `type` is `customer_balance` (bank transfers)."
    )
    ideal: dict[str, Any] | None = Field(None, description="When `type` is `ideal`: `bank`, `bic`.")
    bancontact: dict[str, Any] | None = Field(None, description="When `type` is `bancontact`.")
    eps: dict[str, Any] | None = Field(None, description="When `type` is `eps`: `bank`.")
    p24: dict[str, Any] | None = Field(None, description="When `type` is `p24`: `bank`.")
    blik: dict[str, Any] | None = Field(None, description="When `type` is `blik`.")
    twint: dict[str, Any] | None = Field(None, description="When `type` is `twint`.")
    swish: dict[str, Any] | None = Field(None, description="When `type` is `swish`.")
    klarna: dict[str, Any] | None = Field(None, description="When `type` is `klarna`.")


class ChargeOutcome(BaseModel):
    """Stripe's outcome: the risk assessment's decision (and the issuer's, if it declined)."""

    type: Literal["authorized", "manual_review", "issuer_declined", "blocked"]
    network_status: str | None
    reason: str | None
    risk_level: Literal["normal", "elevated", "highest", "not_assessed"]
    risk_score: int | None
    rule: str | None = Field(description="The id of the fraud rule that decided, if one did.")
    seller_message: str | None


class RiskReason(BaseModel):
    signal: str = Field(examples=["declines_per_card_1h"])
    value: Any = Field(description="What was observed (a count, a ratio, a country).")
    weight: int = Field(description="The points this signal added to the score.")


class ChargeRisk(BaseModel):
    """Why the charge scored as it did: every signal that fired, with its weight."""

    score: int | None = Field(None, ge=0, le=99)
    level: Literal["normal", "elevated", "highest"] | None = None
    reasons: list[RiskReason] = Field(default_factory=list)
    gateway: dict[str, Any] | None = Field(
        None,
        description="The gateway's own screening when it has one (Stripe Radar's outcome: "
        "type, risk_level, risk_score, rule, reason, seller_message).",
    )


class ChargeOut(BaseModel):
    """One attempt to collect a PaymentIntent at the gateway."""

    id: str = Field(examples=["ch_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["charge"] = "charge"
    amount: int
    amount_captured: int
    amount_refunded: int
    currency: str = Field(examples=["eur"])
    status: Literal["pending", "succeeded", "failed"]
    paid: bool
    captured: bool
    refunded: bool
    disputed: bool
    payment_intent: str | PaymentIntentOut
    customer: str | CustomerOut | DeletedCustomerOut | None
    location: str
    payment_method: str | None
    payment_method_details: dict[str, Any] | None
    failure_code: str | None
    failure_message: str | None
    outcome: ChargeOutcome
    risk: ChargeRisk | None
    fee: int | None
    created: int
    livemode: bool


class PaymentIntentOut(BaseModel):
    """What a customer owes for one repair, and how far its payment has got."""

    id: str = Field(examples=["pi_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["payment_intent"] = "payment_intent"
    client_secret: str | None = Field(
        description=(
            "`pi_..._secret_...`: lets the customer's browser confirm or read this intent. "
            "Shown to keys that may write payments (null for read-only keys and in events)."
        )
    )
    amount: int = Field(description="Minor units of `currency`.", examples=[4999])
    amount_capturable: int
    amount_received: int
    currency: str = Field(examples=["eur"])
    status: Literal[
        "requires_payment_method",
        "requires_confirmation",
        "requires_action",
        "processing",
        "requires_capture",
        "canceled",
        "succeeded",
    ]
    capture_method: Literal["automatic", "automatic_async", "manual"]
    customer: str | CustomerOut | DeletedCustomerOut | None
    location: str = Field(description="The shop taking the payment.")
    payment_method: str | PaymentMethodOut | None
    payment_method_types: list[str]
    latest_charge: str | ChargeOut | None
    invoice: str | dict[str, Any] | None = Field(
        description="The invoice this payment pays (an Invoice when expanded)."
    )
    last_payment_error: dict[str, Any] | None
    next_action: dict[str, Any] | None
    setup_future_usage: str | None
    description: str | None
    receipt_email: str | None
    cancellation_reason: str | None
    canceled_at: int | None
    metadata: dict[str, str]
    created: int
    livemode: bool


class PaymentIntentList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[PaymentIntentOut]


class ChargeList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[ChargeOut]


class PaymentMethodList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[PaymentMethodOut]


ChargeOut.model_rebuild()
PaymentIntentOut.model_rebuild()


# ----------------------------------------------------------------- SetupIntents


class OnlineAcceptanceIn(StrictModel):
    ip_address: Annotated[str, Field(min_length=2, max_length=64)]
    user_agent: Annotated[str, Field(min_length=1, max_length=512)]


class CustomerAcceptanceIn(StrictModel):
    type: Literal["online"]
    online: OnlineAcceptanceIn


class MandateDataIn(StrictModel):
    customer_acceptance: CustomerAcceptanceIn


class SetupIntentCreate(StrictModel):
    customer: Id = Field(description="Whose payment method is saved (required).")
    payment_method: Annotated[str | None, Field(max_length=100)] = None
    payment_method_types: list[Literal["card", "sepa_debit"]] | None = None
    usage: Literal["off_session", "on_session"] = "off_session"
    confirm: bool = False
    return_url: Annotated[str | None, Field(max_length=2048)] = None
    mandate_data: MandateDataIn | None = Field(
        None, description="The customer's online acceptance of a SEPA Direct Debit mandate."
    )
    metadata: Metadata = {}


class SetupIntentConfirm(StrictModel):
    payment_method: Annotated[str | None, Field(max_length=100)] = None
    return_url: Annotated[str | None, Field(max_length=2048)] = None
    mandate_data: MandateDataIn | None = None


class SetupIntentCancel(StrictModel):
    cancellation_reason: Literal["abandoned", "requested_by_customer", "duplicate"] | None = None


class SetupIntentOut(BaseModel):
    id: str = Field(examples=["seti_01JD2Z3Y4X5W6V7T8S9R0Q1P2N"])
    object: Literal["setup_intent"] = "setup_intent"
    status: Literal[
        "requires_payment_method",
        "requires_confirmation",
        "requires_action",
        "processing",
        "succeeded",
        "canceled",
    ]
    customer: str
    location: str = Field(description="The customer's shop.")
    payment_method: str | None
    payment_method_types: list[str]
    usage: Literal["off_session", "on_session"]
    client_secret: str | None = Field(
        description="`seti_..._secret_...`; shown to keys that may write payments (null in events)."
    )
    last_setup_error: dict[str, Any] | None
    next_action: dict[str, Any] | None
    mandate: str | None = Field(description="The SEPA Direct Debit mandate once succeeded.")
    cancellation_reason: str | None
    latest_attempt: str | None
    metadata: dict[str, str]
    created: int
    livemode: bool


class SetupIntentList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[SetupIntentOut]
