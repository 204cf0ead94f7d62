"""Request bodies for disputes (Stripe's evidence field names)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, create_model

from payments.disputes.domain import FILE_EVIDENCE, TEXT_EVIDENCE
from payments.intents.schemas import ChargeOut, PaymentIntentOut
from payments.platform.http.schemas import Metadata, StrictModel

_TEXT: Any = (Annotated[str | None, Field(max_length=20_000)], None)
_FILE: Any = (Annotated[str | None, Field(max_length=500)], None)

#: Stripe's evidence fields: text, and file references (an uploaded file's id).
DisputeEvidence: type[StrictModel] = create_model(
    "DisputeEvidence",
    __base__=StrictModel,
    **{name: _TEXT for name in TEXT_EVIDENCE},
    **{name: _FILE for name in FILE_EVIDENCE},
)


class DisputeUpdate(StrictModel):
    evidence: DisputeEvidence | None = None
    submit: bool = False
    metadata: Metadata | None = None


class DisputeResolve(StrictModel):
    outcome: Literal["won", "lost"]


class EvidenceDetails(BaseModel):
    due_by: int
    has_evidence: bool
    past_due: bool
    submission_count: int


class DisputeOut(BaseModel):
    """A cardholder's challenge of a payment, decided by the card network."""

    id: str = Field(examples=["dp_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["dispute"] = "dispute"
    amount: int
    currency: str
    charge: str | ChargeOut
    payment_intent: str | PaymentIntentOut | None
    reason: str
    status: Literal[
        "warning_needs_response",
        "warning_under_review",
        "warning_closed",
        "needs_response",
        "under_review",
        "won",
        "lost",
    ]
    evidence: dict[str, Any]
    evidence_details: EvidenceDetails
    fee: int | None
    is_charge_refundable: bool
    location: str
    metadata: dict[str, Any]
    created: int
    livemode: bool


class DisputeList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[DisputeOut]
