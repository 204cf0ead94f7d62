"""Report use cases: check the parameters, read the figures, convert, shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from payments.fx.domain import RateUnavailable, convert, cross_rate
from payments.fx.service import RatesPort
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest
from payments.platform.db.uow import UnitOfWorkFactory
from payments.reports.domain.receivables import BUCKETS, aging
from payments.reports.domain.summary import (
    MAX_SUMMARY_DAYS,
    SummaryQuery,
    authorization_object,
    check_reporting_currency,
    day_rates,
    parse_group_by,
    parse_period,
    rate_object,
    summarize,
    summarize_converted,
)
from payments.reports.domain.vat import vat_lines, vat_report_of_lines
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
        if repo.dialect == "postgresql":  # folded and converted by the database
            used = day_rates(await repo.rollup_days(period, location=location), query, history)
            converted = await repo.converted_groups(
                period, location=location, group_by=group_by, rates=used
            )
            groups, totals = summarize_converted(converted, query, used)
        else:  # SQLite: its 64-bit integers could overflow the exact conversion
            rows = await repo.day_figures(period, location=location)
            groups, totals = summarize(rows, query, history)
        authorized, declined, codes = await repo.authorizations(period, location=location)
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


@dataclass(frozen=True, slots=True)
class VatRequest:
    start: date | None
    end: date | None
    legal_entity: str | None = None
    location: str | None = None


async def vat(
    req: VatRequest, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> dict[str, object]:
    require_report_reader(ctx)
    period = parse_period(req.start, req.end, max_days=MAX_SUMMARY_DAYS)
    location = ctx.list_location(req.location)
    async with uow_factory() as uow:
        repo = uow.repo(ReportRepository)
        if repo.dialect == "postgresql":  # summed by the database
            lines = await repo.vat_lines(period, legal_entity=req.legal_entity, location=location)
        else:
            docs = await repo.vat_documents(
                period, legal_entity=req.legal_entity, location=location
            )
            lines = list(vat_lines(docs))
    head: dict[str, object] = {
        "object": "vat_report",
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "legal_entity": req.legal_entity,
        "location": location,
    }
    return head | vat_report_of_lines(lines)


@dataclass(frozen=True, slots=True)
class ReceivablesRequest:
    as_of: date | None
    reporting_currency: str | None = None
    location: str | None = None


async def receivables(
    req: ReceivablesRequest,
    *,
    rates: RatesPort,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> dict[str, object]:
    require_report_reader(ctx)
    as_of = req.as_of or clock.now().date()
    history = await rates.history()
    currency = check_reporting_currency(req.reporting_currency, history)
    location = ctx.list_location(req.location)
    async with uow_factory() as uow:
        open_invoices = await uow.repo(ReportRepository).open_invoices(as_of, location=location)
    report = aging(open_invoices, as_of)
    for total in report["totals"]:
        try:
            rate = cross_rate(history, total["currency"], currency, as_of)
        except RateUnavailable as exc:
            raise InvalidRequest(str(exc), code="rate_unavailable", param="as_of") from None
        total["converted"] = {
            "currency": currency,
            **{name: convert(total[name], rate) for name in (*BUCKETS, "total")},
        } | rate_object(rate)
    return {
        "object": "receivables_report",
        "as_of": as_of.isoformat(),
        "reporting_currency": currency,
        "location": location,
    } | report


async def rebuild_rollups(*, uow_factory: UnitOfWorkFactory) -> dict[str, int]:
    """Recompute the daily rollups from the charges, refunds and disputes (one
    transaction; on PostgreSQL writers to those tables wait until it commits). The rows
    each rollup table has afterwards."""
    async with uow_factory() as uow:
        counts = await uow.repo(ReportRepository).rebuild_rollups()
        await uow.commit()
    return counts
