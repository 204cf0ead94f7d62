"""Installments: an open invoice charged in N scheduled parts on a saved card or SEPA
mandate.

Each :class:`Installment` is charged by the worker on its date, exactly once: the job
claims due installments with a lease (``SKIP LOCKED`` on PostgreSQL), creates the
installment's PaymentIntent (``invoice`` set, off-session) in the same transaction that
records it on the installment, and confirms it through the PaymentIntents' three-phase
attempts (recorded before the call, keyed by the attempt, recovered when the outcome is
lost). A second worker, or the same one after a crash, finds the PaymentIntent already
there and never makes another. The outcome reaches the installment in the
PaymentIntent's own transaction (succeeded, or failed and rescheduled by
:data:`RETRY_DELAYS`; after the last retry it is ``failed``).

Statuses::

    scheduled --charged--> processing --succeeded--> succeeded
              <--failed, retries left--
                                       --failed, none left--> failed
    scheduled --cancel | pay off--> canceled
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from payments.kernel.errors import InvalidRequest

#: When a failed installment is tried again, counted from the failure: after 1, 3 and 7
#: days (then it is ``failed``).
RETRY_DELAYS: Final[tuple[timedelta, ...]] = (
    timedelta(days=1),
    timedelta(days=3),
    timedelta(days=7),
)
MAX_INSTALLMENTS: Final = 24


class InstallmentStatus(StrEnum):
    SCHEDULED = "scheduled"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


@dataclass(slots=True, kw_only=True)
class Installment:
    id: str
    invoice_id: str
    location_id: str
    position: int
    currency: str
    amount: int
    charge_at: datetime
    status: InstallmentStatus
    payment_method_id: str
    created: datetime
    next_attempt_at: datetime | None = None
    attempt_count: int = 0
    payment_intent_id: str | None = None
    locked_until: datetime | None = None
    last_error: str | None = None
    paid_at: datetime | None = None


def equal_amounts(owed: int, count: int) -> list[int]:
    """``owed`` in ``count`` equal parts, rounded down; the remainder on the last."""
    if not 2 <= count <= MAX_INSTALLMENTS:
        raise InvalidRequest(
            f"An installment plan has 2 to {MAX_INSTALLMENTS} installments.", param="count"
        )
    part = owed // count
    if part <= 0:
        raise InvalidRequest("Every installment must be at least one cent.", param="count")
    return [part] * (count - 1) + [owed - part * (count - 1)]


def check_given(owed: int, amounts: Sequence[int], dates: Sequence[datetime]) -> None:
    """Given installments add up to what is owed, on dates in order."""
    if not 2 <= len(amounts) <= MAX_INSTALLMENTS:
        raise InvalidRequest(
            f"An installment plan has 2 to {MAX_INSTALLMENTS} installments.",
            param="installments",
        )
    if sum(amounts) != owed:
        raise InvalidRequest(
            f"The installments add up to {sum(amounts)} but the invoice owes {owed}.",
            code="installment_plan_mismatch",
            param="installments",
        )
    for i in range(1, len(dates)):
        if dates[i] <= dates[i - 1]:
            raise InvalidRequest(
                "Installment dates must be in increasing order.",
                param=f"installments[{i}][date]",
            )


def add_months(start: datetime, months: int) -> datetime:
    """The same day ``months`` later (the month's last day where it is shorter)."""
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    for day in range(start.day, 27, -1):
        try:
            return start.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return start.replace(year=year, month=month, day=min(start.day, 28))


def after_failure(attempt_count: int, now: datetime) -> datetime | None:
    """When to try again after the ``attempt_count``-th failed attempt, or None."""
    retry = attempt_count - 1
    return now + RETRY_DELAYS[retry] if retry < len(RETRY_DELAYS) else None
