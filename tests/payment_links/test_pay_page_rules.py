"""The pay page's pure rules: reading the card form as people type it, choosing the
page's language, a link's usability, the billing details a local method needs, and the
page's words in every language it speaks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from payments.payment_links.domain import (
    PAGE_LANGUAGES,
    CardFormError,
    PaymentLink,
    Unusable,
    billing_details,
    hash_token,
    new_token,
    page_language,
    parse_card_form,
    unusable,
)
from payments.payment_links.texts import TEXTS

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("number", "expiry", "cvc", "month", "year"),
    [
        ("4242 4242 4242 4242", "12/34", "123", 12, 2034),
        ("4242424242424242", "01 / 2030", "1234", 1, 2030),
        (" 4000 0027 6000 3184 ", "7/29", " 999 ", 7, 2029),
    ],
)
def test_the_card_form_is_read_as_people_type_it(
    number: str, expiry: str, cvc: str, month: int, year: int
) -> None:
    card = parse_card_form(number, expiry, cvc)
    assert (card.exp_month, card.exp_year) == (month, year)
    assert card.number.isdigit() and " " not in card.cvc
    assert card.number not in repr(card) and card.cvc not in repr(card)


@pytest.mark.parametrize(
    ("number", "expiry", "cvc", "field"),
    [
        ("4242", "12/34", "123", "number"),
        ("4242 4242 4242 424x", "12/34", "123", "number"),
        ("4242424242424242", "13/34", "123", "expiry"),
        ("4242424242424242", "00/34", "123", "expiry"),
        ("4242424242424242", "1234", "123", "expiry"),
        ("4242424242424242", "12/345", "123", "expiry"),
        ("4242424242424242", "12/34", "12", "cvc"),
        ("4242424242424242", "12/34", "12a", "cvc"),
    ],
)
def test_a_badly_filled_field_is_named(number: str, expiry: str, cvc: str, field: str) -> None:
    with pytest.raises(CardFormError) as raised:
        parse_card_form(number, expiry, cvc)
    assert raised.value.field == field


def test_the_customers_preferred_locale_wins_then_the_browser_then_the_invoice() -> None:
    assert page_language(["fr-FR", "de-AT"], "en-GB", "en") == "de"
    assert page_language([], "fr;q=1, de;q=0.8, en;q=0.5", "en") == "de"
    assert page_language([], "en;q=0.2, de;q=0.9", "en") == "de"
    assert page_language([], "de;q=0, en", "de") == "en"
    assert page_language([], None, "de") == "de"
    assert page_language(["it"], "fr", "nl") == "en"


def _link(**fields: object) -> PaymentLink:
    values: dict[str, object] = {
        "id": "plink_1",
        "invoice_id": "in_1",
        "location_id": "loc_1",
        "customer_id": "cus_1",
        "currency": "eur",
        "amount": 100,
        "token_hash": hash_token("x"),
        "expires_at": NOW + timedelta(hours=1),
        "created": NOW,
    }
    return PaymentLink(**(values | fields))  # type: ignore[arg-type]


def test_a_link_is_usable_until_it_expires_or_is_deactivated() -> None:
    assert unusable(_link(), NOW) is None
    assert unusable(_link(), NOW + timedelta(hours=1)) is Unusable.EXPIRED
    assert unusable(_link(active=False), NOW) is Unusable.DEACTIVATED


def test_tokens_are_long_random_and_stored_as_their_hash() -> None:
    first, second = new_token(), new_token()
    assert first != second and len(first) >= 43
    assert hash_token(first) != first and len(hash_token(first)) == 64


def test_a_local_method_gets_the_billing_details_it_needs_or_none() -> None:
    assert billing_details((), None, None, None) == {}
    assert billing_details(("name",), "Jan", None, None) == {"name": "Jan"}
    assert billing_details(("email", "address.country"), "Jan", "j@x.example", "DE") == {
        "email": "j@x.example",
        "address": {"country": "DE"},
    }
    assert billing_details(("email",), "Jan", None, "DE") is None


def test_every_language_of_the_page_has_every_word() -> None:
    assert set(TEXTS) == set(PAGE_LANGUAGES)
    keys = set(TEXTS["en"])
    for language, table in TEXTS.items():
        assert set(table) == keys, language
