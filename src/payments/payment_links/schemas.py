"""Request bodies and response shapes of payment links."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from payments.platform.http.schemas import Metadata, StrictModel

Unix = Annotated[int, Field(strict=True, ge=0, le=2**33)]


class PaymentLinkCreate(StrictModel):
    share: str | None = Field(
        None,
        max_length=255,
        description="An open share of the invoice's payment plan (`ishr_...`): the link "
        "then collects at most what that share owes, from the share's payer, and its "
        "payment pays that share. Default: the whole invoice.",
    )
    expires_at: Unix | None = Field(
        None,
        description="When the link stops working (Unix time; at most 180 days ahead). "
        "Default: 30 days from now.",
    )
    metadata: Metadata = Field(default_factory=dict)


class PaymentLinkUpdate(StrictModel):
    active: bool | None = Field(
        None, description="`false` deactivates the link: its page no longer takes payments."
    )
    metadata: Metadata | None = None


class PaymentLinkOut(BaseModel):
    """An unguessable, expiring link to the hosted pay page of one invoice."""

    id: str = Field(examples=["plink_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["payment_link"] = "payment_link"
    active: bool
    url: str | None = Field(
        description="The pay page's address: only in the answer that created the link "
        "(only a hash of its token is stored); null afterwards."
    )
    invoice: str
    share: str | None = Field(
        description="The payment plan share the link pays; null for the whole invoice."
    )
    customer: str
    location: str
    amount: int = Field(description="The most the link may collect (minor units).")
    currency: str
    expires_at: int
    deactivated_at: int | None
    created: int
    livemode: bool
    metadata: dict[str, str]


class PaymentLinkList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[PaymentLinkOut]
