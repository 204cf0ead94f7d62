"""What a report means, independent of where its figures come from (pure).

Figures arrive as rows per UTC day and group key (:class:`DayFigures`); this module
checks the caller's parameters, folds the days into the chosen groups and periods, and
converts every group into the reporting currency day by day, at the ECB rate of each
day (:mod:`payments.fx.domain`). A group's ``converted`` amounts are therefore the sum
of its days' converted amounts, each rounded once (half-up); the rate(s) used are shown
beside them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from operator import attrgetter
from typing import Any, Final

from payments.fx.domain import (
    RateHistory,
    RateUnavailable,
    ReferenceRate,
    converter,
    cross_rate,
    rate_fraction,
)
from payments.kernel.errors import InvalidRequest

#: The longest period a synchronous summary covers; longer ones are a report run.
MAX_SUMMARY_DAYS: Final = 400
#: Decimal places of the authorization and decline rates.
RATIO_PLACES: Final = 4
TOP_DECLINE_CODES: Final = 5


class Dimension(StrEnum):
    LOCATION = "location"
    PAYMENT_METHOD_TYPE = "payment_method_type"
    CURRENCY = "currency"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


PERIODS: Final = frozenset({Dimension.DAY, Dimension.WEEK, Dimension.MONTH})


@dataclass(frozen=True, slots=True)
class Period:
    start: date  # inclusive, UTC
    end: date  # inclusive, UTC

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True, slots=True)
class SummaryQuery:
    period: Period
    group_by: tuple[Dimension, ...]
    reporting_currency: str
    location: str | None = None


def parse_period(start: date | None, end: date | None, *, max_days: int | None) -> Period:
    if start is None:
        raise InvalidRequest("Give the first day of the period (from=YYYY-MM-DD).", param="from")
    if end is None:
        raise InvalidRequest("Give the last day of the period (to=YYYY-MM-DD).", param="to")
    if end < start:
        raise InvalidRequest(
            f"The period ends ({end.isoformat()}) before it starts ({start.isoformat()}).",
            param="to",
        )
    period = Period(start, end)
    if max_days is not None and period.days > max_days:
        raise InvalidRequest(
            f"A summary covers at most {max_days} days; this period has {period.days}. "
            "Use a report run (POST /v1/reporting/report_runs) for longer periods.",
            code="period_too_long",
            param="to",
        )
    return period


def parse_group_by(raw: str | None) -> tuple[Dimension, ...]:
    """``location,payment_method_type,day``: the dimensions, in the order given; the
    currency is always one (amounts of two currencies are never added)."""
    names = [n.strip() for n in (raw or "").split(",") if n.strip()]
    dims: list[Dimension] = []
    for name in names:
        try:
            dim = Dimension(name)
        except ValueError:
            allowed = ", ".join(d.value for d in Dimension)
            raise InvalidRequest(
                f"Unknown group_by {name!r}: use any of {allowed}.", param="group_by"
            ) from None
        if dim not in dims:
            dims.append(dim)
    if len(PERIODS.intersection(dims)) > 1:
        raise InvalidRequest("Group by one of day, week or month, not several.", param="group_by")
    if Dimension.CURRENCY not in dims:
        dims.append(Dimension.CURRENCY)
    return tuple(dims)


def check_reporting_currency(raw: str | None, history: RateHistory) -> str:
    code = (raw or "eur").strip().lower()
    if not history.published(code):
        raise InvalidRequest(
            f"{code.upper()!s} is not a currency the ECB publishes reference rates for.",
            code="currency_not_supported",
            param="reporting_currency",
        )
    return code


def period_label(day: date, dim: Dimension) -> str:
    if dim is Dimension.DAY:
        return day.isoformat()
    if dim is Dimension.WEEK:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


@dataclass(frozen=True, slots=True)
class DayFigures:
    """One UTC day of one (location, payment method type, currency)."""

    day: date
    location: str | None
    payment_method_type: str | None
    currency: str
    count: int = 0
    gross: int = 0
    refunds: int = 0
    disputes: int = 0
    fees: int = 0


AMOUNTS: Final = ("gross", "refunds", "disputes", "fees", "net")


@dataclass(slots=True)
class _Group:
    key: dict[str, str | None]
    currency: str
    count: int = 0
    amounts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AMOUNTS, 0))
    converted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AMOUNTS, 0))
    rates: dict[date, ReferenceRate] = field(default_factory=dict)


_KEY_NAMES: Final = {
    Dimension.LOCATION: "location",
    Dimension.PAYMENT_METHOD_TYPE: "payment_method_type",
    Dimension.CURRENCY: "currency",
    Dimension.DAY: "period",
    Dimension.WEEK: "period",
    Dimension.MONTH: "period",
}


def _identity(dims: Sequence[Dimension]) -> Callable[[DayFigures], tuple[Any, ...]]:
    """The group key of a row, in ``dims`` order (built once: it runs for every row)."""
    names = [_KEY_NAMES[d] if d not in PERIODS else "day" for d in dims]
    get: Callable[[DayFigures], Any] = attrgetter(*names)
    period = next((d for d in dims if d in PERIODS), None)
    if period is None:
        if len(names) == 1:
            return lambda f: (get(f),)
        return get
    at = names.index("day")
    labels: dict[date, str] = {}

    def with_period(f: DayFigures) -> tuple[Any, ...]:
        values: list[Any] = list(get(f)) if len(names) > 1 else [get(f)]
        day: date = values[at]
        label = labels.get(day)
        if label is None:
            label = labels[day] = period_label(day, period)
        values[at] = label
        return tuple(values)

    return with_period


def rate_object(rate: ReferenceRate) -> dict[str, str]:
    return {"rate": format(rate.rate, "f"), "rate_date": rate.rate_date.isoformat()}


def summarize(
    rows: Iterable[DayFigures],
    query: SummaryQuery,
    history: RateHistory,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The groups (sorted by their keys) and the totals in the reporting currency."""
    groups: dict[tuple[str | None, ...], _Group] = {}
    # a group's figures per day first: each day is converted once, at its own rate
    days: dict[tuple[tuple[str | None, ...], date], list[int]] = {}
    dims = query.group_by
    ident_of = _identity(dims)
    for f in rows:
        ident = ident_of(f)
        if ident not in groups:
            key = {_KEY_NAMES[dim]: value for dim, value in zip(dims, ident, strict=True)}
            groups[ident] = _Group(key=key, currency=f.currency)
        day = days.get((ident, f.day))
        if day is None:
            day = days[(ident, f.day)] = [0, 0, 0, 0, 0, 0]
        day[0] += f.count
        day[1] += f.gross
        day[2] += f.refunds
        day[3] += f.disputes
        day[4] += f.fees
        day[5] += f.gross - f.refunds - f.disputes - f.fees
    rates: dict[tuple[str, date], tuple[ReferenceRate, Callable[[int], int]]] = {}
    for (ident, on), (count, gross, refunds, disputes, fees, net) in days.items():
        group = groups[ident]
        found = rates.get((group.currency, on))
        if found is None:
            try:
                rate = cross_rate(history, group.currency, query.reporting_currency, on)
            except RateUnavailable as exc:
                raise InvalidRequest(str(exc), code="rate_unavailable", param="from") from None
            found = rates[(group.currency, on)] = (rate, converter(rate))
        rate, at_rate = found
        group.count += count
        group.rates[rate.rate_date] = rate
        a, c = group.amounts, group.converted
        a["gross"] += gross
        a["refunds"] += refunds
        a["disputes"] += disputes
        a["fees"] += fees
        a["net"] += net
        c["gross"] += at_rate(gross)
        c["refunds"] += at_rate(refunds)
        c["disputes"] += at_rate(disputes)
        c["fees"] += at_rate(fees)
        c["net"] += at_rate(net)
    return _shape(
        (
            ident,
            g.key,
            g.count,
            g.amounts,
            g.converted,
            [rate_object(g.rates[d]) for d in sorted(g.rates)],
        )
        for ident, g in groups.items()
    )


def _shape(
    groups: Iterable[
        tuple[
            tuple[Any, ...],
            dict[str, Any],
            int,
            dict[str, int],
            dict[str, int],
            list[dict[str, str]],
        ]
    ],
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The groups (sorted by their keys, each with the rates it used as :func:`rate_object`,
    oldest first) and the totals in the reporting currency."""
    out: list[dict[str, Any]] = []
    totals: dict[str, Any] = {"count": 0} | dict.fromkeys(AMOUNTS, 0)
    for _, key, count, amounts, in_reporting, used in sorted(
        groups, key=lambda g: tuple("" if v is None else v for v in g[0])
    ):
        converted: dict[str, Any] = dict(in_reporting)
        converted |= used[-1]
        if len(used) > 1:
            converted["rates"] = used
        out.append(key | {"count": count} | amounts | {"converted": converted})
        totals["count"] += count
        for name in AMOUNTS:
            totals[name] += in_reporting[name]
    return out, totals


@dataclass(frozen=True, slots=True)
class DayRate:
    """The rate converting ``currency`` on ``day`` as an exact fraction (see
    :func:`payments.fx.domain.rate_fraction`), for a conversion done by the database."""

    currency: str
    day: date
    rate: ReferenceRate
    mult: int
    den: int

    @property
    def rate_date(self) -> date:
        return self.rate.rate_date


def day_rates(
    pairs: Iterable[tuple[str, date]], query: SummaryQuery, history: RateHistory
) -> list[DayRate]:
    """The rate of each (currency, day) with figures, into the reporting currency."""
    out: list[DayRate] = []
    for currency, on in sorted(pairs):
        try:
            rate = cross_rate(history, currency, query.reporting_currency, on)
        except RateUnavailable as exc:
            raise InvalidRequest(str(exc), code="rate_unavailable", param="from") from None
        out.append(DayRate(currency, on, rate, *rate_fraction(rate)))
    return out


@dataclass(frozen=True, slots=True)
class ConvertedGroup:
    """One group of a summary folded and converted by the database: its key values (None
    for a dimension not grouped by), the sums in its currency and in the reporting
    currency (in :data:`AMOUNTS` order), and the dates of the rates used."""

    location: str | None
    payment_method_type: str | None
    period: date | None
    currency: str
    count: int
    amounts: tuple[int, ...]
    converted: tuple[int, ...]
    rate_dates: tuple[date, ...]


def summarize_converted(
    groups: Iterable[ConvertedGroup], query: SummaryQuery, rates: Iterable[DayRate]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """:func:`summarize`'s result from groups the database folded and converted."""
    shown = {(r.currency, r.rate_date): rate_object(r.rate) for r in rates}
    period = next((d for d in query.group_by if d in PERIODS), None)
    shaped = []
    for g in groups:
        values = {
            "location": g.location,
            "payment_method_type": g.payment_method_type,
            "currency": g.currency,
            "period": period_label(g.period, period) if period and g.period else None,
        }
        ident = tuple(values[_KEY_NAMES[d]] for d in query.group_by)
        key = {_KEY_NAMES[d]: values[_KEY_NAMES[d]] for d in query.group_by}
        shaped.append(
            (
                ident,
                key,
                g.count,
                dict(zip(AMOUNTS, g.amounts, strict=True)),
                dict(zip(AMOUNTS, g.converted, strict=True)),
                [shown[(g.currency, d)] for d in g.rate_dates],
            )
        )
    return _shape(shaped)


def ratio(part: int, whole: int) -> str | None:
    if whole == 0:
        return None
    return str(
        (Decimal(part) / Decimal(whole)).quantize(
            Decimal(1).scaleb(-RATIO_PLACES), rounding=ROUND_HALF_UP
        )
    )


def authorization_object(
    authorized: int, declined: int, codes: Sequence[tuple[str, int]]
) -> dict[str, Any]:
    attempts = authorized + declined
    return {
        "attempts": attempts,
        "authorized": authorized,
        "declined": declined,
        "authorization_rate": ratio(authorized, attempts),
        "decline_rate": ratio(declined, attempts),
        "top_decline_codes": [
            {"code": code, "count": count} for code, count in list(codes)[:TOP_DECLINE_CODES]
        ],
    }


def day_range(period: Period) -> Iterable[date]:
    day = period.start
    while day <= period.end:
        yield day
        day += timedelta(days=1)
