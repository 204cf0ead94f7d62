"""The shapes of the GDPR endpoints' answers (for the OpenAPI document)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ErasureOut(BaseModel):
    id: str
    object: Literal["customer_erasure"] = "customer_erasure"
    customer: str
    status: Literal["scheduled", "completed"] = Field(
        description="`scheduled`: done but for the billing details kept on invoices until "
        "`retained_until`; `completed`: nothing personal is left."
    )
    source: str = Field(description="`api`, `customer_base` or `cli`.")
    requested_at: int
    completed_at: int | None
    retained_until: str | None = Field(
        description="The last day the law keeps the invoices' billing details (ISO date)."
    )
    pseudonymised: dict[str, int] = Field(description="Records changed, by kind.")
