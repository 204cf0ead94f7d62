"""Request bodies for refunds and disputes (Stripe's names, plus our refund reasons)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, create_model

from payments.disputes.domain import FILE_EVIDENCE, TEXT_EVIDENCE
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


_TEXT: Any = (Annotated[str | None, Field(max_length=20_000)], None)
_FILE: Any = (Annotated[str | None, Field(max_length=500)], None)

#: Stripe's evidence fields: text, and file references (an uploaded file's id).
DisputeEvidence: type[StrictModel] = create_model(  # type: ignore[call-overload]
    "DisputeEvidence",
    __base__=StrictModel,
    **{name: _TEXT for name in TEXT_EVIDENCE},
    **{name: _FILE for name in FILE_EVIDENCE},
)


class DisputeUpdate(StrictModel):
    evidence: DisputeEvidence | None = None  # type: ignore[valid-type]
    submit: bool = False
    metadata: Metadata | None = None


class DisputeResolve(StrictModel):
    outcome: Literal["won", "lost"]
