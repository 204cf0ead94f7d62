"""News the gateway repeats (its event feed after our own call's answer) is recorded
once: no second ``charge.failed`` for a decline, no second ``charge.expired`` for a
released authorization."""

from __future__ import annotations

from collections import Counter
from typing import Any

from support.app import Api
from support.refunds import poll_gateway, shop


async def _event_types(api: Api, headers: dict[str, str], pi: dict[str, Any]) -> Counter[str]:
    listed = (await api.client.get("/v1/events", params={"limit": 100}, headers=headers)).json()
    return Counter(
        event["type"]
        for event in listed["data"]
        if pi["id"]
        in (event["data"]["object"]["id"], event["data"]["object"].get("payment_intent"))
    )


async def test_a_decline_repeated_by_the_gateway_feed_is_one_charge_failed(api: Api) -> None:
    admin, loc = await shop(api)
    declined = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": 5000,
            "location": loc["id"],
            "payment_method": "pm_card_chargeDeclined",
            "confirm": True,
        },
        headers=admin,
    )
    assert declined.status_code == 402, declined.text
    pi = declined.json()["error"]["payment_intent"]
    assert await poll_gateway(api.container) >= 1

    types = await _event_types(api, admin, pi)
    assert (types["charge.failed"], types["payment_intent.payment_failed"]) == (1, 1)


async def test_a_released_authorization_repeated_by_the_feed_is_one_charge_expired(
    api: Api,
) -> None:
    admin, loc = await shop(api)
    authorized = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": 5000,
            "location": loc["id"],
            "payment_method": "pm_card_visa",
            "capture_method": "manual",
            "confirm": True,
        },
        headers=admin,
    )
    pi = authorized.json()
    canceled = await api.client.post(f"/v1/payment_intents/{pi['id']}/cancel", headers=admin)
    assert canceled.json()["status"] == "canceled", canceled.text
    assert await poll_gateway(api.container) >= 1

    types = await _event_types(api, admin, pi)
    assert (types["charge.expired"], types["payment_intent.canceled"]) == (1, 1)
