"""ECB euro reference rates and exact conversion (pure).

The ECB publishes, on each TARGET business day around 16:00 CET, how many units of ~30
currencies one euro buys (``PLN 4.2718`` = 4.2718 zloty per euro). No rate is published
on weekends and TARGET holidays: the rate *of* a date is therefore the last one published
on or before it (:meth:`RateHistory.rate_on`), and every converted figure carries the rate
it used and that rate's date.

Conversion (:func:`convert`) is exact: the minor units are divided by the rate as an
exact fraction (integers, no precision limit) and rounded once, at the end, to the
target currency's minor unit with :data:`FX_ROUNDING` (half-up, "commercial rounding",
as accountants round; a tie goes away from zero). A rate between two non-euro currencies (a cross rate, :func:`cross_rate`) is the
quotient of their ECB rates rounded to :data:`CROSS_RATE_PLACES` decimal places with the
same rounding; the conversion then uses the rate as shown, so anyone can reproduce a
converted figure from the rate printed beside it.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import cache
from typing import Final

from payments.kernel.money import exponent

#: The one rounding of FX conversion: half-up ("commercial rounding").
FX_ROUNDING: Final = ROUND_HALF_UP
#: Decimal places of a cross rate (ECB publishes 5 significant digits; 6 places keep them).
CROSS_RATE_PLACES: Final = 6

BASE: Final = "eur"
#: The oldest a rate may be for the date it is used on. The longest run of days without
#: a publication is Easter (Thursday's rate serves until Monday: 4 days); a rate older
#: than this means the history is out of date (refresh it), not a holiday.
MAX_RATE_AGE_DAYS: Final = 5


class RateUnavailable(ValueError):
    """No ECB rate for the currency on or before the date (or the currency is not one the
    ECB publishes)."""

    def __init__(self, currency: str, on: date | None = None, latest: date | None = None) -> None:
        when = f" on or before {on.isoformat()}" if on else ""
        message = f"No ECB reference rate for {currency.upper()}{when}."
        if latest is not None:
            message = (
                f"No ECB reference rate for {currency.upper()} near {on}: the latest known "
                f"is of {latest.isoformat()}. Refresh the rates (payments fx refresh)."
            )
        super().__init__(message)
        self.currency = currency
        self.on = on
        self.latest = latest


@dataclass(frozen=True, slots=True)
class ReferenceRate:
    """``rate`` units of ``currency`` per 1 unit of ``per`` (``eur`` for ECB's own rates),
    as published (or derived) for ``rate_date``."""

    currency: str
    rate: Decimal
    rate_date: date
    per: str = BASE


class RateHistory:
    """Every published rate per currency, searchable by date. Immutable once built."""

    def __init__(self, rates: Mapping[str, Iterable[tuple[date, Decimal]]]) -> None:
        self._dates: dict[str, list[date]] = {}
        self._rates: dict[str, list[Decimal]] = {}
        for currency, series in rates.items():
            ordered = sorted(dict(series).items())
            if ordered:
                self._dates[currency.lower()] = [d for d, _ in ordered]
                self._rates[currency.lower()] = [r for _, r in ordered]

    def merged(self, newer: Mapping[str, Iterable[tuple[date, Decimal]]]) -> RateHistory:
        """This history with ``newer`` rates added (a newer figure for a date wins)."""
        combined: dict[str, dict[date, Decimal]] = {
            c: dict(zip(self._dates[c], self._rates[c], strict=True)) for c in self._dates
        }
        for currency, series in newer.items():
            combined.setdefault(currency.lower(), {}).update(dict(series))
        return RateHistory({c: s.items() for c, s in combined.items()})

    @property
    def currencies(self) -> frozenset[str]:
        """The currencies with a rate, ``eur`` included."""
        return frozenset(self._dates) | {BASE}

    def published(self, currency: str) -> bool:
        """Whether the ECB still publishes ``currency`` (a rate on its latest date)."""
        currency = currency.lower()
        if currency == BASE:
            return True
        latest = self.latest_date
        return (
            currency in self._dates and latest is not None and self._dates[currency][-1] == latest
        )

    @property
    def latest_date(self) -> date | None:
        return max((d[-1] for d in self._dates.values()), default=None)

    def rate_on(self, currency: str, on: date) -> ReferenceRate:
        """The ECB rate of ``on``: published that day, else the last one before it (at most
        :data:`MAX_RATE_AGE_DAYS` old)."""
        currency = currency.lower()
        if currency == BASE:
            return ReferenceRate(BASE, Decimal(1), on)
        dates = self._dates.get(currency)
        if not dates:
            raise RateUnavailable(currency)
        i = bisect.bisect_right(dates, on)
        if i == 0:
            raise RateUnavailable(currency, on)
        if (on - dates[i - 1]).days > MAX_RATE_AGE_DAYS:
            raise RateUnavailable(currency, on, latest=dates[i - 1])
        return ReferenceRate(currency, self._rates[currency][i - 1], dates[i - 1])


def cross_rate(history: RateHistory, currency: str, per: str, on: date) -> ReferenceRate:
    """Units of ``currency`` per 1 unit of ``per`` on ``on``: the ECB rate itself when
    ``per`` is the euro, 1 for the same currency, else the quotient of the two ECB rates
    rounded to :data:`CROSS_RATE_PLACES` places (dated with the later of the ECB dates)."""
    currency, per = currency.lower(), per.lower()
    if currency == per:
        return ReferenceRate(currency, Decimal(1), on, per)
    if per == BASE:
        return history.rate_on(currency, on)
    of = history.rate_on(currency, on)
    base = history.rate_on(per, on)
    with localcontext() as ctx:
        ctx.prec = 40
        rate = (of.rate / base.rate).quantize(
            Decimal(1).scaleb(-CROSS_RATE_PLACES), rounding=FX_ROUNDING
        )
    published = [r.rate_date for r in (of, base) if r.currency != BASE]
    return ReferenceRate(currency, rate, max(published), per)


def convert(amount: int, rate: ReferenceRate) -> int:
    """``amount`` minor units of ``rate.currency`` in minor units of ``rate.per``: divided
    by the rate, rounded once with :data:`FX_ROUNDING` (half-up: a tie goes away from
    zero). Done on the exact fraction of the rate (integers, no precision limit)."""
    return converter(rate)(amount)


def converter(rate: ReferenceRate) -> Callable[[int], int]:
    """:func:`convert` at one rate, its fraction worked out once (for many amounts)."""
    mult, den = rate_fraction(rate)

    def at_rate(amount: int) -> int:
        rounded: int = (abs(amount) * mult + den) // (2 * den)  # half-up on the magnitude
        return rounded if amount >= 0 else -rounded

    return at_rate


def rate_fraction(rate: ReferenceRate) -> tuple[int, int]:
    """``(mult, den)``: :func:`convert` of ``amount`` is ``(|amount| * mult + den) //
    (2 * den)``, signed like ``amount`` (exact integers; for conversion elsewhere, e.g. in
    SQL, with the same result to the minor unit)."""
    if rate.rate <= 0:
        raise ValueError("an exchange rate is positive")
    p, q = rate.rate.as_integer_ratio()  # rate = p / q exactly
    return 2 * 10 ** _exponent(rate.per) * q, 10 ** _exponent(rate.currency) * p


@cache
def _exponent(currency: str) -> int:
    return exponent(currency)


def rate_text(rate: Decimal) -> str:
    """A rate as shown on the API: plain decimal notation, no exponent, no trailing zeros
    beyond what was published."""
    return format(rate, "f")


def parse_history_csv(text: str) -> dict[str, list[tuple[date, Decimal]]]:
    """ECB's ``eurofxref-hist.csv``: a ``Date`` column then one column per currency, one
    row per business day, ``N/A`` where a currency had no rate."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return {}
    header = [h.strip() for h in lines[0].split(",")]
    if not header or header[0] != "Date":
        raise ValueError("not an ECB history file: the first column is not Date")
    out: dict[str, list[tuple[date, Decimal]]] = {}
    for line in lines[1:]:
        cells = [c.strip() for c in line.split(",")]
        day = date.fromisoformat(cells[0])
        for code, cell in zip(header[1:], cells[1:], strict=False):
            if code and cell and cell != "N/A":
                out.setdefault(code.lower(), []).append((day, Decimal(cell)))
    return out
