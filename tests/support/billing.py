"""Helpers for billing tests: a shop that invoices, a contract product and its prices, a
customer on a test clock, subscriptions through the API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from support.app import Api
from support.invoices import customer, setup

# 2026-01-15 09:00 UTC (the FrozenClock's start), as a test clock starts by default
START = int(datetime(2026, 1, 15, 9, 0, tzinfo=UTC).timestamp())
DAY = 86400


async def post(api: Api, path: str, headers: dict[str, str], **body: Any) -> Any:
    return await api.client.post(path, json=body, headers=headers)


async def ok(api: Api, path: str, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await post(api, path, headers, **body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def get(api: Api, path: str, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = await api.client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def catalogue(
    api: Api, headers: dict[str, str], *, amount: int = 990, interval: str = "month"
) -> dict[str, Any]:
    """A maintenance contract per laptop: the product and its monthly EUR price."""
    product = await ok(api, "/v1/products", headers, name="Laptop maintenance")
    return await ok(
        api,
        "/v1/prices",
        headers,
        product=product["id"],
        currency="eur",
        unit_amount=amount,
        recurring={"interval": interval},
    )


async def clock(api: Api, headers: dict[str, str], frozen_time: int = START) -> dict[str, Any]:
    return await ok(api, "/v1/test_helpers/test_clocks", headers, frozen_time=frozen_time)


async def billing_setup(
    api: Api, *, with_clock: bool = True
) -> tuple[dict[str, str], dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any] | None]:
    """(admin key, shop, price of 9.90 EUR a month, customer, test clock)."""
    admin, shop = await setup(api)
    price = await catalogue(api, admin)
    test_clock = await clock(api, admin) if with_clock else None
    cus = await customer(
        api,
        admin,
        location=shop["id"],
        **({"test_clock": test_clock["id"]} if test_clock else {}),
    )
    return admin, shop, price, cus, test_clock


async def advance(api: Api, headers: dict[str, str], clock_id: str, to: int) -> dict[str, Any]:
    return await ok(
        api, f"/v1/test_helpers/test_clocks/{clock_id}/advance", headers, frozen_time=to
    )


async def invoices_of(api: Api, headers: dict[str, str], sub_id: str) -> list[dict[str, Any]]:
    """The subscription's invoices, oldest first."""
    found = await get(api, "/v1/invoices", headers, subscription=sub_id, limit=100)
    return list(reversed(found["data"]))


async def events(api: Api, headers: dict[str, str], event_type: str) -> list[dict[str, Any]]:
    """Every event of a type (or wildcard), oldest first."""
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"type": event_type, "limit": 100}
    while True:
        page = await get(api, "/v1/events", headers, **params)
        found += page["data"]
        if not page["has_more"]:
            return list(reversed(found))
        params["starting_after"] = page["data"][-1]["id"]


# dunning: a contract whose card starts failing at its first renewal
RENEWAL = START + 31 * DAY  # Feb 15 09:00 UTC
HOUR = 3600


async def failing_subscription(
    api: Api, method: str = "pm_card_chargeCustomerFail"
) -> tuple[dict[str, str], dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A contract paid at creation with a good card, whose card then starts failing."""
    admin, shop, price, cus, clock = await billing_setup(api)
    assert clock is not None
    sub = await ok(
        api,
        "/v1/subscriptions",
        admin,
        customer=cus["id"],
        items=[{"price": price["id"], "quantity": 10}],
        default_payment_method="pm_card_visa",
    )
    assert sub["status"] == "active"
    changed = await ok(api, f"/v1/subscriptions/{sub['id']}", admin, default_payment_method=method)
    assert changed["default_payment_method"] != sub["default_payment_method"]
    return admin, shop, sub, clock


async def status(api: Api, admin: dict[str, str], sub: dict[str, Any]) -> str:
    return str((await get(api, f"/v1/subscriptions/{sub['id']}", admin))["status"])


async def renewal(api: Api, admin: dict[str, str], sub: dict[str, Any]) -> dict[str, Any]:
    return (await invoices_of(api, admin, sub["id"]))[1]
