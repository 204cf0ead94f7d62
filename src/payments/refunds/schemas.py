"""Request bodies for refunds (Stripe's names, plus our refund reasons)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from payments.platform.http.schemas import Metadata, StrictModel

Id = Annotated[str, Field(min_length=3, max_length=64)]
RefundReason = Literal[
    "duplicate",
    "fraudulent",
    "requested_by_customer",
    "warranty",
    "repair_cancelled",
    "goodwill",
]


class RefundCreate(StrictModel):
    payment_intent: Id | None = Field(None, description="The PaymentIntent to refund.")
    charge: Id | None = Field(None, description="Or the charge to refund.")
    amount: Annotated[int | None, Field(strict=True)] = Field(
        None, description="Minor units; default: everything not yet refunded."
    )
    currency: Annotated[str | None, Field(min_length=3, max_length=3)] = Field(
        None, description="If given, must be the payment's currency."
    )
    reason: RefundReason | None = None
    note: Annotated[str | None, Field(max_length=1000)] = Field(
        None, description="Free text for finance and the audit trail."
    )
    metadata: Metadata = {}


class RefundReject(StrictModel):
    reason: Annotated[str, Field(min_length=1, max_length=500)]
