"""Money: integer minor units plus an ISO 4217 currency; never a float."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.kernel.money import (
    AmountOutOfRange,
    CurrencyMismatch,
    Money,
    MoneyError,
    UnknownCurrency,
    check_amount,
    exponent,
    is_supported_currency,
    minimum_charge_amount,
    normalize_currency,
)


@pytest.mark.parametrize(
    ("currency", "decimals"),
    [
        ("eur", 2),
        ("EUR", 2),
        ("usd", 2),
        ("gbp", 2),
        ("chf", 2),
        ("jpy", 0),
        ("krw", 0),
        ("kwd", 3),
        ("bhd", 3),
    ],
)
def test_the_exponent_comes_from_currency_data(currency: str, decimals: int) -> None:
    assert exponent(currency) == decimals


@pytest.mark.parametrize(("code", "normal"), [("EUR", "eur"), ("eur", "eur"), ("Sek", "sek")])
def test_currency_codes_are_normalised_to_lower_case(code: str, normal: str) -> None:
    assert normalize_currency(code) == normal
    assert Money(1, code).currency == normal


@pytest.mark.parametrize("code", ["xxx", "xts", "eu", "EURO", "123", "e1r", "", "hrk", "dem"])
def test_unknown_test_or_retired_currencies_are_rejected(code: str) -> None:
    assert not is_supported_currency(code)
    with pytest.raises(UnknownCurrency):
        normalize_currency(code)
    with pytest.raises(UnknownCurrency):
        Money(100, code)


def test_a_non_string_currency_is_rejected() -> None:
    with pytest.raises(UnknownCurrency):
        normalize_currency(978)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("currency", "minimum"),
    [("eur", 50), ("usd", 50), ("gbp", 30), ("jpy", 50), ("sek", 300), ("kwd", 500), ("aud", 50)],
)
def test_minimum_charge_amounts_follow_stripe_in_minor_units(currency: str, minimum: int) -> None:
    assert minimum_charge_amount(currency) == minimum


def test_check_amount_refuses_less_than_the_minimum_as_amount_too_small() -> None:
    with pytest.raises(AmountOutOfRange) as info:
        check_amount(49, "eur", maximum=99_999_999)
    assert info.value.code == "amount_too_small"
    check_amount(50, "eur", maximum=99_999_999)


def test_check_amount_refuses_more_than_the_maximum_as_amount_too_large() -> None:
    with pytest.raises(AmountOutOfRange) as info:
        check_amount(100_000_000, "eur", maximum=99_999_999)
    assert info.value.code == "amount_too_large"


def test_money_adds_and_subtracts_in_one_currency() -> None:
    assert Money(1999, "eur") + Money(1, "eur") == Money(2000, "eur")
    assert Money(1999, "eur") - Money(2000, "eur") == Money(-1, "eur")
    assert -Money(5, "jpy") == Money(-5, "jpy")


@pytest.mark.parametrize("op", [lambda a, b: a + b, lambda a, b: a - b])
def test_money_arithmetic_refuses_a_currency_mismatch(op: Callable[[Money, Money], Money]) -> None:
    with pytest.raises(CurrencyMismatch):
        op(Money(100, "eur"), Money(100, "usd"))


@pytest.mark.parametrize("amount", [19.99, 20.0, True, "1999", None])
def test_money_refuses_anything_but_an_int_of_minor_units(amount: object) -> None:
    with pytest.raises(TypeError):
        Money(amount, "eur")  # type: ignore[arg-type]


def test_money_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Money(1, "eur").amount = 2  # type: ignore[misc]


def test_money_errors_are_value_errors() -> None:
    assert issubclass(MoneyError, ValueError)
    assert issubclass(UnknownCurrency, MoneyError)
    assert issubclass(CurrencyMismatch, MoneyError)
    assert issubclass(AmountOutOfRange, MoneyError)


@pytest.mark.parametrize(
    ("money", "locale", "text"),
    [
        (Money(1999, "eur"), "en", "€19.99"),
        (Money(-5, "eur"), "en", "-€0.05"),
        (Money(1999, "eur"), "de_DE", "19,99\xa0€"),
        (Money(1000, "jpy"), "en", "¥1,000"),
        (Money(1234, "kwd"), "en", "KWD1.234"),
        (Money(100_000_000_000_000_001, "eur"), "en", "€1,000,000,000,000,000.01"),
    ],
)
def test_formatting_uses_the_currency_exponent_exactly(
    money: Money, locale: str, text: str
) -> None:
    assert money.format(locale) == text


@given(
    a=st.integers(-(10**15), 10**15),
    b=st.integers(-(10**15), 10**15),
    currency=st.sampled_from(["eur", "jpy", "kwd"]),
)
def test_money_arithmetic_is_exact(a: int, b: int, currency: str) -> None:
    x, y = Money(a, currency), Money(b, currency)
    assert (x + y) - y == x
    assert (x + y).amount == a + b


@given(st.integers(0, 10**18))
def test_formatting_never_loses_a_minor_unit(amount: int) -> None:
    text = Money(amount, "eur").format()
    digits = "".join(ch for ch in text if ch.isdigit())
    assert int(digits) == amount
