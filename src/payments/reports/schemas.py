"""Response models of the reports (for the OpenAPI document)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from payments.platform.http.schemas import StrictModel


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


class VatLine(BaseModel):
    country: str
    category: str
    rate: str
    currency: str
    taxable_amount: int
    tax_amount: int
    invoices: int
    credit_notes: int


class ReverseChargeLine(BaseModel):
    customer_vat_id: str
    country: str
    category: str
    currency: str
    taxable_amount: int


class OssLine(BaseModel):
    member_state: str
    rate: str
    seller_country: str
    currency: str
    taxable_amount: int
    tax_amount: int


class VatReportOut(BaseModel):
    object: str = "vat_report"
    from_: str = Field(alias="from")
    to: str
    legal_entity: str | None
    location: str | None
    groups: list[VatLine]
    reverse_charge: list[ReverseChargeLine]
    oss: list[OssLine]


class AgedInvoice(BaseModel):
    invoice: str
    number: str | None
    due_date: str
    days_past_due: int
    bucket: str
    amount_remaining: int


class Buckets(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    current: int
    d1_30: int = Field(alias="1_30")
    d31_60: int = Field(alias="31_60")
    d61_90: int = Field(alias="61_90")
    over_90: int
    total: int


class CustomerReceivables(Buckets):
    customer: str
    customer_name: str | None
    currency: str
    invoices: list[AgedInvoice]


class ConvertedBuckets(Buckets, RateUsed):
    currency: str


class ReceivablesTotal(Buckets):
    currency: str
    converted: ConvertedBuckets


class ReceivablesReportOut(BaseModel):
    object: str = "receivables_report"
    as_of: str
    reporting_currency: str
    location: str | None
    customers: list[CustomerReceivables]
    totals: list[ReceivablesTotal]


class ReportRunParameters(StrictModel):
    interval_start: Annotated[int, Field(strict=True, ge=0, le=2**33)] = Field(
        description="Start of the interval (unix seconds, included)."
    )
    interval_end: Annotated[int, Field(strict=True, ge=0, le=2**33)] = Field(
        description="End of the interval (unix seconds, excluded)."
    )
    columns: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=40)] | None = (
        Field(None, description="The columns, in this order (default: all of the type's).")
    )
    location: Annotated[str | None, Field(max_length=64)] = None
    currency: Annotated[str | None, Field(min_length=3, max_length=3)] = None
    format: Literal["csv", "xlsx"] = Field("csv", description="The file's format.")


class ReportRunCreate(StrictModel):
    report_type: Annotated[str, Field(max_length=40)] = Field(
        description="payments.itemized, refunds.itemized, balance.summary, vat.summary, "
        "ledger.journal (the generic double-entry journal) or accounting.datev (DATEV EXTF "
        "Buchungsstapel)."
    )
    parameters: ReportRunParameters


class FileOut(BaseModel):
    id: str
    object: str = "file"
    created: int
    expires_at: int | None
    filename: str
    purpose: str
    size: int
    title: str | None
    type: str
    url: str


class ReportRunProgress(BaseModel):
    rows: int
    total: int | None


class ReportRunOut(BaseModel):
    id: str
    object: str = "reporting.report_run"
    created: int
    error: str | None
    livemode: bool
    parameters: dict[str, Any]
    report_type: str
    result: FileOut | None
    status: str
    succeeded_at: int | None
    progress: ReportRunProgress


class ReportRunList(BaseModel):
    object: str = "list"
    url: str
    has_more: bool
    data: list[ReportRunOut]
