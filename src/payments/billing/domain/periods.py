"""Billing periods and proration, pure.

Periods are counted from the billing cycle anchor as Stripe does: a monthly
subscription anchored on January 31 renews on February 28 (the month's last day), then
March 31; each end is ``anchor + k intervals`` with the day clamped to the month, so a
short month never shifts the following ones.

Prorations are computed to the second (Stripe's default): an item's share of a period is
``amount x (period_end - at) / (period_end - period_start)``, rounded once per line,
half away from zero (:data:`PRORATION_ROUNDING`).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from payments.billing.domain.model import Interval

PRORATION_ROUNDING = ROUND_HALF_UP  # half away from zero, for credits and debits alike
MAX_PERIODS = 100_000


def _add_months(when: datetime, months: int) -> datetime:
    total = when.month - 1 + months
    year, month = when.year + total // 12, total % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


def add_intervals(anchor: datetime, interval: Interval, count: int) -> datetime:
    """``anchor`` plus ``count`` intervals (months and years clamp the day)."""
    match interval:
        case Interval.DAY:
            return anchor + timedelta(days=count)
        case Interval.WEEK:
            return anchor + timedelta(weeks=count)
        case Interval.MONTH:
            return _add_months(anchor, count)
        case Interval.YEAR:
            return _add_months(anchor, 12 * count)


def next_period_end(
    anchor: datetime, interval: Interval, interval_count: int, after: datetime
) -> datetime:
    """The first end of a period (``anchor + k x interval_count``, k >= 1) later than
    ``after``."""
    if after < anchor:
        return anchor
    for k in range(1, MAX_PERIODS):
        end = add_intervals(anchor, interval, k * interval_count)
        if end > after:
            return end
    raise ValueError("period too far from its anchor")


def full_period_start(end: datetime, interval: Interval, interval_count: int) -> datetime:
    """The start of a full period ending at ``end`` (a first period shortened by a
    billing cycle anchor is prorated against it)."""
    return add_intervals(end, interval, -interval_count)


def prorate(amount: int, *, start: datetime, end: datetime, at: datetime) -> int:
    """``amount``'s share of the period [start, end) still to come at ``at``, to the
    second, rounded (:data:`PRORATION_ROUNDING`). Negative amounts (credits) round
    symmetrically."""
    total = int((end - start).total_seconds())
    remaining = int((end - max(at, start)).total_seconds())
    if total <= 0 or remaining <= 0:
        return 0
    share = Decimal(amount) * Decimal(remaining) / Decimal(total)
    return int(share.quantize(Decimal(1), rounding=PRORATION_ROUNDING))


@dataclass(frozen=True, slots=True)
class ItemState:
    """One item as it is before or after a change: its price and quantity."""

    price_id: str
    description: str
    unit_amount: int
    quantity: int
    tax_category: str
    tax_behavior: str


@dataclass(frozen=True, slots=True)
class ProrationLine:
    """A proration as an invoice line: a credit for unused time (negative) or a debit
    for the remaining time (positive)."""

    description: str
    amount: int
    price_id: str
    quantity: int
    tax_category: str
    tax_behavior: str
    period_start: datetime
    period_end: datetime


def _day(when: datetime) -> str:
    return when.strftime("%d %b %Y")


def prorations(
    before: list[ItemState],
    after: list[ItemState],
    *,
    period_start: datetime,
    period_end: datetime,
    at: datetime,
) -> list[ProrationLine]:
    """Stripe's proration lines for a change at ``at``: every item whose price or
    quantity changed is credited for its unused time and charged for the remaining
    time at its new price and quantity (an item removed is only credited, an item added
    only charged)."""
    lines: list[ProrationLine] = []
    old = {i.price_id: i for i in before}
    new = {i.price_id: i for i in after}
    for item in before:
        now = new.get(item.price_id)
        if now is not None and now.quantity == item.quantity:
            continue
        amount = -prorate(
            item.unit_amount * item.quantity, start=period_start, end=period_end, at=at
        )
        if amount:
            lines.append(
                ProrationLine(
                    description=f"Unused time on {item.quantity} x {item.description} "
                    f"after {_day(at)}",
                    amount=amount,
                    price_id=item.price_id,
                    quantity=item.quantity,
                    tax_category=item.tax_category,
                    tax_behavior=item.tax_behavior,
                    period_start=at,
                    period_end=period_end,
                )
            )
    for item in after:
        was = old.get(item.price_id)
        if was is not None and was.quantity == item.quantity:
            continue
        amount = prorate(
            item.unit_amount * item.quantity, start=period_start, end=period_end, at=at
        )
        if amount:
            lines.append(
                ProrationLine(
                    description=f"Remaining time on {item.quantity} x {item.description} "
                    f"after {_day(at)}",
                    amount=amount,
                    price_id=item.price_id,
                    quantity=item.quantity,
                    tax_category=item.tax_category,
                    tax_behavior=item.tax_behavior,
                    period_start=at,
                    period_end=period_end,
                )
            )
    return lines
