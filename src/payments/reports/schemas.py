"""Response models of the reports (for the OpenAPI document)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RateUsed(BaseModel):
    rate: str = Field(description="Units of the group's currency per 1 reporting currency unit.")
    rate_date: str = Field(description="The ECB publication date of the rate (YYYY-MM-DD).")


class Converted(RateUsed):
    gross: int
    refunds: int
    disputes: int
    fees: int
    net: int
    rates: list[RateUsed] | None = Field(
        None, description="Every rate used, when the group spans days with different rates."
    )


class SummaryGroup(BaseModel):
    model_config = ConfigDict(extra="allow")
    location: str | None = None
    payment_method_type: str | None = None
    currency: str
    period: str | None = None
    count: int
    gross: int
    refunds: int
    disputes: int
    fees: int
    net: int
    converted: Converted


class SummaryTotals(BaseModel):
    currency: str
    count: int
    gross: int
    refunds: int
    disputes: int
    fees: int
    net: int


class DeclineCode(BaseModel):
    code: str
    count: int


class Authorization(BaseModel):
    attempts: int
    authorized: int
    declined: int
    authorization_rate: str | None
    decline_rate: str | None
    top_decline_codes: list[DeclineCode]


class ReportSummaryOut(BaseModel):
    object: str = "report_summary"
    reporting_currency: str
    from_: str = Field(alias="from")
    to: str
    group_by: list[str]
    location: str | None
    groups: list[SummaryGroup]
    totals: SummaryTotals
    authorization: Authorization
