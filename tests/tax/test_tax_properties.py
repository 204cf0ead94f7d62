"""Properties of calculate_tax that hold for any lines (Hypothesis)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from payments.tax.domain import (
    SupplyKind,
    TaxableLine,
    TaxBehavior,
    TaxCalculation,
    TaxCategory,
    TaxExempt,
    TaxParty,
    calculate_tax,
    net_from_gross,
    tax_on,
)

ON = date(2026, 12, 1)
SELLERS = [TaxParty("DE"), TaxParty("CH"), TaxParty("FI"), TaxParty("PL"), TaxParty("GB")]
BUYERS = [
    TaxParty("DE"),
    TaxParty("AT", "ATU13585627"),
    TaxParty("CH", "CHE-113.398.497 MWST"),
    TaxParty("US"),
    TaxParty("FR", tax_exempt=TaxExempt.REVERSE),
]
CATEGORIES = [TaxCategory.STANDARD, TaxCategory.REDUCED, TaxCategory.ZERO, TaxCategory.EXEMPT]
RATES = st.sampled_from(["19", "7", "8.1", "2.6", "3.8", "25.5", "13.5", "23", "5", "0", "21"])


@st.composite
def line_sets(draw: st.DrawFn, behavior: TaxBehavior | None = None) -> list[TaxableLine]:
    chosen = behavior or draw(st.sampled_from(list(TaxBehavior)))
    count = draw(st.integers(min_value=0, max_value=12))
    lines = []
    for i in range(count):
        category = draw(st.sampled_from(CATEGORIES))
        lines.append(
            TaxableLine(
                key=f"l{i}",
                amount=draw(st.integers(min_value=-100_000, max_value=10_000_000)),
                tax_category=category,
                tax_behavior=chosen,
                kind=draw(st.sampled_from(list(SupplyKind))),
                exemption_reason="Medical care" if category is TaxCategory.EXEMPT else None,
            )
        )
    return lines


def _calc(lines: list[TaxableLine], seller: TaxParty, buyer: TaxParty) -> TaxCalculation:
    return calculate_tax(lines, seller=seller, buyer=buyer, currency="eur", tax_point=ON)


@settings(max_examples=300, deadline=None)
@given(line_sets(), st.sampled_from(SELLERS), st.sampled_from(BUYERS))
def test_totals_are_consistent(lines: list[TaxableLine], seller: TaxParty, buyer: TaxParty) -> None:
    result = _calc(lines, seller, buyer)
    assert result.net_total == sum(b.taxable_amount for b in result.breakdown)
    assert result.tax_total == sum(b.tax_amount for b in result.breakdown)
    assert result.gross_total == result.net_total + result.tax_total
    per_group: dict[tuple[str, Decimal], int] = defaultdict(int)
    for line in result.lines:
        per_group[(line.category_code, line.rate)] += line.net_amount
    assert per_group == {(b.category_code, b.rate): b.taxable_amount for b in result.breakdown}
    assert len(per_group) == len(result.breakdown)  # one breakdown per (code, rate)
    for b in result.breakdown:
        if b.category_code not in {"S"}:
            assert (b.rate, b.tax_amount) == (0, 0)


@settings(max_examples=200, deadline=None)
@given(
    line_sets(),
    st.sampled_from(SELLERS),
    st.sampled_from(BUYERS),
    st.randoms(use_true_random=False),
)
def test_the_breakdown_does_not_depend_on_line_order(
    lines: list[TaxableLine], seller: TaxParty, buyer: TaxParty, rnd: random.Random
) -> None:
    shuffled = list(lines)
    rnd.shuffle(shuffled)
    assert _calc(shuffled, seller, buyer).breakdown == _calc(lines, seller, buyer).breakdown


@settings(max_examples=300, deadline=None)
@given(line_sets(TaxBehavior.EXCLUSIVE), st.sampled_from(SELLERS))
def test_exclusive_group_tax_is_the_rounded_group_total_times_rate(
    lines: list[TaxableLine], seller: TaxParty
) -> None:
    result = _calc(lines, seller, TaxParty(seller.country))
    for b in result.breakdown:
        assert b.tax_amount == tax_on(b.taxable_amount, b.rate)


@settings(max_examples=300, deadline=None)
@given(line_sets(TaxBehavior.INCLUSIVE), st.sampled_from(SELLERS), st.sampled_from(BUYERS))
def test_inclusive_gross_is_preserved(
    lines: list[TaxableLine], seller: TaxParty, buyer: TaxParty
) -> None:
    result = _calc(lines, seller, buyer)
    assert result.gross_total == sum(line.amount for line in lines)
    for b in result.breakdown:
        assert abs(b.tax_amount - tax_on(b.taxable_amount, b.rate)) <= 1


@settings(deadline=None)
@given(st.integers(min_value=-(10**9), max_value=10**9), RATES)
def test_back_calculation_is_exact_whenever_the_gross_is_reachable(net: int, rate: str) -> None:
    r = Decimal(rate)
    gross = net + tax_on(net, r)
    derived = net_from_gross(gross, r)
    assert derived + tax_on(derived, r) == gross


@settings(deadline=None)
@given(st.integers(min_value=-(10**9), max_value=10**9), RATES)
def test_back_calculation_is_symmetric_for_credits(gross: int, rate: str) -> None:
    r = Decimal(rate)
    assert net_from_gross(-gross, r) == -net_from_gross(gross, r)
    assert tax_on(-gross, r) == -tax_on(gross, r)
