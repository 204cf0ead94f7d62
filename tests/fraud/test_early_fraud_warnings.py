"""Early fraud warnings and device signals through the API, on SQLite and PostgreSQL.

The issuer's warning arrives as gateway news (the simulator's feed, applied by the
worker's poller), is listed in Stripe Radar's shape, raises the score of later payments
with the same card, and is acted on in one call (refund as fraudulent + block the card).
"""

from __future__ import annotations

import secrets
from typing import Any

from payments.app.capabilities import run_once, verify_ledger
from support.app import Api
from support.fraud import admin_and_shop as _shop
from support.fraud import pay as _pay
from support.refunds import skip_past_gateway_events

EFW_FIELDS = {
    "id",
    "object",
    "actionable",
    "charge",
    "created",
    "fraud_type",
    "livemode",
    "payment_intent",
}


async def _warnings(api: Api, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    found = await api.client.get("/v1/radar/early_fraud_warnings", params=params, headers=headers)
    assert found.status_code == 200, found.text
    return found.json()["data"]  # type: ignore[no-any-return]


async def _card_list(api: Api, headers: dict[str, str]) -> dict[str, Any]:
    alias = f"blocked_{secrets.token_hex(4)}"
    created = await api.client.post(
        "/v1/fraud/value_lists",
        json={"alias": alias, "name": "Blocked cards", "item_type": "card_fingerprint"},
        headers=headers,
    )
    assert created.status_code == 200, created.text
    return created.json()  # type: ignore[no-any-return]


async def test_the_warning_test_card_gets_a_warning_that_raises_the_cards_next_score(
    api: Api,
) -> None:
    await skip_past_gateway_events(api.container)  # earlier tests' news would come first
    admin, shop = await _shop(api)
    paid = await _pay(api, admin, shop, "pm_card_createIssuerFraudRecord")
    assert paid.status_code == 200, paid.text
    pi = paid.json()
    assert pi["status"] == "succeeded"
    assert await _warnings(api, admin, payment_intent=pi["id"]) == []  # not yet reported
    await run_once(api.container, only={"poll_gateway_events"})  # the issuer's news arrives

    [warning] = await _warnings(api, admin, payment_intent=pi["id"])
    assert set(warning) == EFW_FIELDS
    assert warning["id"].startswith("issfr_")
    assert warning["object"] == "radar.early_fraud_warning"
    assert (warning["charge"], warning["fraud_type"], warning["actionable"]) == (
        pi["latest_charge"],
        "made_with_stolen_card",
        True,
    )
    assert await _warnings(api, admin, charge=pi["latest_charge"]) == [warning]
    one = await api.client.get(f"/v1/radar/early_fraud_warnings/{warning['id']}", headers=admin)
    assert one.json() == warning
    events = (
        await api.client.get(
            "/v1/events", params={"type": "radar.early_fraud_warning.created"}, headers=admin
        )
    ).json()["data"]
    assert warning["id"] in [e["data"]["object"]["id"] for e in events]
    await run_once(api.container, only={"poll_gateway_events"})  # read again: nothing new
    assert len(await _warnings(api, admin, payment_intent=pi["id"])) == 1

    # the next payment with the same card carries the warning in its score and reasons
    again = await _pay(api, admin, shop, "pm_card_createIssuerFraudRecord")
    charge = (
        await api.client.get(f"/v1/charges/{again.json()['latest_charge']}", headers=admin)
    ).json()
    reasons = {r["signal"]: r for r in charge["risk"]["reasons"]}
    assert reasons["early_fraud_warnings_for_card"]["value"] >= 1
    assert reasons["early_fraud_warnings_for_card"]["weight"] == 45
    assert charge["outcome"]["risk_score"] >= 45


async def test_refund_and_block_refunds_as_fraud_blocks_the_card_and_closes_the_warning(
    api: Api,
) -> None:
    await skip_past_gateway_events(api.container)
    admin, shop = await _shop(api)
    cards = await _card_list(api, admin)
    rule = await api.client.post(
        "/v1/fraud/rules",
        json={"action": "block", "predicate": f":card_fingerprint: in @{cards['alias']}"},
        headers=admin,
    )
    assert rule.status_code == 200, rule.text
    pi = (await _pay(api, admin, shop, "pm_card_dk")).json()
    raised = await api.client.post(
        "/v1/test_helpers/radar/early_fraud_warnings",
        json={"charge": pi["latest_charge"], "fraud_type": "unauthorized_use_of_card"},
        headers=admin,
    )
    assert raised.status_code == 200, raised.text
    warning = raised.json()
    assert (warning["fraud_type"], warning["actionable"]) == ("unauthorized_use_of_card", True)

    acted = await api.client.post(
        f"/v1/radar/early_fraud_warnings/{warning['id']}/refund_and_block",
        json={"value_list": cards["id"]},
        headers=admin,
    )
    assert acted.status_code == 200, acted.text
    assert acted.json()["actionable"] is False
    charge = (await api.client.get(f"/v1/charges/{pi['latest_charge']}", headers=admin)).json()
    assert charge["amount_refunded"] == 4999
    refunds = (
        await api.client.get("/v1/refunds", params={"payment_intent": pi["id"]}, headers=admin)
    ).json()["data"]
    assert [r["reason"] for r in refunds] == ["fraudulent"]
    items = (
        await api.client.get(
            "/v1/fraud/value_list_items", params={"value_list": cards["id"]}, headers=admin
        )
    ).json()["data"]
    assert [i["value"] for i in items] == [charge["payment_method_details"]["card"]["fingerprint"]]
    # the card is blocked from now on
    blocked = await _pay(api, admin, shop, "pm_card_dk")
    assert blocked.status_code == 402
    assert blocked.json()["error"]["decline_code"] == "fraudulent"
    # a second call: the warning is no longer actionable, nothing moves
    again = await api.client.post(
        f"/v1/radar/early_fraud_warnings/{warning['id']}/refund_and_block",
        json={"value_list": cards["id"]},
        headers=admin,
    )
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "early_fraud_warning_not_actionable"
    # the gateway's own update (fully refunded) changes nothing more
    await run_once(api.container, only={"poll_gateway_events"})
    assert (await _warnings(api, admin, charge=pi["latest_charge"]))[0]["actionable"] is False
    types = [
        e["type"]
        for e in (
            await api.client.get(
                "/v1/events",
                params={"type": "radar.early_fraud_warning.updated"},
                headers=admin,
            )
        ).json()["data"]
        if e["data"]["object"]["id"] == warning["id"]
    ]
    assert types == ["radar.early_fraud_warning.updated"]
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_bad_input_for_warnings_is_a_400_naming_the_param(api: Api) -> None:
    admin, shop = await _shop(api)
    pi = (await _pay(api, admin, shop, "pm_card_fi")).json()
    bad_type = await api.client.post(
        "/v1/test_helpers/radar/early_fraud_warnings",
        json={"charge": pi["latest_charge"], "fraud_type": "stolen"},
        headers=admin,
    )
    assert bad_type.status_code == 400
    assert bad_type.json()["error"]["param"] == "fraud_type"
    missing = await api.client.get("/v1/radar/early_fraud_warnings/issfr_nope", headers=admin)
    assert missing.status_code == 404
    raised = await api.client.post(
        "/v1/test_helpers/radar/early_fraud_warnings",
        json={"charge": pi["latest_charge"]},
        headers=admin,
    )
    wrong_list = await api.client.post(
        f"/v1/radar/early_fraud_warnings/{raised.json()['id']}/refund_and_block",
        json={"value_list": "rsl_missing"},
        headers=admin,
    )
    assert wrong_list.status_code == 404
    assert wrong_list.json()["error"]["param"] == "value_list"
    charge = (await api.client.get(f"/v1/charges/{pi['latest_charge']}", headers=admin)).json()
    assert charge["amount_refunded"] == 0  # nothing moved
    empty_session = await _pay(api, admin, shop, "pm_card_visa", radar_options={"session": ""})
    assert empty_session.status_code == 400
    assert empty_session.json()["error"]["param"] == "radar_options[session]"


async def test_many_cards_from_one_device_are_counted_and_blocked_by_rule(api: Api) -> None:
    admin, shop = await _shop(api)
    session = f"rse_{secrets.token_hex(8)}"
    rule = await api.client.post(
        "/v1/fraud/rules",
        json={
            "action": "block",
            "predicate": ":cards_per_device_24h: >= 3",
            "location": shop["id"],
        },
        headers=admin,
    )
    assert rule.status_code == 200, rule.text
    first = await _pay(api, admin, shop, "pm_card_at", radar_options={"session": session})
    assert first.status_code == 200, first.text
    # the session may also come with the confirm, as at Stripe
    created = await api.client.post(
        "/v1/payment_intents",
        json={"amount": 2500, "location": shop["id"], "payment_method": "pm_card_be"},
        headers=admin,
    )
    confirmed = await api.client.post(
        f"/v1/payment_intents/{created.json()['id']}/confirm",
        json={"radar_options": {"session": session}},
        headers=admin,
    )
    assert confirmed.status_code == 200, confirmed.text
    charge = (
        await api.client.get(f"/v1/charges/{confirmed.json()['latest_charge']}", headers=admin)
    ).json()
    assert charge["outcome"]["type"] == "authorized"
    third = await _pay(api, admin, shop, "pm_card_fr", radar_options={"session": session})
    assert third.status_code == 402, third.text
    blocked = (
        await api.client.get(
            f"/v1/charges/{third.json()['error']['payment_intent']['latest_charge']}",
            headers=admin,
        )
    ).json()
    assert (blocked["outcome"]["type"], blocked["outcome"]["rule"]) == (
        "blocked",
        rule.json()["id"],
    )
    reasons = {r["signal"]: r for r in blocked["risk"]["reasons"]}
    assert reasons["cards_per_device_24h"]["value"] == 3
    # another device is not affected
    other = await _pay(api, admin, shop, "pm_card_fr", radar_options={"session": session + "x"})
    assert other.status_code == 200, other.text
