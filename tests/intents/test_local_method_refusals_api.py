"""Local payment methods refused where the shop's country or the currency does not fit,
and confirms that cannot work (no return_url for a redirect, no BLIK code): a 400 naming
the parameter to fix, and nothing written, not even at the gateway."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from payments.gateways.simulator.store import payment_methods as simulator_payment_methods
from support.app import Api
from support.local_methods import (
    BLIK_CODE,
    SHOPS,
    fresh_admin,
    local_shop,
    method_data,
    pay_with,
)

# a shop country where each method is not offered, and a currency each does not take
ELSEWHERE = {kind: ("DE", "Europe/Berlin") for kind in SHOPS} | {
    "klarna": ("US", "America/New_York")
}
OTHER_CURRENCY = {
    "ideal": "usd",
    "bancontact": "usd",
    "eps": "usd",
    "p24": "usd",
    "blik": "eur",
    "twint": "eur",
    "swish": "eur",
    "klarna": "usd",
}


async def _nothing_written(api: Api, admin: dict[str, str], gateway_methods: int) -> None:
    intents = await api.client.get("/v1/payment_intents", headers=admin)
    assert intents.json()["data"] == []
    events = await api.client.get(
        "/v1/events", params={"type": "payment_intent.created"}, headers=admin
    )
    assert events.json()["data"] == []
    assert await _gateway_methods(api) == gateway_methods


async def _gateway_methods(api: Api) -> int:
    store: Any = api.container.gateway
    async with store.store.transaction() as conn:
        counted = await conn.execute(
            sa.select(sa.func.count()).select_from(simulator_payment_methods)
        )
        return int(counted.scalar_one())


def _error(response: Any) -> tuple[int, str, str]:
    error = response.json()["error"]
    return response.status_code, error["code"], error["param"]


async def test_a_redirect_method_without_a_return_url_is_refused_and_nothing_is_written(
    api: Api,
) -> None:
    admin = await fresh_admin(api)
    shop = await local_shop(api, admin, "ideal")
    before = await _gateway_methods(api)
    refused = await pay_with(api, admin, shop, "ideal", return_url=None)
    assert _error(refused) == (400, "parameter_missing", "return_url")
    assert "return_url" in refused.json()["error"]["message"]
    await _nothing_written(api, admin, before)


async def test_a_confirm_without_a_return_url_leaves_the_intent_as_it_was(api: Api) -> None:
    admin = await fresh_admin(api)
    shop = await local_shop(api, admin, "twint")
    pi = (
        await api.client.post(
            "/v1/payment_intents",
            json={"amount": 5000, "location": shop["id"], "payment_method_data": {"type": "twint"}},
            headers=admin,
        )
    ).json()
    assert pi["status"] == "requires_confirmation"
    refused = await api.client.post(f"/v1/payment_intents/{pi['id']}/confirm", headers=admin)
    assert _error(refused) == (400, "parameter_missing", "return_url")
    after = (await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=admin)).json()
    assert (after["status"], after["latest_charge"]) == ("requires_confirmation", None)
    charges = await api.client.get("/v1/charges", headers=admin)
    assert charges.json()["data"] == []


@pytest.mark.parametrize("kind", sorted(SHOPS))
async def test_a_method_is_refused_in_a_shop_outside_its_country(api: Api, kind: str) -> None:
    admin = await fresh_admin(api)
    country, timezone = ELSEWHERE[kind]
    address = {"line1": "Main street 1", "city": "Town", "country": country}
    refused_shop = await api.client.post(
        "/v1/locations",
        json={
            "name": "Elsewhere",
            "address": address,
            "timezone": timezone,
            "payment_method_types": ["card", kind],
        },
        headers=admin,
    )
    assert _error(refused_shop) == (
        400,
        "payment_method_type_unavailable",
        "payment_method_types[1]",
    )
    assert country in refused_shop.json()["error"]["message"]
    shop = await api.location(admin, name="Elsewhere", address=address, timezone=timezone)
    assert kind not in shop["payment_method_types"]
    before = await _gateway_methods(api)
    by_type = await api.client.post(
        "/v1/payment_intents",
        json={"amount": 5000, "location": shop["id"], "payment_method_types": [kind]},
        headers=admin,
    )
    assert _error(by_type) == (400, "payment_method_type_unavailable", "payment_method_types[0]")
    by_data = await pay_with(api, admin, shop, kind)
    assert _error(by_data) == (400, "payment_method_type_unavailable", "payment_method_data[type]")
    await _nothing_written(api, admin, before)


@pytest.mark.parametrize("kind", sorted(SHOPS))
async def test_a_method_is_refused_in_a_currency_it_does_not_take(api: Api, kind: str) -> None:
    """BLIK in EUR, TWINT in EUR, iDEAL in USD ... naming ``currency``."""
    admin = await fresh_admin(api)
    _country, home, _tz = SHOPS[kind]
    other = OTHER_CURRENCY[kind]
    shop = await local_shop(api, admin, kind, currencies=[home, other])
    assert kind in shop["payment_method_types"]
    before = await _gateway_methods(api)
    by_type = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": 5000,
            "currency": other,
            "location": shop["id"],
            "payment_method_types": [kind],
        },
        headers=admin,
    )
    assert _error(by_type) == (400, "payment_intent_incompatible_payment_method", "currency")
    assert f"({other})" in by_type.json()["error"]["message"]
    by_data = await pay_with(api, admin, shop, kind, currency=other)
    assert _error(by_data) == (400, "payment_intent_incompatible_payment_method", "currency")
    await _nothing_written(api, admin, before)
    default = await api.client.post(
        "/v1/payment_intents",
        json={"amount": 5000, "currency": other, "location": shop["id"]},
        headers=admin,
    )
    assert default.status_code == 200, default.text
    assert kind not in default.json()["payment_method_types"]  # what fits this currency


async def test_a_shop_only_taking_euros_cannot_offer_blik(api: Api) -> None:
    admin = await fresh_admin(api)
    both = await local_shop(
        api,
        admin,
        "blik",
        default_currency="eur",
        currencies=["eur", "pln"],
        payment_method_types=["card", "blik"],
    )
    assert both["payment_method_types"] == ["card", "blik"]  # BLIK in its zloty
    euro_only = await api.client.post(
        "/v1/locations",
        json={
            "name": "Euro only",
            "address": {"country": "PL", "city": "Warszawa"},
            "timezone": "Europe/Warsaw",
            "default_currency": "eur",
            "payment_method_types": ["card", "blik"],
        },
        headers=admin,
    )
    assert _error(euro_only) == (400, "payment_method_type_unavailable", "payment_method_types[1]")
    assert "pln" in euro_only.json()["error"]["message"]
    moved = await api.client.post(
        f"/v1/locations/{both['id']}", json={"currencies": ["eur"]}, headers=admin
    )
    assert _error(moved) == (400, "payment_method_type_unavailable", "payment_method_types[1]")


async def test_blik_needs_the_code_from_the_banking_app_and_only_blik_takes_one(
    api: Api,
) -> None:
    admin = await fresh_admin(api)
    shop = await local_shop(api, admin, "blik")
    no_code = await pay_with(api, admin, shop, "blik", payment_method_options=None)
    assert _error(no_code) == (400, "parameter_missing", "payment_method_options[blik][code]")
    bad_code = await pay_with(
        api, admin, shop, "blik", payment_method_options={"blik": {"code": "12a456"}}
    )
    assert bad_code.status_code == 400
    assert bad_code.json()["error"]["param"] == "payment_method_options[blik][code]"
    inline = await pay_with(
        api,
        admin,
        shop,
        "blik",
        payment_method_options=None,
        payment_method_data={"type": "blik", "blik": {"code": BLIK_CODE}},
    )
    assert inline.status_code == 200, inline.text
    assert inline.json()["next_action"]["type"] == "blik_authorize"
    p24 = await pay_with(
        api, admin, shop, "p24", payment_method_options={"blik": {"code": "1" * 6}}
    )
    assert _error(p24) == (400, "parameter_unknown", "payment_method_options[blik][code]")
    not_confirming = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": 5000,
            "location": shop["id"],
            "payment_method_data": {"type": "blik"},
            "payment_method_options": {"blik": {"code": BLIK_CODE}},
        },
        headers=admin,
    )
    assert _error(not_confirming) == (
        400,
        "parameter_invalid",
        "payment_method_options[blik][code]",
    )


async def test_the_billing_details_a_method_needs_are_required(api: Api) -> None:
    admin = await fresh_admin(api)
    shop = await local_shop(api, admin, "p24")
    refused = await pay_with(api, admin, shop, "p24", payment_method_data={"type": "p24"})
    assert _error(refused) == (
        400,
        "parameter_missing",
        "payment_method_data[billing_details][email]",
    )
    klarna_shop = await local_shop(api, admin, "klarna")
    no_country = await pay_with(
        api,
        admin,
        klarna_shop,
        "klarna",
        payment_method_data={"type": "klarna", "billing_details": {"email": "a@example.com"}},
    )
    assert _error(no_country) == (
        400,
        "parameter_missing",
        "payment_method_data[billing_details][address][country]",
    )
    direct = await api.client.post(
        "/v1/payment_methods", json={"type": "bancontact"}, headers=admin
    )
    assert _error(direct) == (400, "parameter_missing", "billing_details[name]")


async def test_what_a_local_method_cannot_do_is_refused_before_any_attempt(api: Api) -> None:
    admin = await fresh_admin(api)
    shop = await local_shop(api, admin, "ideal")
    manual = await pay_with(api, admin, shop, "ideal", capture_method="manual")
    assert _error(manual) == (400, "payment_intent_invalid_parameter", "capture_method")
    customer = (await api.client.post("/v1/customers", json={"name": "Eva"}, headers=admin)).json()
    saved = await pay_with(
        api, admin, shop, "ideal", customer=customer["id"], setup_future_usage="off_session"
    )
    assert _error(saved) == (400, "payment_intent_invalid_parameter", "setup_future_usage")
    both = await pay_with(api, admin, shop, "ideal", payment_method="pm_card_visa")
    assert _error(both) == (400, "parameter_invalid", "payment_method_data")
    relative = await pay_with(api, admin, shop, "ideal", return_url="/paid")
    assert _error(relative) == (400, "url_invalid", "return_url")
    bad_bank = await pay_with(
        api, admin, shop, "ideal", payment_method_data={"type": "ideal", "ideal": {"bank": "ING!"}}
    )
    assert _error(bad_bank) == (400, "parameter_invalid", "payment_method_data[ideal][bank]")
    assert (await api.client.get("/v1/payment_intents", headers=admin)).json()["data"] == []


async def test_a_new_currency_drops_the_local_methods_that_cannot_take_it(api: Api) -> None:
    admin = await fresh_admin(api)
    shop = await local_shop(api, admin, "blik", currencies=["pln", "eur"])
    pi = (
        await api.client.post(
            "/v1/payment_intents", json={"amount": 5000, "location": shop["id"]}, headers=admin
        )
    ).json()
    assert {"blik", "p24"} <= set(pi["payment_method_types"])
    updated = await api.client.post(
        f"/v1/payment_intents/{pi['id']}", json={"currency": "eur"}, headers=admin
    )
    assert updated.status_code == 200, updated.text
    types = updated.json()["payment_method_types"]
    assert "blik" not in types and "p24" in types and "card" in types
    attached = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": 5000,
            "location": shop["id"],
            "payment_method_data": method_data("blik"),
        },
        headers=admin,
    )
    assert attached.status_code == 200, attached.text
    refused = await api.client.post(
        f"/v1/payment_intents/{attached.json()['id']}", json={"currency": "eur"}, headers=admin
    )
    assert _error(refused) == (400, "payment_intent_incompatible_payment_method", "currency")


async def test_an_intent_changed_after_the_method_was_attached_is_checked_at_confirm(
    api: Api,
) -> None:
    admin = await fresh_admin(api)
    shop = await local_shop(api, admin, "ideal")
    pi = (
        await api.client.post(
            "/v1/payment_intents",
            json={
                "amount": 5000,
                "location": shop["id"],
                "payment_method_data": method_data("ideal"),
                "return_url": "https://shop.example/paid",
            },
            headers=admin,
        )
    ).json()
    assert pi["status"] == "requires_confirmation"
    changed = await api.client.post(
        f"/v1/payment_intents/{pi['id']}", json={"capture_method": "manual"}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    refused = await api.client.post(f"/v1/payment_intents/{pi['id']}/confirm", headers=admin)
    assert _error(refused) == (400, "payment_intent_invalid_parameter", "capture_method")
    after = (await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=admin)).json()
    assert (after["status"], after["latest_charge"]) == ("requires_confirmation", None)
