"""The table of local payment methods: which a shop offers by its country and currency."""

from __future__ import annotations

import pytest

from payments.kernel.geo import country_currency, normalize_country
from payments.kernel.money import normalize_currency
from payments.locations.domain import (
    PAYMENT_METHOD_TYPES,
    default_payment_method_types,
    offer_refusal,
)
from payments.locations.domain.payment_methods import (
    KLARNA_MARKETS,
    LOCAL_METHODS,
    CustomerAction,
    Misfit,
    currency_refusal,
    local_methods_for,
)


@pytest.mark.parametrize(
    ("country", "currency", "expected"),
    [
        ("NL", "eur", ["card", "sepa_debit", "ideal", "klarna", "customer_balance"]),
        ("BE", "eur", ["card", "sepa_debit", "bancontact", "klarna", "customer_balance"]),
        ("AT", "eur", ["card", "sepa_debit", "eps", "klarna", "customer_balance"]),
        ("PL", "pln", ["card", "p24", "blik", "klarna", "customer_balance"]),
        ("PL", "eur", ["card", "sepa_debit", "p24", "klarna", "customer_balance"]),
        ("CH", "chf", ["card", "twint", "klarna", "customer_balance"]),
        ("SE", "sek", ["card", "swish", "klarna", "customer_balance"]),
        ("DE", "eur", ["card", "sepa_debit", "klarna", "customer_balance"]),
        ("US", "usd", ["card", "customer_balance"]),
    ],
)
def test_a_shop_offers_by_default_what_its_country_and_currency_fit(
    country: str, currency: str, expected: list[str]
) -> None:
    assert default_payment_method_types(country, currency) == expected


@pytest.mark.parametrize(
    ("kind", "only"),
    [("blik", "pln"), ("twint", "chf"), ("swish", "sek"), ("ideal", "eur"), ("eps", "eur")],
)
def test_single_currency_methods_take_only_their_currency(kind: str, only: str) -> None:
    method = LOCAL_METHODS[kind]
    country = next(iter(method.countries))
    assert method.misfit(country, only) is None
    for other in ("eur", "pln", "chf", "sek", "usd", "gbp"):
        if other != only:
            assert method.misfit(country, other) is Misfit.CURRENCY


def test_przelewy24_takes_zloty_and_euros_in_poland_only() -> None:
    p24 = LOCAL_METHODS["p24"]
    assert p24.misfit("PL", "pln") is None and p24.misfit("PL", "eur") is None
    assert p24.misfit("DE", "eur") is Misfit.COUNTRY


def test_the_country_is_checked_before_the_currency() -> None:
    assert LOCAL_METHODS["ideal"].misfit("DE", "usd") is Misfit.COUNTRY


def test_klarna_takes_each_markets_own_currency_in_any_market() -> None:
    """A German shop may take Klarna in SEK from a Swedish customer (Stripe's rule for the
    EEA, the UK and Switzerland); by default it offers it in its own currency."""
    klarna = LOCAL_METHODS["klarna"]
    assert klarna.misfit("DE", "sek") is None and klarna.misfit("GB", "gbp") is None
    assert klarna.misfit("US", "usd") is Misfit.COUNTRY
    assert klarna.misfit("DE", "usd") is Misfit.CURRENCY
    for country, currency in KLARNA_MARKETS.items():
        assert country_currency(country) == currency  # each market's own currency
        assert "klarna" in local_methods_for(country, currency)


def test_only_klarna_supports_manual_capture_and_only_redirects_need_a_return_url() -> None:
    assert [m.type for m in LOCAL_METHODS.values() if m.manual_capture] == ["klarna"]
    assert not LOCAL_METHODS["blik"].needs_return_url
    assert not LOCAL_METHODS["swish"].needs_return_url
    redirects = {m.type for m in LOCAL_METHODS.values() if m.needs_return_url}
    assert redirects == {"ideal", "bancontact", "eps", "p24", "twint", "klarna"}
    assert LOCAL_METHODS["blik"].action is CustomerAction.BLIK_CODE
    assert LOCAL_METHODS["swish"].action is CustomerAction.SWISH_APP


def test_every_rule_says_where_it_is_written_down_and_is_in_canonical_form() -> None:
    for kind, method in LOCAL_METHODS.items():
        assert method.type == kind and kind in PAYMENT_METHOD_TYPES
        assert method.source.startswith("https://docs.stripe.com/payments/")
        assert all(normalize_country(c) == c for c in method.countries)
        assert all(normalize_currency(c) == c for c in method.currencies)
        assert set(method.billing_details) <= {"name", "email", "address.country"}


def test_a_shop_is_told_why_it_cannot_offer_a_method() -> None:
    assert offer_refusal("card", "US", ["usd"]) is None
    assert offer_refusal("ideal", "NL", ["eur"]) is None
    assert offer_refusal("blik", "PL", ["eur", "pln"]) is None
    country = offer_refusal("ideal", "DE", ["eur"])
    assert country is not None and "NL" in country and "DE" in country
    currency = offer_refusal("blik", "PL", ["eur"])
    assert currency is not None and "pln" in currency


def test_the_currency_refusal_reads_like_stripes() -> None:
    assert currency_refusal(LOCAL_METHODS["blik"], "eur") == (
        "The currency provided (eur) is invalid. Payments with blik support the following "
        "currencies: pln."
    )
