"""The dunning schedule: when a failed renewal payment is retried, and what follows the
last retry. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# Declines the card's issuer will not reverse: retrying is pointless until the customer
# gives another payment method. do_not_honor and the rest count as soft.
HARD_DECLINES = frozenset({"lost_card", "stolen_card", "expired_card", "pickup_card"})
AUTHENTICATION = frozenset({"authentication_required"})


@dataclass(frozen=True, slots=True)
class Schedule:
    retry_days: tuple[int, ...]  # days after the previous attempt
    final_action: str  # unpaid | canceled


@dataclass(frozen=True, slots=True)
class Outcome:
    """After a failed attempt: the next retry (None: no more), and whether the final
    action applies now."""

    next_attempt: datetime | None
    final: bool


def after_failure(
    schedule: Schedule, *, attempts: int, decline_code: str | None, at: datetime
) -> Outcome:
    """``attempts``: how many attempts have been made, this one included (1 after the
    first charge). A hard decline or an authentication request stops the retries (the
    customer must act: a new payment method retries at once); otherwise retry i waits
    ``retry_days[i-1]`` days, and after the last one the final action applies."""
    if decline_code in HARD_DECLINES or decline_code in AUTHENTICATION:
        return Outcome(next_attempt=None, final=False)
    retries_done = attempts - 1
    if retries_done < len(schedule.retry_days):
        return Outcome(at + timedelta(days=schedule.retry_days[retries_done]), final=False)
    return Outcome(next_attempt=None, final=True)


def parse_days(values: Sequence[int]) -> tuple[int, ...]:
    return tuple(int(v) for v in values)
