"""``calculate_tax``: the lines of an invoice in, EN 16931 VAT breakdown and totals out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from payments.kernel.errors import InvalidRequest
from payments.kernel.money import MoneyError, normalize_currency
from payments.tax.domain.countries import SUPPORTED_COUNTRIES
from payments.tax.domain.errors import MixedTaxBehavior, UnknownTaxRate
from payments.tax.domain.model import (
    CategoryCode,
    LineTax,
    TaxableLine,
    TaxBehavior,
    TaxBreakdown,
    TaxCalculation,
    TaxParty,
)
from payments.tax.domain.rounding import allocate, net_from_gross, tax_on
from payments.tax.domain.treatment import Treatment, treat
from payments.tax.domain.vat_ids import check_vat_id

_CODE_ORDER = {code: i for i, code in enumerate(CategoryCode)}


@dataclass
class _Group:
    code: CategoryCode
    rate: Decimal
    indexes: list[int] = field(default_factory=list)
    reasons: set[str] = field(default_factory=set)
    reason_codes: set[str | None] = field(default_factory=set)


def _check_inputs(
    lines: Sequence[TaxableLine], seller: TaxParty, buyer: TaxParty, currency: str
) -> str:
    try:
        cur = normalize_currency(currency)
    except MoneyError:
        raise InvalidRequest(
            f"Invalid currency: {currency!r}", code="currency_invalid", param="currency"
        ) from None
    if seller.country not in SUPPORTED_COUNTRIES:
        raise UnknownTaxRate(
            f"No VAT rates for the seller's country {seller.country} "
            f"(supported: {', '.join(sorted(SUPPORTED_COUNTRIES))})",
            param="country",
        )
    if seller.vat_id is not None:
        check_vat_id(seller.vat_id, param="seller[vat_id]")
    if buyer.vat_id is not None:
        check_vat_id(buyer.vat_id, param="buyer[vat_id]")
    if lines:
        behavior = lines[0].tax_behavior
        for i, line in enumerate(lines):
            if line.tax_behavior is not behavior:
                raise MixedTaxBehavior(
                    "All lines of one invoice must have the same tax_behavior "
                    f"(line 0 is {behavior}, line {i} is {line.tax_behavior})",
                    param=f"lines[{i}][tax_behavior]",
                )
    return cur


def calculate_tax(
    lines: Sequence[TaxableLine],
    *,
    seller: TaxParty,
    buyer: TaxParty,
    currency: str,
    tax_point: date,
) -> TaxCalculation:
    """VAT of ``lines`` sold by ``seller`` to ``buyer`` at ``tax_point``, per EN 16931.

    Lines are grouped by (category code, rate); each group's VAT is computed ONCE from the
    group's total (``tax_on``, half up), never per line; inclusive groups are
    back-calculated from their gross (``net_from_gross``). Totals are consistent by
    construction. All lines must share one ``tax_behavior`` (400 ``tax_behavior_mixed``).
    """
    cur = _check_inputs(lines, seller, buyer, currency)
    treatments: list[Treatment] = [
        treat(line, seller=seller, buyer=buyer, tax_point=tax_point, index=i)
        for i, line in enumerate(lines)
    ]
    groups: dict[tuple[CategoryCode, Decimal], _Group] = {}
    for i, t in enumerate(treatments):
        group = groups.setdefault((t.code, t.rate), _Group(t.code, t.rate))
        group.indexes.append(i)
        if t.exemption_reason:
            group.reasons.add(t.exemption_reason)
        group.reason_codes.add(t.exemption_reason_code)

    inclusive = bool(lines) and lines[0].tax_behavior is TaxBehavior.INCLUSIVE
    nets: list[int] = [line.amount for line in lines]
    breakdown: list[TaxBreakdown] = []
    for group in groups.values():
        amounts = [lines[i].amount for i in group.indexes]
        if inclusive:
            gross = sum(amounts)
            taxable = net_from_gross(gross, group.rate)
            tax = gross - taxable
            for i, net in zip(group.indexes, allocate(taxable, amounts, group.rate), strict=True):
                nets[i] = net
        else:
            taxable = sum(amounts)
            tax = tax_on(taxable, group.rate)
        codes = group.reason_codes
        breakdown.append(
            TaxBreakdown(
                category_code=group.code.value,
                rate=group.rate,
                taxable_amount=taxable,
                tax_amount=tax,
                exemption_reason="; ".join(sorted(group.reasons)) or None,
                exemption_reason_code=next(iter(codes)) if len(codes) == 1 else None,
            )
        )
    breakdown.sort(key=lambda b: (_CODE_ORDER[CategoryCode(b.category_code)], -b.rate))
    net_total = sum(b.taxable_amount for b in breakdown)
    tax_total = sum(b.tax_amount for b in breakdown)
    return TaxCalculation(
        lines=tuple(
            LineTax(
                key=line.key,
                category_code=t.code.value,
                rate=t.rate,
                net_amount=net,
                tax_category=line.tax_category,
                exemption_reason=t.exemption_reason,
            )
            for line, t, net in zip(lines, treatments, nets, strict=True)
        ),
        breakdown=tuple(breakdown),
        net_total=net_total,
        tax_total=tax_total,
        gross_total=net_total + tax_total,
        notes=tuple(sorted({t.note.value for t in treatments if t.note is not None})),
        currency=cur,
        tax_point=tax_point,
        seller_country=seller.country,
        buyer_country=buyer.country,
    )
