"""Request bodies for payment methods and PaymentIntents (Stripe's names)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from payments.platform.http.schemas import AddressIn, Metadata, StrictModel

Id = Annotated[str, Field(min_length=3, max_length=64)]
Amount = Annotated[int, Field(strict=True, gt=0, le=999_999_999_999)]
PaymentMethodType = Literal["card", "sepa_debit", "customer_balance"]


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
    billing_details: BillingDetailsIn | None = None
    metadata: Metadata = {}


class AttachIn(StrictModel):
    customer: Id


class PaymentIntentCreate(StrictModel):
    amount: Amount
    currency: Annotated[str | None, Field(min_length=3, max_length=3)] = None
    location: Id | None = None
    customer: Id | None = None
    payment_method: Annotated[str | None, Field(max_length=100)] = None
    payment_method_types: list[PaymentMethodType] | None = None
    capture_method: Literal["automatic", "automatic_async", "manual"] = "automatic"
    confirm: bool = False
    off_session: bool | None = None
    setup_future_usage: Literal["on_session", "off_session"] | None = None
    return_url: Annotated[str | None, Field(max_length=2048)] = None
    description: Annotated[str | None, Field(max_length=1000)] = None
    receipt_email: Annotated[str | None, Field(max_length=512)] = None
    metadata: Metadata = {}


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
    off_session: bool | None = None
    setup_future_usage: Literal["on_session", "off_session"] | None = None
    return_url: Annotated[str | None, Field(max_length=2048)] = None


class PaymentIntentCapture(StrictModel):
    amount_to_capture: Annotated[int | None, Field(strict=True)] = None


class PaymentIntentCancel(StrictModel):
    cancellation_reason: (
        Literal["duplicate", "fraudulent", "requested_by_customer", "abandoned"] | None
    ) = None


class AuthenticateIn(StrictModel):
    succeed: bool = True


class FundIn(StrictModel):
    amount: Amount
