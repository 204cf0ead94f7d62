"""Request bodies for refunds (Stripe's names, plus our refund reasons)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from payments.intents.schemas import ChargeOut, PaymentIntentOut
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


class Requester(BaseModel):
    id: str
    name: str | None


class Approval(BaseModel):
    required_because: str
    status: Literal["pending", "approved", "rejected"]
    decided_by: Requester | None
    decided_at: int | None
    rejection_reason: str | None


class RefundOut(BaseModel):
    """Money given back from a payment's captured amount."""

    id: str = Field(examples=["re_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["refund"] = "refund"
    amount: int
    currency: str
    charge: str | ChargeOut
    payment_intent: str | PaymentIntentOut
    status: Literal[
        "pending_approval", "pending", "requires_action", "succeeded", "failed", "canceled"
    ]
    reason: str | None
    note: str | None
    failure_reason: str | None
    location: str
    requested_by: Requester
    approval: Approval | None = Field(
        description="Set when the refund needed (or needs) a finance approval."
    )
    metadata: dict[str, Any]
    created: int
    livemode: bool


class RefundList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[RefundOut]
