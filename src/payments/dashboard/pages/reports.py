"""Reports: the summary of a period (this month by default) per shop and payment method,
converted into a reporting currency at the ECB rates by reports' summary use case, a
chart of the gross volume per day (per month for long periods), and the shown summary as
a CSV file. Finance and admin only (reports' ``read_ledger``)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from payments.dashboard import i18n
from payments.dashboard.charts import bar_chart
from payments.dashboard.forms import a_day
from payments.dashboard.web import (
    PREFIX,
    DashboardRoute,
    Staff,
    StaffDep,
    gettext,
    language_of,
    query,
    render,
    shop_names,
)
from payments.fx.service import EcbReferenceRates
from payments.kernel.access import Permission
from payments.reports.domain.runs import major
from payments.reports.domain.summary import day_range, parse_period
from payments.reports.service.reports import SummaryRequest, summary

router = APIRouter(prefix=f"{PREFIX}/reports", include_in_schema=False, route_class=DashboardRoute)

GROUPS = "location,payment_method_type"
#: a longer period is charted per month, not per day
DAILY_CHART_DAYS = 62
AMOUNTS = ("gross", "refunds", "disputes", "fees", "net")

From = Annotated[str, Query(alias="from", max_length=10)]
To = Annotated[str, Query(alias="to", max_length=10)]
Currency = Annotated[str, Query(max_length=3)]


def _period(request: Request, start: str, end: str) -> tuple[date, date]:
    today = request.app.state.container.clock.now().date()
    first = a_day(start, param="from") or today.replace(day=1)
    last = a_day(end, param="to") or today
    return first, last


async def _summary(
    request: Request, staff: Staff, first: date, last: date, currency: str, group_by: str
) -> dict[str, Any]:
    c = request.app.state.container
    return await summary(
        SummaryRequest(first, last, group_by, currency or None),
        rates=EcbReferenceRates(c.uow_factory),
        uow_factory=c.uow_factory,
        ctx=staff.ctx,
    )


def _chart_points(report: dict[str, Any], first: date, last: date) -> list[tuple[int, int]]:
    """The converted gross volume of every day (or month) of the period, zero included."""
    by_period: dict[str, int] = defaultdict(int)
    for group in report["groups"]:
        by_period[group["period"]] += group["converted"]["gross"]
    period = parse_period(first, last, max_days=None)
    if period.days <= DAILY_CHART_DAYS:
        return [(d.day, by_period.get(d.isoformat(), 0)) for d in day_range(period)]
    months = dict.fromkeys(f"{d.year}-{d.month:02d}" for d in day_range(period))
    return [(int(m[5:]), by_period.get(m, 0)) for m in months]


@router.get("")
async def reports(
    request: Request,
    staff: StaffDep,
    date_from: From = "",
    date_to: To = "",
    currency: Currency = "",
) -> Response:
    staff.require(Permission.read_ledger)
    first, last = _period(request, date_from, date_to)
    report = await _summary(request, staff, first, last, currency, GROUPS)
    daily = parse_period(first, last, max_days=None).days <= DAILY_CHART_DAYS
    per_period = await _summary(request, staff, first, last, currency, "day" if daily else "month")
    reporting = str(report["reporting_currency"])
    lang = language_of(request)
    chart_label = (
        gettext(request, "Gross volume per day")
        if daily
        else gettext(request, "Gross volume per month")
    ) + f" ({reporting.upper()})"
    chart = bar_chart(
        _chart_points(per_period, first, last),
        label=chart_label,
        describe=lambda amount: i18n.money(amount, reporting, lang),
    )
    params = {"from": first.isoformat(), "to": last.isoformat(), "currency": reporting}
    return render(
        request,
        "reports.html",
        staff=staff,
        title=gettext(request, "Reports"),
        report=report,
        chart=chart,
        chart_label=chart_label,
        params=params,
        csv_url=f"{PREFIX}/reports/summary.csv" + query(params),
        shops=await shop_names(request, staff),
    )


@router.get("/summary.csv")
async def summary_csv(
    request: Request,
    staff: StaffDep,
    date_from: From = "",
    date_to: To = "",
    currency: Currency = "",
) -> Response:
    """The summary the page shows, one row per shop, method and currency, then the
    totals in the reporting currency; amounts in major units (``12.34``)."""
    staff.require(Permission.read_ledger)
    first, last = _period(request, date_from, date_to)
    report = await _summary(request, staff, first, last, currency, GROUPS)
    shops = await shop_names(request, staff)
    reporting = str(report["reporting_currency"])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "location",
            "location_name",
            "payment_method_type",
            "currency",
            "count",
            *AMOUNTS,
            "reporting_currency",
            *(f"converted_{name}" for name in AMOUNTS),
            "rate",
            "rate_date",
        ]
    )
    for g in report["groups"]:
        converted = g["converted"]
        writer.writerow(
            [
                g["location"] or "",
                shops.get(g["location"] or "", ""),
                g["payment_method_type"] or "",
                g["currency"],
                g["count"],
                *(major(g[name], g["currency"]) for name in AMOUNTS),
                reporting,
                *(major(converted[name], reporting) for name in AMOUNTS),
                converted["rate"],
                converted["rate_date"],
            ]
        )
    totals = report["totals"]
    writer.writerow(
        [
            "total",
            "",
            "",
            "",
            totals["count"],
            *([""] * len(AMOUNTS)),
            reporting,
            *(major(totals[name], reporting) for name in AMOUNTS),
            "",
            "",
        ]
    )
    name = f"summary-{first.isoformat()}-{last.isoformat()}-{reporting}.csv"
    return Response(
        out.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
