"""VAT rates by (country, category, date), from the packaged data file.

``data/vat_rates.csv`` has one row per rate period: ``country, category, rate, valid_from,
valid_to, source, description``. ``rate`` is a percent as a decimal string (``"8.1"``);
``valid_to`` is inclusive and empty while the rate is in force. The file covers tax points
from 2023-01-01 (``COVERAGE_START``): a row starting on that day may be older. It is read
once (:func:`rate_table`) and validated as it is read: known countries and categories, a
rate in [0, 100) with at most two decimals, ``zero``/``exempt`` at 0, a ``standard`` rate
per country, and per (country, category) periods that neither overlap nor leave gaps.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources

from payments.tax.domain.countries import SUPPORTED_COUNTRIES
from payments.tax.domain.errors import RateTableError, UnknownTaxRate
from payments.tax.domain.model import TaxCategory

COVERAGE_START = date(2023, 1, 1)
COLUMNS = ("country", "category", "rate", "valid_from", "valid_to", "source", "description")
_ZERO_CATEGORIES = frozenset({TaxCategory.ZERO, TaxCategory.EXEMPT})


@dataclass(frozen=True, slots=True)
class RatePeriod:
    country: str
    category: TaxCategory
    rate: Decimal
    valid_from: date
    valid_to: date | None  # inclusive; None while in force
    source: str
    description: str

    def covers(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


class RateTable:
    """Validated rate periods, looked up by (country, category, date)."""

    def __init__(self, periods: Iterable[RatePeriod]) -> None:
        by_key: dict[tuple[str, TaxCategory], list[RatePeriod]] = defaultdict(list)
        for period in periods:
            by_key[(period.country, period.category)].append(period)
        for key, history in by_key.items():
            history.sort(key=lambda p: p.valid_from)
            _check_history(key, history)
        missing = {c for c, _ in by_key} - {c for c, cat in by_key if cat is TaxCategory.STANDARD}
        if missing:
            raise RateTableError(f"no standard rate for {sorted(missing)}")
        self._periods: Mapping[tuple[str, TaxCategory], tuple[RatePeriod, ...]] = {
            k: tuple(v) for k, v in by_key.items()
        }

    def period(self, country: str, category: TaxCategory, on: date) -> RatePeriod:
        for period in self._periods.get((country, TaxCategory(category)), ()):
            if period.covers(on):
                return period
        raise UnknownTaxRate(
            f"No VAT rate for country {country}, category {category} on {on.isoformat()}",
            param="tax_category",
        )

    def rate(self, country: str, category: TaxCategory, on: date) -> Decimal:
        return self.period(country, category, on).rate

    def rates_on(self, country: str, on: date) -> dict[TaxCategory, Decimal]:
        """Every category with a rate in ``country`` on ``on`` (in enum order)."""
        found: dict[TaxCategory, Decimal] = {}
        for category in TaxCategory:
            for period in self._periods.get((country, category), ()):
                if period.covers(on):
                    found[category] = period.rate
        return found

    def history(self, country: str, category: TaxCategory) -> tuple[RatePeriod, ...]:
        return self._periods.get((country, TaxCategory(category)), ())

    @property
    def countries(self) -> frozenset[str]:
        return frozenset(c for c, _ in self._periods)

    def __iter__(self) -> Iterator[RatePeriod]:
        for history in self._periods.values():
            yield from history


def _check_history(key: tuple[str, TaxCategory], history: list[RatePeriod]) -> None:
    country, category = key
    for earlier, later in itertools.pairwise(history):
        if earlier.valid_to is None or earlier.valid_to >= later.valid_from:
            raise RateTableError(
                f"{country} {category}: period from {earlier.valid_from} overlaps the one "
                f"from {later.valid_from}"
            )
        if earlier.valid_to + timedelta(days=1) != later.valid_from:
            raise RateTableError(
                f"{country} {category}: gap between {earlier.valid_to} and {later.valid_from}"
            )


def _parse_date(text: str, what: str, line: int) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RateTableError(f"line {line}: {what} {text!r} is not an ISO date") from None


def _parse_rate(text: str, line: int) -> Decimal:
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise RateTableError(f"line {line}: rate {text!r} is not a decimal") from None
    exponent = rate.as_tuple().exponent
    if (
        not rate.is_finite()
        or not isinstance(exponent, int)
        or exponent < -2
        or not Decimal(0) <= rate < 100
    ):
        raise RateTableError(f"line {line}: rate {text!r} must be in [0, 100), 2 decimals at most")
    return rate


def parse_rate_table(text: str) -> RateTable:
    """Parse and validate the CSV text of a rate file (raises :class:`RateTableError`)."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise RateTableError(f"columns must be {', '.join(COLUMNS)}")
    periods = []
    for row in reader:
        line = reader.line_num
        country = row["country"]
        if country not in SUPPORTED_COUNTRIES:
            raise RateTableError(f"line {line}: unknown country {country!r}")
        try:
            category = TaxCategory(row["category"])
        except ValueError:
            raise RateTableError(f"line {line}: unknown category {row['category']!r}") from None
        rate = _parse_rate(row["rate"], line)
        if category in _ZERO_CATEGORIES and rate != 0:
            raise RateTableError(f"line {line}: {category} must have rate 0")
        valid_from = _parse_date(row["valid_from"], "valid_from", line)
        valid_to = _parse_date(row["valid_to"], "valid_to", line) if row["valid_to"] else None
        if valid_to is not None and valid_to < valid_from:
            raise RateTableError(f"line {line}: valid_to is before valid_from")
        if not row["source"].strip():
            raise RateTableError(f"line {line}: a source is required")
        periods.append(
            RatePeriod(
                country=country,
                category=category,
                rate=rate,
                valid_from=valid_from,
                valid_to=valid_to,
                source=row["source"],
                description=row["description"],
            )
        )
    return RateTable(periods)


@cache
def rate_table() -> RateTable:
    """The packaged rate table, read and validated once per process."""
    text = resources.files("payments.tax").joinpath("data/vat_rates.csv").read_text("utf-8")
    return parse_rate_table(text)


def rate_for(country: str, category: TaxCategory, on: date) -> Decimal:
    """The VAT rate (percent) of ``category`` in ``country`` on ``on``.

    Raises :class:`~payments.tax.domain.errors.UnknownTaxRate` (400 ``tax_rate_unknown``)
    for a country outside the file, a category the country does not have, or a date
    outside the file's coverage.
    """
    return rate_table().rate(country, category, on)
