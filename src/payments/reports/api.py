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
from payments.reports.schemas import ReportSummaryOut

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
