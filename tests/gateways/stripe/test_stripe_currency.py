"""Our ISO 4217 minor units <-> Stripe's amounts, per Stripe's currency rules."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.gateways.stripe.currency import (
    CurrencyRuleError,
    check_charge_amount,
    fee_from_stripe,
    from_stripe,
    granularity,
    minimum_charge,
    payout_to_stripe,
    stripe_exponent,
    to_stripe,
)
from payments.kernel.money import exponent

CURRENCIES = ["eur", "usd", "gbp", "huf", "isk", "jpy", "twd", "ugx", "kwd", "bhd", "mga", "krw"]


@pytest.mark.parametrize(
    ("currency", "ours", "stripe_amount"),
    [
        ("eur", 1999, 1999),  # two-decimal on both sides
        ("jpy", 500, 500),  # zero-decimal on both sides
        ("isk", 5, 500),  # ISO: 0 decimals; Stripe: "to charge 5 ISK, provide 500"
        ("ugx", 5, 500),  # same special case
        ("huf", 17550, 17550),  # two-decimal for charges at Stripe and in ISO 4217
        ("twd", 80045, 80045),  # fractions are fine for charges
        ("kwd", 5120, 5120),  # three-decimal, last digit 0
        ("mga", 1500, 15),  # ISO: 2 decimals; Stripe: zero-decimal
    ],
)
def test_documented_examples_convert_both_ways(
    currency: str, ours: int, stripe_amount: int
) -> None:
    assert to_stripe(ours, currency) == stripe_amount
    assert from_stripe(stripe_amount, currency) == ours


@pytest.mark.parametrize(
    ("currency", "amount", "code"),
    [
        ("kwd", 5124, "invalid_charge_amount_precision"),  # Stripe: round to the nearest ten
        ("mga", 1550, "invalid_charge_amount_no_decimal_compatible"),  # half an ariary
    ],
)
def test_amounts_stripe_cannot_represent_are_refused_not_rounded(
    currency: str, amount: int, code: str
) -> None:
    with pytest.raises(CurrencyRuleError) as caught:
        to_stripe(amount, currency)
    assert caught.value.code == code


def test_fractions_of_a_whole_unit_currency_from_stripe_are_refused() -> None:
    with pytest.raises(CurrencyRuleError):
        from_stripe(1050, "isk")  # 10.50 ISK: Stripe no longer allows fractional krona


@given(currency=st.sampled_from(CURRENCIES), units=st.integers(min_value=0, max_value=10**9))
def test_every_amount_stripe_can_send_us_round_trips(currency: str, units: int) -> None:
    """Any amount on Stripe's grid for the currency that is a whole number of our minor units
    comes back to the same Stripe amount."""
    step = math.lcm(
        granularity(currency), 10 ** max(0, stripe_exponent(currency) - exponent(currency))
    )
    stripe_amount = units * step
    assert to_stripe(from_stripe(stripe_amount, currency), currency) == stripe_amount


@given(currency=st.sampled_from(CURRENCIES), ours=st.integers(min_value=0, max_value=10**9))
def test_conversion_is_exact_or_refused_never_approximate(currency: str, ours: int) -> None:
    try:
        converted = to_stripe(ours, currency)
    except CurrencyRuleError:
        return
    assert converted % granularity(currency) == 0
    assert from_stripe(converted, currency) == ours


@given(fee=st.integers(min_value=0, max_value=10**7))
def test_fees_in_whole_unit_currencies_round_half_up(fee: int) -> None:
    whole, rest = divmod(fee, 100)
    assert fee_from_stripe(fee, "isk") == whole + (1 if rest >= 50 else 0)
    assert fee_from_stripe(fee, "eur") == fee


@pytest.mark.parametrize(
    ("currency", "minimum"),
    [("eur", 50), ("gbp", 30), ("huf", 17500), ("jpy", 50), ("czk", 1500), ("isk", None)],
)
def test_stripes_documented_minimums_in_our_minor_units(currency: str, minimum: int | None) -> None:
    assert minimum_charge(currency) == minimum
    if minimum is not None:
        with pytest.raises(CurrencyRuleError) as caught:
            check_charge_amount(minimum - 1, currency)
        assert caught.value.code == "amount_too_small"
        assert check_charge_amount(minimum, currency) == to_stripe(minimum, currency)


@pytest.mark.parametrize("currency", ["huf", "twd"])
def test_huf_and_twd_payouts_must_be_whole_units(currency: str) -> None:
    assert payout_to_stripe(1000, currency) == 1000
    with pytest.raises(CurrencyRuleError) as caught:
        payout_to_stripe(1045, currency)
    assert caught.value.code == "payout_amount_not_whole"
    assert to_stripe(1045, currency) == 1045  # a charge may have fractions
