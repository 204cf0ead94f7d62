"""Report use cases: check the parameters, read the figures, convert, shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from payments.fx.service import RatesPort
from payments.kernel.access import Permission
from payments.kernel.context import RequestContext
from payments.platform.db.uow import UnitOfWorkFactory
from payments.reports.domain import (
    MAX_SUMMARY_DAYS,
    SummaryQuery,
    authorization_object,
    check_reporting_currency,
    parse_group_by,
    parse_period,
    summarize,
)
from payments.reports.repository import ReportRepository


def require_report_reader(ctx: RequestContext) -> None:
    """Reports are finance's (``read_ledger``: finance and admin keys); a key restricted
    to one shop sees only that shop's figures."""
    ctx.require(Permission.read_ledger)


@dataclass(frozen=True, slots=True)
class SummaryRequest:
    start: date | None
    end: date | None
    group_by: str | None = None
    reporting_currency: str | None = None
    location: str | None = None


async def summary(
    req: SummaryRequest, *, rates: RatesPort, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> dict[str, object]:
    require_report_reader(ctx)
    period = parse_period(req.start, req.end, max_days=MAX_SUMMARY_DAYS)
    group_by = parse_group_by(req.group_by)
    history = await rates.history()
    currency = check_reporting_currency(req.reporting_currency, history)
    location = ctx.list_location(req.location)
    query = SummaryQuery(period, group_by, currency, location)
    async with uow_factory() as uow:
        repo = uow.repo(ReportRepository)
        rows = await repo.day_figures(period, location=location)
        authorized, declined, codes = await repo.authorizations(period, location=location)
    groups, totals = summarize(rows, query, history)
    return {
        "object": "report_summary",
        "reporting_currency": currency,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "group_by": [d.value for d in group_by],
        "location": location,
        "groups": groups,
        "totals": {"currency": currency} | totals,
        "authorization": authorization_object(authorized, declined, codes),
    }
