"""Advance-payment invoices (EN 16931 type 386, a deposit) and their deduction.

An advance-payment invoice charges a deposit with its VAT before the repair is done.
Its VAT is due when the money is received (EU VAT directive, art. 65): each payment
applied to it makes the VAT of what has been received so far payable, per VAT group,
in proportion to the total and rounded half up, computed on the cumulative amount so
that the last payment makes exactly the invoice's VAT payable (no cent lost to
rounding). The final invoice charges the whole repair with its full VAT and deducts
the paid advance (its gross) as the prepaid amount (BT-113); the advance's VAT is
reversed there so it is not counted twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final, Literal

InvoiceType = Literal["invoice", "advance"]
INVOICE: Final = "invoice"
ADVANCE: Final = "advance"
INVOICE_TYPES: Final = (INVOICE, ADVANCE)


def vat_received(breakdown: Sequence[dict[str, Any]], *, total: int, paid: int) -> list[int]:
    """The VAT of each breakdown group that is due once ``paid`` of ``total`` has been
    received: ``tax x paid / total`` rounded half up; all of it once paid in full."""
    if total <= 0 or paid <= 0:
        return [0 for _ in breakdown]
    if paid >= total:
        return [int(group["amount"]) for group in breakdown]
    return [
        int(
            (Decimal(int(group["amount"])) * paid / total).quantize(
                Decimal(1), rounding=ROUND_HALF_UP
            )
        )
        for group in breakdown
    ]


def vat_due_on_receipt(
    breakdown: Sequence[dict[str, Any]], *, total: int, paid_before: int, paid_after: int
) -> list[int]:
    """Per breakdown group, the VAT that a payment taking ``amount_paid`` from
    ``paid_before`` to ``paid_after`` makes payable."""
    before = vat_received(breakdown, total=total, paid=paid_before)
    after = vat_received(breakdown, total=total, paid=paid_after)
    return [a - b for a, b in zip(after, before, strict=True)]
