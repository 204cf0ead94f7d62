"""Bad input: clear 400s naming the param, nothing written; roles and shops."""

from __future__ import annotations

from typing import Any

import pytest

from support.app import Api
from support.billing import DAY, START, advance, billing_setup, get, ok, post


async def refused(
    api: Api, path: str, headers: dict[str, str], param: str, **body: Any
) -> dict[str, Any]:
    response = await post(api, path, headers, **body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == param, error
    return error  # type: ignore[no-any-return]


async def nothing_subscribed(api: Api, headers: dict[str, str]) -> None:
    assert (await get(api, "/v1/subscriptions", headers, status="all"))["data"] == []
    assert (await get(api, "/v1/invoices", headers))["data"] == []


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"items": [{"price": "PRICE", "quantity": 0}]}, "items[0][quantity]"),
        ({"items": []}, "items"),
        ({"items": [{"price": "CHF"}]}, "items[0][price]"),
        ({"trial_end": START - 60}, "trial_end"),
        ({"billing_cycle_anchor": START}, "billing_cycle_anchor"),
        ({"trial_period_days": 0}, "trial_period_days"),
        ({"items": [{"price": "price_unknown"}]}, "items[0][price]"),
        ({"days_until_due": 5}, "days_until_due"),
    ],
)
async def test_a_bad_subscription_is_refused_naming_the_param(
    api: Api, change: dict[str, Any], param: str
) -> None:
    admin, _shop, price, cus, _ = await billing_setup(api)
    chf = await ok(
        api,
        "/v1/prices",
        admin,
        product=price["product"],
        currency="chf",
        unit_amount=990,
        recurring={"interval": "month"},
    )
    body: dict[str, Any] = {
        "customer": cus["id"],
        "items": [{"price": price["id"]}],
        "default_payment_method": "pm_card_visa",
    } | change
    for item in body["items"]:
        item["price"] = {"PRICE": price["id"], "CHF": chf["id"]}.get(item["price"], item["price"])
    response = await api.client.post("/v1/subscriptions", json=body, headers=admin)
    assert response.status_code in (400, 404), response.text
    assert response.json()["error"]["param"] == param
    if param == "items[0][price]" and change["items"][0]["price"] == "CHF":
        assert response.json()["error"]["code"] == "currency_not_accepted"
    await nothing_subscribed(api, admin)


async def test_a_clock_does_not_go_back_and_an_ended_subscription_does_not_change(
    api: Api,
) -> None:
    admin, _shop, price, cus, clock = await billing_setup(api)
    assert clock is not None
    path = f"/v1/test_helpers/test_clocks/{clock['id']}/advance"
    error = await refused(api, path, admin, "frozen_time", frozen_time=START - DAY)
    assert error["code"] == "test_clock_advance_backwards"
    sub = await ok(
        api,
        "/v1/subscriptions",
        admin,
        customer=cus["id"],
        items=[{"price": price["id"]}],
        default_payment_method="pm_card_chargeDeclined",
    )
    assert sub["status"] == "incomplete"
    await advance(api, admin, clock["id"], START + DAY)
    expired = await get(api, f"/v1/subscriptions/{sub['id']}", admin)
    assert expired["status"] == "incomplete_expired"
    invoice = await get(api, f"/v1/invoices/{sub['latest_invoice']}", admin)
    assert invoice["status"] == "void"
    path = f"/v1/subscriptions/{sub['id']}"
    item = sub["items"]["data"][0]["id"]
    error = await refused(api, path, admin, "items", items=[{"id": item, "quantity": 2}])
    assert error["code"] == "subscription_unexpected_state"
    await refused(api, path, admin, "pause_collection", pause_collection={"behavior": "void"})
    after = await get(api, path, admin)
    assert after["items"]["data"][0]["quantity"] == 1


async def test_a_used_price_is_immutable_and_archived_prices_sell_nothing(api: Api) -> None:
    admin, _shop, price, cus, _ = await billing_setup(api)
    changed = await ok(api, f"/v1/prices/{price['id']}", admin, unit_amount=1090)
    assert changed["unit_amount"] == 1090  # unused: still editable
    await ok(
        api,
        "/v1/subscriptions",
        admin,
        customer=cus["id"],
        items=[{"price": price["id"]}],
        default_payment_method="pm_card_visa",
    )
    error = await refused(api, f"/v1/prices/{price['id']}", admin, "unit_amount", unit_amount=1)
    assert error["code"] == "price_immutable"
    archived = await ok(api, f"/v1/prices/{price['id']}", admin, active=False)
    assert archived["active"] is False
    error = await refused(
        api,
        "/v1/subscriptions",
        admin,
        "items[0][price]",
        customer=cus["id"],
        items=[{"price": price["id"]}],
    )
    assert error["code"] == "price_inactive"


async def test_catalogue_roles_and_another_shops_subscriptions(api: Api) -> None:
    admin, _shop, price, cus, _ = await billing_setup(api)
    clerk = await api.key("clerk")
    response = await post(api, "/v1/products", clerk, name="Nope")
    assert response.status_code == 403
    listed = await get(api, "/v1/prices", clerk, product=price["product"])
    assert [p["id"] for p in listed["data"]] == [price["id"]]
    assert listed["data"][0]["recurring"]["interval"] == "month"
    sub = await ok(
        api,
        "/v1/subscriptions",
        admin,
        customer=cus["id"],
        items=[{"price": price["id"]}],
        default_payment_method="pm_card_visa",
    )
    other = await api.location(admin, name="Elsewhere")
    outsider = await api.key("admin", location=other["id"])
    response = await api.client.get(f"/v1/subscriptions/{sub['id']}", headers=outsider)
    assert response.status_code == 404
    reader = await api.key("readonly")
    response = await post(api, f"/v1/subscriptions/{sub['id']}", reader, metadata={"a": "b"})
    assert response.status_code == 403


async def test_form_encoded_subscription_items(api: Api) -> None:
    admin, _shop, price, cus, _ = await billing_setup(api)
    response = await api.client.post(
        "/v1/subscriptions",
        data={
            "customer": cus["id"],
            "items[0][price]": price["id"],
            "items[0][quantity]": "10",
            "default_payment_method": "pm_card_visa",
        },
        headers=admin,
    )
    assert response.status_code == 200, response.text
    assert response.json()["items"]["data"][0]["quantity"] == 10


async def test_a_customer_names_an_existing_test_clock(api: Api) -> None:
    admin, _shop, _price, _cus, _ = await billing_setup(api, with_clock=False)
    response = await post(api, "/v1/customers", admin, name="X", test_clock="clock_missing")
    assert response.status_code == 404
    assert response.json()["error"]["param"] == "test_clock"
