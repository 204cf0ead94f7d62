"""Several payers: an invoice's payment plan splits what it owes into shares.

An insurer pays 80 % by bank transfer within 30 days, the customer 20 % by card at
pickup: each share names its payer (a customer), its amount (given, or a percentage of
what the invoice owes), its due date and how it is expected to be paid (a hint). The
shares add up to exactly what the invoice owes when the plan is made: percentages are
rounded down to the cent (:data:`SHARE_ROUNDING`) and the remainder cent(s) go to the
last share.

Every payment applied to the invoice is applied to its shares: first to the share it
names (never more than that share still owes: refused), then, for a payment naming no
share (a bank transfer matched from a statement, a PaymentIntent with ``invoice``), to
the open shares in order. The invoice is paid when all shares are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from enum import StrEnum
from typing import Final

from payments.kernel.errors import InvalidRequest

#: How a percentage share is rounded to the cent (the last share takes the remainder).
SHARE_ROUNDING: Final = ROUND_FLOOR
MAX_SHARES: Final = 10


class ShareStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"


@dataclass(frozen=True, slots=True, kw_only=True)
class ShareInput:
    customer: str | None = None  # default: the invoice's customer
    amount: int | None = None
    percent: str | None = None  # a decimal string, e.g. "80" or "33.5"
    due_date: date | None = None  # default: the invoice's due date
    payment_method_hint: str | None = None


@dataclass(slots=True, kw_only=True)
class InvoiceShare:
    id: str
    invoice_id: str
    position: int
    customer_id: str
    currency: str
    amount: int
    amount_paid: int
    status: ShareStatus
    created: datetime
    percent: str | None = None
    due_date: date | None = None
    payment_method_hint: str | None = None
    paid_at: datetime | None = None

    @property
    def amount_remaining(self) -> int:
        return self.amount - self.amount_paid


def _percent(value: str, param: str) -> Decimal:
    try:
        found = Decimal(value)
    except InvalidOperation:
        raise InvalidRequest(f"Invalid {param}: {value!r} is not a number.", param=param) from None
    if not found.is_finite() or found <= 0 or found > 100:
        raise InvalidRequest(f"Invalid {param}: a percentage above 0 and at most 100.", param=param)
    return found


def split(owed: int, shares: Sequence[ShareInput]) -> list[int]:
    """The amount of each share of ``owed``; refusals name the param (``shares[i][...]``)."""
    if not 2 <= len(shares) <= MAX_SHARES:
        raise InvalidRequest(f"A payment plan has 2 to {MAX_SHARES} shares.", param="shares")
    amounts: list[int] = []
    exact = Decimal(0)
    for i, share in enumerate(shares):
        if (share.amount is None) == (share.percent is None):
            raise InvalidRequest(
                f"Give shares[{i}][amount] or shares[{i}][percent], exactly one.",
                param=f"shares[{i}][amount]",
            )
        if share.amount is not None:
            if share.amount <= 0:
                raise InvalidRequest(
                    "A share's amount is a positive integer.", param=f"shares[{i}][amount]"
                )
            amounts.append(share.amount)
            exact += share.amount
        else:
            portion = Decimal(owed) * _percent(share.percent or "", f"shares[{i}][percent]") / 100
            amounts.append(int(portion.to_integral_value(rounding=SHARE_ROUNDING)))
            exact += portion
    if exact != owed:
        raise InvalidRequest(
            f"The shares add up to {exact.normalize()} but the invoice owes {owed}.",
            code="payment_plan_mismatch",
            param="shares",
        )
    amounts[-1] += owed - sum(amounts)  # the remainder cent(s) of rounding: the last share
    if any(a <= 0 for a in amounts):
        raise InvalidRequest("Every share must be at least one cent.", param="shares")
    return amounts


def allocate_to_shares(
    shares: Sequence[InvoiceShare], amount: int, *, first: str | None = None
) -> dict[str, int]:
    """Which share takes how much of ``amount``: the share ``first`` up to what it owes,
    then the open shares in order. What no share owes is left out (the caller applied
    at most what the invoice owes, so nothing is)."""
    taken: dict[str, int] = {}
    left = amount
    ordered = sorted(shares, key=lambda s: (s.id != first, s.position))
    for share in ordered:
        if left <= 0:
            break
        part = min(left, share.amount_remaining)
        if part > 0:
            taken[share.id] = part
            left -= part
    return taken
