"""An invoice's (or credit note's) amounts from its lines, through the tax engine.

Lines go to :func:`payments.tax.domain.calculate_tax` as ``amount - discount_amount``
(net for ``exclusive`` lines, gross for ``inclusive`` ones); it returns each line's
EN 16931 category, rate and net amount (BT-131) and the VAT breakdown, VAT rounded
once per group. :func:`priced` writes those figures onto the records in Stripe's
names::

    subtotal                lines after line discounts, as entered (inclusive: gross)
    subtotal_excluding_tax  = total_excluding_tax = Σ taxable amounts (BT-109)
    tax                     Σ VAT per group (BT-110)
    total                   total_excluding_tax + tax (BT-112)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from payments.tax.domain import TaxableLine, TaxCalculation, TaxParty, calculate_tax


class PricedLine(Protocol):
    """What pricing reads and writes of an invoice or credit note line."""

    id: str
    amount: int
    discount_amount: int
    tax_category: str
    tax_behavior: str
    kind: str
    exemption_reason: str | None
    category_code: str | None
    tax_rate: str | None
    net_amount: int


@dataclass(frozen=True, slots=True)
class Amounts:
    subtotal: int
    subtotal_excluding_tax: int
    tax: int
    total: int
    total_excluding_tax: int
    tax_breakdown: list[dict[str, Any]]
    tax_notes: list[str]


def rate_text(rate: Decimal) -> str:
    """A rate as the API shows it: ``"19"``, ``"8.1"``, ``"0"`` (exact, no exponent)."""
    text = format(rate.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def vat_group(country: str, category_code: str, rate: str) -> str:
    """The ledger dimension of a VAT group: ``DE:S:19`` (seller country, EN 16931 category
    code, rate). Reports sum ``sales`` and ``vat_payable`` by it."""
    return f"{country}:{category_code}:{rate}"


def calculate(
    lines: Sequence[PricedLine],
    *,
    seller: TaxParty,
    buyer: TaxParty,
    currency: str,
    tax_point: date,
) -> TaxCalculation:
    return calculate_tax(
        [
            TaxableLine(
                key=line.id,
                amount=line.amount - line.discount_amount,
                tax_category=line.tax_category,  # type: ignore[arg-type]
                tax_behavior=line.tax_behavior,  # type: ignore[arg-type]
                kind=line.kind,  # type: ignore[arg-type]
                exemption_reason=line.exemption_reason,
            )
            for line in lines
        ],
        seller=seller,
        buyer=buyer,
        currency=currency,
        tax_point=tax_point,
    )


def priced(lines: Sequence[PricedLine], calc: TaxCalculation, *, seller_country: str) -> Amounts:
    """Write the engine's treatment onto ``lines`` (in place) and return the totals."""
    by_key = {t.key: t for t in calc.lines}
    for line in lines:
        treated = by_key[line.id]
        line.category_code = treated.category_code
        line.tax_rate = rate_text(treated.rate)
        line.net_amount = treated.net_amount
    breakdown = [
        {
            "category": b.category_code,
            "rate": rate_text(b.rate),
            "country": seller_country,
            "taxable_amount": b.taxable_amount,
            "amount": b.tax_amount,
            "exemption_reason": b.exemption_reason,
            "exemption_reason_code": b.exemption_reason_code,
        }
        for b in calc.breakdown
    ]
    return Amounts(
        subtotal=sum(line.amount - line.discount_amount for line in lines),
        subtotal_excluding_tax=calc.net_total,
        tax=calc.tax_total,
        total=calc.gross_total,
        total_excluding_tax=calc.net_total,
        tax_breakdown=breakdown,
        tax_notes=list(calc.notes),
    )
