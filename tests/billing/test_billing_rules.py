"""The pure rules: periods from the anchor, proration to the second, the dunning schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from payments.billing.domain.dunning import Schedule, after_failure
from payments.billing.domain.model import Interval
from payments.billing.domain.periods import next_period_end, prorate


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_monthly_periods_clamp_to_the_month_and_keep_the_anchor_day() -> None:
    anchor = at(2026, 1, 31, 10)
    ends = []
    end = anchor
    for _ in range(4):
        end = next_period_end(anchor, Interval.MONTH, 1, end)
        ends.append(end.date().isoformat())
    assert ends == ["2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31"]
    assert next_period_end(at(2024, 2, 29), Interval.YEAR, 1, at(2024, 2, 29)) == at(2025, 2, 28)
    assert next_period_end(anchor, Interval.WEEK, 2, anchor) == anchor + timedelta(weeks=2)


def test_proration_is_to_the_second_and_rounds_half_away_from_zero() -> None:
    start, end = datetime.fromtimestamp(1487030400, UTC), datetime.fromtimestamp(1489449600, UTC)
    change = datetime.fromtimestamp(1488568488, UTC)
    assert prorate(1000, start=start, end=end, at=change) == 364  # Stripe's example
    assert prorate(-1000, start=start, end=end, at=change) == -364
    half = start + (end - start) / 2
    assert prorate(1, start=start, end=end, at=half) == 1  # 0.5 -> 1
    assert prorate(-1, start=start, end=end, at=half) == -1
    assert prorate(1000, start=start, end=end, at=end) == 0
    assert prorate(1000, start=start, end=end, at=start - timedelta(days=1)) == 1000


def test_the_dunning_schedule() -> None:
    schedule = Schedule((3, 5, 7), "unpaid")
    t = at(2026, 2, 15)
    assert after_failure(schedule, attempts=1, decline_code="card_declined", at=t).next_attempt == (
        t + timedelta(days=3)
    )
    assert after_failure(schedule, attempts=3, decline_code="do_not_honor", at=t).next_attempt == (
        t + timedelta(days=7)
    )
    last = after_failure(schedule, attempts=4, decline_code="insufficient_funds", at=t)
    assert (last.next_attempt, last.final) == (None, True)
    for hard in ("lost_card", "stolen_card", "expired_card", "authentication_required"):
        outcome = after_failure(schedule, attempts=1, decline_code=hard, at=t)
        assert (outcome.next_attempt, outcome.final) == (None, False)
