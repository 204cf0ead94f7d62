"""Reports: ``/v1/reports/*`` (synchronous summaries for dashboards)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.fx.service import EcbReferenceRates
from payments.platform.http.deps import ContainerDep, ContextDep
from payments.platform.http.params import LocationFilter
from payments.platform.http.responses import json_response
from payments.reports import service as uc
from payments.reports.schemas import ReceivablesReportOut, ReportSummaryOut, VatReportOut

router = APIRouter(prefix="/v1/reports", tags=["reports"])

From = Annotated[date | None, Query(alias="from", description="First day (UTC), YYYY-MM-DD.")]
To = Annotated[date | None, Query(alias="to", description="Last day (UTC, included).")]


@router.get(
    "/summary",
    responses={200: {"model": ReportSummaryOut}},
    summary="Gross volume, refunds, disputes, fees and net per group, converted at ECB rates "
    "(finance, admin)",
    description=(
        "Figures per UTC day are folded into the groups of `group_by` (any of `location`, "
        "`payment_method_type`, `currency`, and one of `day`, `week`, `month`; the "
        "currency is always a key) and converted into `reporting_currency` (default "
        "`eur`, any currency the ECB publishes) day by day at the ECB reference rate of "
        "each day (the last published on or before it), rounded half-up; `rate` is units "
        "of the group's currency per 1 unit of the reporting currency. At most 400 days: "
        "longer periods are a report run."
    ),
)
async def summary(
    c: ContainerDep,
    ctx: ContextDep,
    start: From = None,
    end: To = None,
    group_by: Annotated[str | None, Query(max_length=200)] = None,
    reporting_currency: Annotated[str | None, Query(max_length=3)] = None,
    location: LocationFilter = None,
) -> Response:
    req = uc.SummaryRequest(start, end, group_by, reporting_currency, location)
    data = await uc.summary(
        req, rates=EcbReferenceRates(c.uow_factory), uow_factory=c.uow_factory, ctx=ctx
    )
    return json_response(data)


@router.get(
    "/vat",
    responses={200: {"model": VatReportOut}},
    summary="Taxable amounts and VAT per country, category and rate; reverse charge and OSS "
    "(finance, admin)",
    description=(
        "From finalized invoices (on their tax point) and credit notes (on their issue "
        "date, negative); a document voided in the period counts negated on that day. "
        "`reverse_charge` lists supplies to businesses in other member states per customer "
        "VAT id (the EC Sales List); `oss` cross-border sales to EU consumers per member "
        "state (the One-Stop-Shop return). Amounts in the documents' own currency."
    ),
)
async def vat(
    c: ContainerDep,
    ctx: ContextDep,
    start: From = None,
    end: To = None,
    legal_entity: Annotated[str | None, Query(max_length=64)] = None,
    location: LocationFilter = None,
) -> Response:
    req = uc.VatRequest(start, end, legal_entity, location)
    return json_response(await uc.vat(req, uow_factory=c.uow_factory, ctx=ctx))


@router.get(
    "/receivables",
    responses={200: {"model": ReceivablesReportOut}},
    summary="Open invoices by customer and age bucket on a date (finance, admin)",
    description=(
        "What each invoice still owed at the end of `as_of` (UTC; default today) by the "
        "ledger, aged from its due date: `current`, `1_30`, `31_60`, `61_90`, `over_90` "
        "days past due; totals per currency, converted into `reporting_currency` at the "
        "ECB rate of `as_of`."
    ),
)
async def receivables(
    c: ContainerDep,
    ctx: ContextDep,
    as_of: Annotated[date | None, Query(description="The day (UTC), YYYY-MM-DD.")] = None,
    reporting_currency: Annotated[str | None, Query(max_length=3)] = None,
    location: LocationFilter = None,
) -> Response:
    req = uc.ReceivablesRequest(as_of, reporting_currency, location)
    data = await uc.receivables(
        req,
        rates=EcbReferenceRates(c.uow_factory),
        uow_factory=c.uow_factory,
        clock=c.clock,
        ctx=ctx,
    )
    return json_response(data)
