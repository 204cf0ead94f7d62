"""Fraud prevention through the API, on SQLite and PostgreSQL: the issue's "done when"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from payments.app.capabilities import run_once, verify_ledger
from payments.kernel.clock import FrozenClock
from support.app import Api
from support.fraud import admin_and_shop as _shop
from support.fraud import pay as _pay


async def _rule(
    api: Api, headers: dict[str, str], action: str, predicate: str, **extra: Any
) -> dict[str, Any]:
    created = await api.client.post(
        "/v1/fraud/rules", json={"action": action, "predicate": predicate} | extra, headers=headers
    )
    assert created.status_code == 200, created.text
    return created.json()  # type: ignore[no-any-return]


async def _charge(api: Api, headers: dict[str, str], charge_id: str) -> dict[str, Any]:
    return (await api.client.get(f"/v1/charges/{charge_id}", headers=headers)).json()  # type: ignore[no-any-return]


async def _verified(api: Api) -> None:
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_a_card_testing_burst_is_blocked_after_the_configured_velocity(api: Api) -> None:
    admin, shop = await _shop(api)
    rule = await _rule(api, admin, "block", ":declines_per_ip_1h: >= 3")
    for _ in range(3):  # the issuer declines the first three
        declined = await _pay(api, admin, shop, "pm_card_chargeDeclined")
        assert declined.status_code == 402
        assert declined.json()["error"]["decline_code"] == "generic_decline"
    # the fourth attempt from that IP is blocked before the gateway, whatever the card
    blocked = await _pay(api, admin, shop, "pm_card_visa")
    assert blocked.status_code == 402, blocked.text
    error = blocked.json()["error"]
    assert (error["type"], error["code"], error["decline_code"]) == (
        "card_error",
        "card_declined",
        "fraudulent",
    )
    pi = error["payment_intent"]
    assert pi["status"] == "requires_payment_method" and pi["amount_received"] == 0
    charge = await _charge(api, admin, pi["latest_charge"])
    assert charge["status"] == "failed" and charge["amount_captured"] == 0
    assert charge["outcome"]["type"] == "blocked"
    assert charge["outcome"]["network_status"] == "not_sent_to_network"
    assert charge["outcome"]["rule"] == rule["id"]
    reasons = {r["signal"]: r for r in charge["risk"]["reasons"]}
    assert reasons["declines_per_ip_1h"]["value"] == 3
    # nothing was charged: no ledger posting for the blocked charge
    txs = await api.client.get(
        "/v1/ledger/transactions", params={"source": charge["id"]}, headers=admin
    )
    assert txs.json()["data"] == []
    await _verified(api)


async def test_an_elevated_risk_card_is_held_for_review_and_captured_on_approval(api: Api) -> None:
    admin, shop = await _shop(api)
    rule = await _rule(api, admin, "review", ":risk_level: = 'elevated'")
    held = await _pay(api, admin, shop, "pm_card_riskLevelElevated")
    assert held.status_code == 200, held.text
    pi = held.json()
    assert pi["status"] == "requires_capture" and pi["capture_method"] == "manual"
    assert pi["amount_capturable"] == 4999 and pi["amount_received"] == 0
    charge = await _charge(api, admin, pi["latest_charge"])
    assert charge["outcome"]["type"] == "manual_review"
    assert charge["outcome"]["risk_level"] == "elevated" and charge["outcome"]["rule"] == rule["id"]
    assert 65 <= charge["outcome"]["risk_score"] < 75
    reviews = (await api.client.get("/v1/reviews", params={"open": "true"}, headers=admin)).json()
    assert [r["payment_intent"] for r in reviews["data"]] == [pi["id"]]
    review = reviews["data"][0]
    assert review["open"] is True and review["opened_reason"] == "rule"
    clerk = await api.key("clerk")
    refused = await api.client.post(f"/v1/reviews/{review['id']}/approve", headers=clerk)
    assert refused.status_code == 403
    approved = await api.client.post(f"/v1/reviews/{review['id']}/approve", headers=admin)
    assert approved.status_code == 200, approved.text
    assert approved.json()["open"] is False and approved.json()["closed_reason"] == "approved"
    after = (await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=admin)).json()
    assert after["status"] == "succeeded" and after["amount_received"] == 4999
    again = await api.client.post(f"/v1/reviews/{review['id']}/approve", headers=admin)
    assert again.status_code == 400 and again.json()["error"]["code"] == "review_closed"
    types = [e["type"] for e in (await api.client.get("/v1/events", headers=admin)).json()["data"]]
    assert {"review.opened", "review.closed"} <= set(types)
    await _verified(api)


async def test_a_block_list_hit_is_explained_by_rule_and_reason_on_the_charge(api: Api) -> None:
    admin, shop = await _shop(api)
    pm = (
        await api.client.post(
            "/v1/payment_methods",
            json={"type": "card", "card": {"token": "pm_card_visa"}},
            headers=admin,
        )
    ).json()
    created = await api.client.post(
        "/v1/fraud/value_lists",
        json={"alias": "blocked_cards", "name": "Stolen cards", "item_type": "card_fingerprint"},
        headers=admin,
    )
    assert created.status_code == 200, created.text
    value_list = created.json()
    assert value_list["object"] == "radar.value_list"
    item = await api.client.post(
        "/v1/fraud/value_list_items",
        data={"value_list": value_list["id"], "value": pm["card"]["fingerprint"]},  # a form body
        headers=admin,
    )
    assert item.status_code == 200, item.text
    assert item.json()["object"] == "radar.value_list_item"
    rule = await _rule(
        api,
        admin,
        "block",
        ":card_fingerprint: in @blocked_cards",
        description="Cards reported stolen",
    )
    blocked = await _pay(api, admin, shop, pm["id"])
    assert blocked.status_code == 402
    assert blocked.json()["error"]["decline_code"] == "fraudulent"
    charge = await _charge(api, admin, blocked.json()["error"]["payment_intent"]["latest_charge"])
    outcome = charge["outcome"]
    assert (outcome["type"], outcome["reason"], outcome["rule"]) == ("blocked", "rule", rule["id"])
    assert rule["id"] in outcome["seller_message"]
    assert ":card_fingerprint: in @blocked_cards" in outcome["seller_message"]
    assert charge["risk"]["level"] in ("normal", "elevated", "highest")
    assert all({"signal", "value", "weight"} == set(r) for r in charge["risk"]["reasons"])
    # another card pays; the list can be read back and the item removed
    ok = await _pay(api, admin, shop, "pm_card_mastercard")
    assert ok.status_code == 200 and ok.json()["status"] == "succeeded"
    assert (await _charge(api, admin, ok.json()["latest_charge"]))["outcome"][
        "type"
    ] == "authorized"
    items = await api.client.get(
        "/v1/fraud/value_list_items", params={"value_list": value_list["id"]}, headers=admin
    )
    assert [i["value"] for i in items.json()["data"]] == [pm["card"]["fingerprint"]]
    deleted = await api.client.delete(
        f"/v1/fraud/value_list_items/{item.json()['id']}", headers=admin
    )
    assert deleted.json()["deleted"] is True
    await _verified(api)


async def test_stripes_always_blocked_card_is_blocked_without_any_rule(api: Api) -> None:
    admin, shop = await _shop(api)
    blocked = await _pay(api, admin, shop, "pm_card_radarBlock")
    assert blocked.status_code == 402
    charge = await _charge(api, admin, blocked.json()["error"]["payment_intent"]["latest_charge"])
    assert charge["outcome"]["type"] == "blocked"
    assert charge["outcome"]["risk_level"] == "highest"
    await _verified(api)


async def test_a_highest_risk_card_is_blocked_by_the_default_rule(api: Api) -> None:
    admin, shop = await _shop(api)
    await _rule(api, admin, "block", ":risk_level: = 'highest'")
    blocked = await _pay(api, admin, shop, "pm_card_riskLevelHighest")
    assert blocked.status_code == 402
    assert blocked.json()["error"]["decline_code"] == "fraudulent"
    allowed = await _pay(api, admin, shop, "pm_card_cvcCheckFail")
    assert allowed.status_code == 200  # a failed CVC check alone scores 30 + country 10
    charge = await _charge(api, admin, allowed.json()["latest_charge"])
    signals = [r["signal"] for r in charge["risk"]["reasons"]]
    assert "cvc_check_failed" in signals


async def test_request_three_d_secure_forces_a_challenge(api: Api) -> None:
    admin, shop = await _shop(api)
    await _rule(api, admin, "request_three_d_secure", ":amount_in_eur: > 40")
    challenged = await _pay(
        api, admin, shop, "pm_card_visa", return_url="https://shop.example/done"
    )
    assert challenged.status_code == 200, challenged.text
    assert challenged.json()["status"] == "requires_action"
    small = await _pay(api, admin, shop, "pm_card_visa", amount=1000)
    assert small.json()["status"] == "succeeded"


async def test_an_allow_rule_wins_over_a_block(api: Api) -> None:
    admin, shop = await _shop(api)
    await _rule(api, admin, "block", ":card_country: = 'US'")
    allow = await _rule(api, admin, "allow", ":amount: < 5000")
    ok = await _pay(api, admin, shop, "pm_card_visa")
    assert ok.status_code == 200
    outcome = (await _charge(api, admin, ok.json()["latest_charge"]))["outcome"]
    assert (outcome["type"], outcome["rule"]) == ("authorized", allow["id"])
    listed = (await api.client.get("/v1/fraud/rules", headers=admin)).json()["data"]
    assert [r["action"] for r in listed] == ["allow", "block"]  # the order they run in


async def test_a_held_review_auto_cancels_after_seven_days(api: Api, clock: FrozenClock) -> None:
    admin, shop = await _shop(api)
    await _rule(api, admin, "review", ":risk_level: = 'elevated'")
    pi = (await _pay(api, admin, shop, "pm_card_riskLevelElevated")).json()
    clock.advance(timedelta(days=6, hours=23))
    assert (await run_once(api.container, only={"cancel_expired_reviews"}))[
        "cancel_expired_reviews"
    ] == 0
    clock.advance(timedelta(hours=2))
    assert (await run_once(api.container, only={"cancel_expired_reviews"}))[
        "cancel_expired_reviews"
    ] == 1
    after = (await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=admin)).json()
    assert after["status"] == "canceled" and after["amount_received"] == 0
    review = (await api.client.get("/v1/reviews", headers=admin)).json()["data"][0]
    assert review["open"] is False and review["closed_reason"] == "canceled"
    await _verified(api)


async def test_cancel_a_review_releases_the_payment_as_fraudulent(api: Api) -> None:
    admin, shop = await _shop(api)
    await _rule(api, admin, "review", ":risk_level: = 'elevated'")
    pi = (await _pay(api, admin, shop, "pm_card_riskLevelElevated")).json()
    review = (await api.client.get("/v1/reviews", headers=admin)).json()["data"][0]
    canceled = await api.client.post(
        f"/v1/reviews/{review['id']}/cancel", json={"reason": "fraudulent"}, headers=admin
    )
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["closed_reason"] == "canceled"
    after = (await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=admin)).json()
    assert (after["status"], after["cancellation_reason"]) == ("canceled", "fraudulent")
    await _verified(api)


async def test_bad_rules_are_400s_that_point_at_the_column(api: Api) -> None:
    admin = await api.key("admin")

    async def refused(predicate: str, **extra: Any) -> dict[str, Any]:
        answer = await api.client.post(
            "/v1/fraud/rules",
            json={"action": "block", "predicate": predicate} | extra,
            headers=admin,
        )
        assert answer.status_code == 400, answer.text
        error = answer.json()["error"]
        assert error["param"] == "predicate"
        return error  # type: ignore[no-any-return]

    assert "column 11" in (await refused(":amount: >"))["message"]
    assert "Unknown attribute :nope:" in (await refused(":nope: = 1"))["message"]
    missing = await refused(":card_fingerprint: in @nowhere")
    assert "Unknown value list @nowhere (at column 23)" in missing["message"]
    everything = await refused("true")
    assert everything["code"] == "rule_matches_everything"
    await api.client.post(
        "/v1/fraud/value_lists",
        json={"alias": "emails", "name": "E-mails", "item_type": "email"},
        headers=admin,
    )
    assert "holds email items" in (await refused(":card_fingerprint: in @emails"))["message"]
    forced = await api.client.post(
        "/v1/fraud/rules",
        json={"action": "review", "predicate": "true", "force": True},
        headers=admin,
    )
    assert forced.status_code == 200
    assert (await api.client.get("/v1/fraud/rules", headers=admin)).json()["data"][0][
        "id"
    ] == forced.json()["id"]


async def test_a_list_item_of_the_wrong_type_is_refused(api: Api) -> None:
    admin = await api.key("admin")
    vl = (
        await api.client.post(
            "/v1/fraud/value_lists",
            json={"alias": "bad_ips", "name": "Bad IPs", "item_type": "ip_address"},
            headers=admin,
        )
    ).json()
    wrong = await api.client.post(
        "/v1/fraud/value_list_items",
        json={"value_list": vl["id"], "value": "not-an-ip"},
        headers=admin,
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"]["param"] == "value"
    assert "not an IP address" in wrong.json()["error"]["message"]
    ok = await api.client.post(
        "/v1/fraud/value_list_items",
        json={"value_list": vl["id"], "value": "198.51.100.9"},
        headers=admin,
    )
    assert ok.status_code == 200
    taken = await api.client.post(
        "/v1/fraud/value_lists",
        json={"alias": "bad_ips", "name": "Again", "item_type": "ip_address"},
        headers=admin,
    )
    assert taken.status_code == 400 and taken.json()["error"]["param"] == "alias"


async def test_a_dry_run_replays_recent_charges_without_saving_the_rule(api: Api) -> None:
    admin, shop = await _shop(api)
    await _pay(api, admin, shop, "pm_card_visa", amount=2000)
    await _pay(api, admin, shop, "pm_card_visa", amount=9000)
    await _pay(api, admin, shop, "pm_card_de", amount=9500)
    run = await api.client.post(
        "/v1/fraud/rules/dry_run",
        json={
            "action": "block",
            "predicate": ":amount: > 5000 and :card_country: = 'US'",
            "limit": 10,
        },
        headers=admin,
    )
    assert run.status_code == 200, run.text
    body = run.json()
    assert (body["charges_evaluated"], body["charges_matched"], body["would_change"]) == (3, 1, 1)
    assert body["matches"][0]["amount"] == 9000
    assert body["matches"][0]["action_with_rule"] == "block"
    assert (await api.client.get("/v1/fraud/rules", headers=admin)).json()["data"] == []


async def test_a_shop_key_sees_only_its_shops_reviews_and_rules(api: Api) -> None:
    admin, shop = await _shop(api)
    other = await api.location(admin, name="Hamburg")
    await _rule(api, admin, "review", ":risk_level: = 'elevated'", location=shop["id"])
    held = await _pay(api, admin, shop, "pm_card_riskLevelElevated")
    assert held.json()["status"] == "requires_capture"
    elsewhere = await _pay(api, admin, other, "pm_card_riskLevelElevated")
    assert elsewhere.json()["status"] == "succeeded"  # the rule is the first shop's only
    review = (await api.client.get("/v1/reviews", headers=admin)).json()["data"][0]
    other_key = await api.key("finance", location=other["id"])
    assert (
        await api.client.get(f"/v1/reviews/{review['id']}", headers=other_key)
    ).status_code == 404
    assert (await api.client.get("/v1/reviews", headers=other_key)).json()["data"] == []
    assert (await api.client.get("/v1/fraud/rules", headers=other_key)).json()["data"] == []
    await _verified(api)


async def test_the_card_of_a_review_goes_on_the_block_list_in_one_call(api: Api) -> None:
    admin, shop = await _shop(api)
    await _rule(api, admin, "review", ":risk_level: = 'elevated'")
    pi = (await _pay(api, admin, shop, "pm_card_riskLevelElevated")).json()
    review = (await api.client.get("/v1/reviews", headers=admin)).json()["data"][0]
    vl = (
        await api.client.post(
            "/v1/fraud/value_lists",
            json={"alias": "stolen", "name": "Stolen", "item_type": "card_fingerprint"},
            headers=admin,
        )
    ).json()
    added = await api.client.post(
        "/v1/fraud/value_list_items",
        json={"value_list": vl["id"], "review": review["id"]},
        headers=admin,
    )
    assert added.status_code == 200, added.text
    charge = await _charge(api, admin, pi["latest_charge"])
    assert added.json()["value"] == charge["payment_method_details"]["card"]["fingerprint"]
    both = await api.client.post(
        "/v1/fraud/value_list_items",
        json={"value_list": vl["id"], "review": review["id"], "value": "abcdefgh"},
        headers=admin,
    )
    assert both.status_code == 400
    await _rule(api, admin, "block", ":card_fingerprint: in @stolen")
    again = await _pay(api, admin, shop, "pm_card_riskLevelElevated")
    assert again.status_code == 402
    assert again.json()["error"]["decline_code"] == "fraudulent"


async def test_a_disabled_rule_does_not_run_and_rule_changes_are_audited(api: Api) -> None:
    admin, shop = await _shop(api)
    rule = await _rule(api, admin, "block", ":card_country: = 'US'")
    assert (await _pay(api, admin, shop, "pm_card_visa")).status_code == 402
    disabled = await api.client.post(
        f"/v1/fraud/rules/{rule['id']}", json={"enabled": False}, headers=admin
    )
    assert disabled.status_code == 200 and disabled.json()["enabled"] is False
    assert (await _pay(api, admin, shop, "pm_card_visa")).status_code == 200
    deleted = await api.client.delete(f"/v1/fraud/rules/{rule['id']}", headers=admin)
    assert deleted.json() == {"id": rule["id"], "object": "fraud.rule", "deleted": True}
    assert (await api.client.get(f"/v1/fraud/rules/{rule['id']}", headers=admin)).status_code == 404
    audit = await api.client.get("/v1/audit_log", params={"object": rule["id"]}, headers=admin)
    assert sorted(a["action"] for a in audit.json()["data"]) == [
        "fraud_rule.created",
        "fraud_rule.deleted",
        "fraud_rule.updated",
    ]
    clerk = await api.key("clerk")
    refused = await api.client.post(
        "/v1/fraud/rules", json={"action": "block", "predicate": ":amount: > 5"}, headers=clerk
    )
    assert refused.status_code == 403


async def test_a_separate_confirm_is_assessed_too(api: Api) -> None:
    admin, shop = await _shop(api)
    await _rule(api, admin, "review", ":risk_level: = 'elevated'")
    await _rule(api, admin, "block", ":amount_in_eur: > 900")
    created = await api.client.post(
        "/v1/payment_intents", json={"amount": 4999, "location": shop["id"]}, headers=admin
    )
    pi = created.json()
    confirmed = await api.client.post(
        f"/v1/payment_intents/{pi['id']}/confirm",
        json={"payment_method": "pm_card_riskLevelElevated"},
        headers=admin,
    )
    assert confirmed.status_code == 200, confirmed.text
    assert (confirmed.json()["status"], confirmed.json()["capture_method"]) == (
        "requires_capture",
        "manual",
    )
    assert (await api.client.get("/v1/reviews", headers=admin)).json()["data"][0]["open"] is True
    big = await api.client.post(
        "/v1/payment_intents", json={"amount": 95000, "location": shop["id"]}, headers=admin
    )
    blocked = await api.client.post(
        f"/v1/payment_intents/{big.json()['id']}/confirm",
        json={"payment_method": "pm_card_visa"},
        headers=admin,
    )
    assert blocked.status_code == 402
    assert blocked.json()["error"]["payment_intent"]["status"] == "requires_payment_method"
    retry = await api.client.post(
        f"/v1/payment_intents/{big.json()['id']}/confirm",
        json={"payment_method": "pm_card_visa"},
        headers=admin,
    )
    assert retry.status_code == 402  # still blocked: another method is needed
    await _verified(api)


async def test_a_failed_3ds_challenge_counts_against_the_card(api: Api) -> None:
    admin, shop = await _shop(api)
    await _rule(api, admin, "request_three_d_secure", ":amount_in_eur: > 40")
    first = (
        await _pay(api, admin, shop, "pm_card_visa", return_url="https://shop.example/done")
    ).json()
    assert first["status"] == "requires_action"
    url = first["next_action"]["redirect_to_url"]["url"]
    page = "/" + url.split("://", 1)[1].split("/", 1)[1].split("?")[0]
    failed = await api.client.post(page, data={"outcome": "fail"})  # the customer's browser
    assert failed.status_code == 303
    after = (await api.client.get(f"/v1/payment_intents/{first['id']}", headers=admin)).json()
    assert after["status"] == "requires_payment_method"
    second = await api.client.post(
        f"/v1/payment_intents/{first['id']}/confirm",
        json={"payment_method": "pm_card_visa"},
        headers=admin,
    )
    assert second.status_code == 200, second.text
    charge = await _charge(api, admin, second.json()["latest_charge"])
    reasons = {r["signal"]: r for r in charge["risk"]["reasons"]}
    assert reasons["three_ds_failures_per_card_24h"] == {
        "signal": "three_ds_failures_per_card_24h",
        "value": 1,
        "weight": 25,
    }
