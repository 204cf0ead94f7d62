"""Shops' pure rules: which payment methods a shop offers by default, and its country."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from payments.kernel.geo import normalize_country
from payments.locations.domain import (
    PAYMENT_METHOD_TYPES,
    SEPA_COUNTRIES,
    Location,
    default_payment_method_types,
)

EU_MEMBERS = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
]


def _shop(**address: str) -> Location:
    return Location(
        id="loc_1",
        name="Berlin Mitte",
        address={"line1": "Torstrasse 1", **address},
        default_currency="eur",
        timezone="Europe/Berlin",
        payment_method_types=["card"],
        created=datetime(2026, 3, 2, tzinfo=UTC),
    )


def test_a_euro_shop_in_sepa_offers_cards_sepa_debits_and_bank_transfers_in_that_order() -> None:
    assert default_payment_method_types("DE", "eur") == ["card", "sepa_debit", "customer_balance"]


@pytest.mark.parametrize(("country", "currency"), [("PL", "pln"), ("CH", "chf"), ("SE", "sek")])
def test_a_sepa_shop_charging_another_currency_gets_no_sepa_debits(
    country: str, currency: str
) -> None:
    """SEPA Direct Debits are in euros only."""
    assert default_payment_method_types(country, currency) == ["card", "customer_balance"]


@pytest.mark.parametrize("country", ["US", "TR", "JP"])
def test_a_shop_outside_sepa_gets_no_sepa_debits_even_in_euros(country: str) -> None:
    assert "sepa_debit" not in default_payment_method_types(country, "eur")


def test_defaults_are_always_supported_types_and_start_with_cards() -> None:
    for country in sorted(SEPA_COUNTRIES | {"US"}):
        for currency in ("eur", "usd"):
            types = default_payment_method_types(country, currency)
            assert types[0] == "card"
            assert set(types) <= set(PAYMENT_METHOD_TYPES)
            assert len(types) == len(set(types))


def test_every_eea_country_and_switzerland_and_the_uk_are_in_sepa() -> None:
    assert {*EU_MEMBERS, "IS", "LI", "NO", "CH", "GB"} <= SEPA_COUNTRIES


def test_sepa_countries_are_written_as_normalised_country_codes() -> None:
    """Compared with a shop's normalised country: a lower-case or unknown entry never matches."""
    assert all(normalize_country(c) == c for c in SEPA_COUNTRIES)


def test_a_shops_country_is_the_one_in_its_address() -> None:
    assert _shop(country="NL").country == "NL"


def test_a_location_is_immutable_changes_make_a_new_one() -> None:
    shop = _shop(country="DE")
    with pytest.raises(dataclasses.FrozenInstanceError):
        shop.name = "Other"  # type: ignore[misc]
    renamed = dataclasses.replace(shop, name="Berlin Ost")
    assert (shop.name, renamed.name) == ("Berlin Mitte", "Berlin Ost")
    assert shop.metadata == {} and shop.livemode is False
