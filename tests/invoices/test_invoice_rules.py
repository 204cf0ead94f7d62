"""Invoicing's pure rules: quantities, line rounding, numbers, RF references, credit limits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iso11649

from payments.invoices.domain.credit_note import allocate_proportionally, settle
from payments.invoices.domain.lines import format_quantity, line_amount, parse_quantity
from payments.invoices.domain.reference import creditor_reference
from payments.kernel.errors import InvalidRequest
from payments.legal_entities.domain import InvalidPattern, check_pattern, render_number


@pytest.mark.parametrize(
    "value",
    ["0", "-1", "1000000", "1000000000", "1e3", "abc", "1.23456", "NaN", "Infinity", "", 1.5, True],
)
def test_a_quantity_is_a_plain_decimal_above_zero_and_below_a_million(value: object) -> None:
    with pytest.raises(InvalidRequest) as refused:
        parse_quantity(value, param="lines[0][quantity]")
    assert refused.value.param == "lines[0][quantity]"


def test_quantities_keep_their_exact_value() -> None:
    assert format_quantity(parse_quantity("1.50", param="q")) == "1.5"
    assert format_quantity(parse_quantity("999999.9999", param="q")) == "999999.9999"
    assert format_quantity(parse_quantity(3, param="q")) == "3"


def test_a_line_amount_is_rounded_half_up_once() -> None:
    assert line_amount(Decimal("0.5"), 1) == 1  # 0.5 -> 1 (half up)
    assert line_amount(Decimal("1.25"), 8000) == 10000
    assert line_amount(Decimal("0.3333"), 100) == 33
    assert line_amount(Decimal("2.5"), 3) == 8  # 7.5 -> 8


def test_numbers_follow_the_pattern_of_the_series() -> None:
    assert render_number("{prefix}-{year}-{seq:06d}", prefix="DE1", year=2026, seq=123) == (
        "DE1-2026-000123"
    )
    for bad in ("{prefix}-{year}", "{seq}-{seq}", "{prefix}-{month}-{seq}", "{seq:06q}", "{seq!r}"):
        with pytest.raises(InvalidPattern):
            check_pattern(bad, prefix="DE1")


@given(st.from_regex(r"[A-Z]{2}[0-9]-20[0-9]{2}-[0-9]{6}", fullmatch=True))
def test_every_number_gets_a_valid_iso_11649_creditor_reference(number: str) -> None:
    reference = creditor_reference(number)
    assert iso11649.is_valid(reference)
    assert reference.endswith("".join(ch for ch in number if ch.isalnum()))


def test_a_credit_note_settles_into_what_is_owed_and_what_was_paid() -> None:
    limits = {"creditable_after_payment": 5000, "credited_so_far": 0, "invoice_total": 11900}
    open_ = settle(3000, amount_remaining=6900, **limits)
    assert (open_.pre_payment, open_.post_payment) == (3000, 0)
    mixed = settle(8000, amount_remaining=6900, refund=1100, **limits)
    assert (mixed.pre_payment, mixed.refund) == (6900, 1100)


@pytest.mark.parametrize(
    ("total", "fields", "param"),
    [
        (20000, {}, "amount"),  # above the invoice's total
        (1000, {"refund": 1200}, "refund_amount"),  # parts above the note's total
        (6000, {"refund": 6000}, "refund_amount"),  # more than was paid
        (1000, {}, "refund_amount"),  # nothing owed any more: say where it goes
        (1000, {"credit": -1}, "credit_amount"),
    ],
)
def test_a_credit_note_never_takes_more_than_is_left(
    total: int, fields: dict[str, int], param: str
) -> None:
    owed = 0 if param == "refund_amount" and not fields else 6900
    with pytest.raises(InvalidRequest) as refused:
        settle(
            total,
            amount_remaining=owed,
            creditable_after_payment=5000,
            credited_so_far=0,
            invoice_total=11900,
            **fields,
        )
    assert refused.value.param == param


@given(st.integers(1, 10**9), st.lists(st.integers(1, 10**7), min_size=1, max_size=6))
def test_a_proportional_split_adds_up_exactly(amount: int, weights: list[int]) -> None:
    shares = allocate_proportionally(amount, weights)
    assert sum(shares) == amount
    assert all(share >= 0 for share in shares)
