"""Credit note rules: how much may be credited, and where the credit goes.

A credit note corrects a finalized invoice (open, paid or uncollectible) by lines
(invoice lines with a quantity, or custom lines) or by an ``amount``. Its total is
settled in four parts (Stripe's names), which always sum to the total:

* ``pre_payment_amount``: reduces what the invoice still owes (``amount_remaining``);
  it is what is left of the total after the three explicit parts below, and may not
  exceed what the invoice still owes;
* ``refund_amount``: refunded through the invoice's payments;
* ``credit_amount``: to the customer's credit balance;
* ``out_of_band_amount``: paid back outside the service (cash, a bank transfer).

The explicit parts are the post-payment amount: together they may not exceed what was
paid and not yet credited after payment. All credit notes of an invoice together never
exceed its total.

Errors: kernel ``InvalidRequest`` naming the param (``amount_too_large`` when a limit is
passed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from payments.kernel.errors import InvalidRequest


class CreditNoteReason(StrEnum):
    DUPLICATE = "duplicate"
    FRAUDULENT = "fraudulent"
    ORDER_CHANGE = "order_change"
    PRODUCT_UNSATISFACTORY = "product_unsatisfactory"
    WARRANTY = "warranty"
    REPAIR_CANCELLED = "repair_cancelled"


#: The refund reason a credit note's refunds carry.
REFUND_REASONS: dict[CreditNoteReason, str] = {
    CreditNoteReason.DUPLICATE: "duplicate",
    CreditNoteReason.FRAUDULENT: "fraudulent",
    CreditNoteReason.ORDER_CHANGE: "requested_by_customer",
    CreditNoteReason.PRODUCT_UNSATISFACTORY: "requested_by_customer",
    CreditNoteReason.WARRANTY: "warranty",
    CreditNoteReason.REPAIR_CANCELLED: "repair_cancelled",
}

#: The credit note reason of a refund requested through the refunds API.
FROM_REFUND_REASON: dict[str, CreditNoteReason] = {
    "duplicate": CreditNoteReason.DUPLICATE,
    "fraudulent": CreditNoteReason.FRAUDULENT,
    "requested_by_customer": CreditNoteReason.ORDER_CHANGE,
    "warranty": CreditNoteReason.WARRANTY,
    "repair_cancelled": CreditNoteReason.REPAIR_CANCELLED,
    "goodwill": CreditNoteReason.PRODUCT_UNSATISFACTORY,
}


@dataclass(frozen=True, slots=True)
class Settlement:
    pre_payment: int
    refund: int
    credit: int
    out_of_band: int

    @property
    def post_payment(self) -> int:
        return self.refund + self.credit + self.out_of_band


def settle(
    total: int,
    *,
    amount_remaining: int,
    creditable_after_payment: int,
    credited_so_far: int,
    invoice_total: int,
    refund: int = 0,
    credit: int = 0,
    out_of_band: int = 0,
) -> Settlement:
    """Split a credit note's ``total``; 400 naming the param when a limit is passed."""
    if total <= 0:
        raise InvalidRequest(
            "A credit note's total must be positive.",
            code="parameter_invalid_integer",
            param="amount",
        )
    if credited_so_far + total > invoice_total:
        raise InvalidRequest(
            f"The credit note's total ({total}) is more than what remains to credit on the "
            f"invoice ({invoice_total - credited_so_far} of {invoice_total}).",
            code="amount_too_large",
            param="amount",
        )
    parts = {"refund_amount": refund, "credit_amount": credit, "out_of_band_amount": out_of_band}
    for name, value in parts.items():
        if value < 0:
            raise InvalidRequest(
                f"Invalid {name}: must not be negative",
                code="parameter_invalid_integer",
                param=name,
            )
    explicit = refund + credit + out_of_band
    named = next((n for n, v in parts.items() if v), "refund_amount")
    if explicit > total:
        raise InvalidRequest(
            f"refund_amount, credit_amount and out_of_band_amount ({explicit}) add up to more "
            f"than the credit note's total ({total}).",
            code="amount_too_large",
            param=named,
        )
    if explicit > creditable_after_payment:
        raise InvalidRequest(
            f"Only {creditable_after_payment} was paid on the invoice and not yet credited: "
            f"{named} cannot take {explicit}.",
            code="amount_too_large",
            param=named,
        )
    pre = total - explicit
    if pre > amount_remaining:
        raise InvalidRequest(
            f"The invoice owes {amount_remaining}, less than the {pre} of this credit note "
            "that is not refunded, credited or paid out of band: say where it goes with "
            "refund_amount, credit_amount or out_of_band_amount.",
            code="amount_too_large",
            param="refund_amount" if amount_remaining == 0 else "amount",
        )
    return Settlement(pre_payment=pre, refund=refund, credit=credit, out_of_band=out_of_band)


def allocate_proportionally(amount: int, weights: Sequence[int]) -> list[int]:
    """Split ``amount`` over ``weights`` (largest remainder; ties to the earlier weight)."""
    total = sum(weights)
    if total <= 0:
        raise ValueError("weights must sum to a positive amount")
    exact = [Decimal(amount) * w / total for w in weights]
    shares = [int(x.to_integral_value(rounding="ROUND_FLOOR")) for x in exact]
    remainder = amount - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:remainder]:
        shares[i] += 1
    return shares


def prorated(amount: int, part: Decimal, whole: Decimal) -> int:
    """``amount x part / whole`` rounded half up (a line discount for part of its quantity)."""
    return int((Decimal(amount) * part / whole).to_integral_value(rounding=ROUND_HALF_UP))
