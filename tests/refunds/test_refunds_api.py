"""Refunds through the API: partial refunds up to (never beyond) the captured amount,
Stripe's errors for bad requests with nothing moved, the charge's refunded totals."""

from __future__ import annotations

from typing import Any

import pytest

from support.app import Api
from support.refunds import charge_of, event_types, ledger_kinds, paid, refund, shop, verified


async def test_partial_refunds_cannot_exceed_captured_amount(api: Api) -> None:
    admin, loc = await shop(api)
    pi = await paid(api, admin, loc["id"], amount=10000)
    first = await refund(api, admin, payment_intent=pi["id"], amount=3000, reason="warranty")
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["id"].startswith("re_")
    assert (body["status"], body["amount"], body["currency"]) == ("succeeded", 3000, "eur")
    assert (body["charge"], body["payment_intent"]) == (pi["latest_charge"], pi["id"])
    assert body["reason"] == "warranty" and body["approval"] is None

    second = await refund(api, admin, charge=pi["latest_charge"], amount=6000)
    assert second.status_code == 200, second.text
    too_much = await refund(api, admin, payment_intent=pi["id"], amount=1001)
    assert too_much.status_code == 400
    assert too_much.json()["error"]["code"] == "amount_too_large"
    assert too_much.json()["error"]["param"] == "amount"

    rest = await refund(api, admin, payment_intent=pi["id"])  # no amount: all that is left
    assert rest.status_code == 200, rest.text
    assert rest.json()["amount"] == 1000
    done = await refund(api, admin, payment_intent=pi["id"], amount=1)
    assert done.status_code == 400
    assert done.json()["error"]["code"] == "charge_already_refunded"

    charge = await charge_of(api, admin, pi)
    assert (charge["amount_refunded"], charge["refunded"]) == (10000, True)
    intent = (await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=admin)).json()
    assert intent["status"] == "succeeded"
    listed = await api.client.get("/v1/refunds", params={"payment_intent": pi["id"]}, headers=admin)
    assert [r["amount"] for r in listed.json()["data"]] == [1000, 6000, 3000]
    await verified(api)


async def test_a_refund_posts_the_ledger_and_emits_stripe_events(api: Api) -> None:
    admin, loc = await shop(api)
    pi = await paid(api, admin, loc["id"], amount=5000)
    created = (await refund(api, admin, payment_intent=pi["id"], amount=2000)).json()
    assert await ledger_kinds(api, admin, created["id"]) == ["refund.created", "refund.succeeded"]
    types = await event_types(api, admin)
    assert {"refund.created", "charge.refunded", "refund.updated"} <= set(types)
    accounts = {
        (a["account"], a["currency"]): a["balance"]
        for a in (await api.client.get("/v1/ledger/accounts", headers=admin)).json()["data"]
    }
    assert accounts[("refunds_payable", "eur")] == 0
    assert accounts[("revenue_clearing", "eur")] == -3000
    retrieved = await api.client.get(f"/v1/refunds/{created['id']}", headers=admin)
    assert retrieved.json() == created
    await verified(api)


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ({"amount": 0}, "parameter_invalid_integer", "amount"),
        ({"amount": -500}, "parameter_invalid_integer", "amount"),
        ({"amount": 10001}, "amount_too_large", "amount"),
        ({"amount": 100, "currency": "chf"}, "currency_mismatch", "currency"),
        ({"amount": 100, "reason": "bored"}, "parameter_invalid", "reason"),
        ({"amount": "12.50"}, "parameter_invalid", "amount"),
    ],
)
async def test_bad_refund_requests_are_clear_400s_and_move_nothing(
    api: Api, body: dict[str, Any], code: str, param: str
) -> None:
    admin, loc = await shop(api)
    pi = await paid(api, admin, loc["id"], amount=10000)
    response = await refund(api, admin, payment_intent=pi["id"], **body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["type"], error["code"], error["param"]) == ("invalid_request_error", code, param)
    assert (await api.client.get("/v1/refunds", headers=admin)).json()["data"] == []
    assert (await charge_of(api, admin, pi))["amount_refunded"] == 0
    assert await ledger_kinds(api, admin, pi["latest_charge"]) == ["charge.fee", "charge.succeeded"]
    await verified(api)


async def test_uncaptured_and_failed_payments_cannot_be_refunded(api: Api) -> None:
    admin, loc = await shop(api)
    held = await paid(api, admin, loc["id"], capture_method="manual")
    assert held["status"] == "requires_capture"
    response = await refund(api, admin, payment_intent=held["id"])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "charge_not_refundable"

    declined = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": 2000,
            "location": loc["id"],
            "payment_method": "pm_card_visa_chargeDeclined",
            "confirm": True,
        },
        headers=admin,
    )
    assert declined.status_code == 402
    failed_pi = declined.json()["error"]["payment_intent"]["id"]
    response = await refund(api, admin, payment_intent=failed_pi)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "charge_not_refundable"

    fresh = await api.client.post(
        "/v1/payment_intents", json={"amount": 2000, "location": loc["id"]}, headers=admin
    )
    response = await refund(api, admin, payment_intent=fresh.json()["id"])
    assert response.json()["error"]["code"] == "charge_not_refundable"
    missing = await refund(api, admin)
    assert missing.json()["error"]["code"] == "parameter_missing"
    unknown = await refund(api, admin, payment_intent="pi_nope")
    assert unknown.status_code == 404
    assert (await api.client.get("/v1/refunds", headers=admin)).json()["data"] == []
    await verified(api)


async def test_readonly_keys_cannot_refund_and_other_shops_see_nothing(api: Api) -> None:
    admin, loc = await shop(api)
    other = await api.location(admin, name="Hamburg")
    pi = await paid(api, admin, loc["id"])
    readonly = await api.key("readonly")
    denied = await refund(api, readonly, payment_intent=pi["id"], amount=100)
    assert denied.status_code == 403
    stranger = await api.key("finance", location=other["id"])
    hidden = await refund(api, stranger, payment_intent=pi["id"], amount=100)
    assert hidden.status_code == 404
    made = (await refund(api, admin, payment_intent=pi["id"], amount=100)).json()
    assert (await api.client.get(f"/v1/refunds/{made['id']}", headers=stranger)).status_code == 404
    assert (await api.client.get("/v1/refunds", headers=stranger)).json()["data"] == []
    await verified(api)


async def test_refunds_list_filters_by_status_and_created(api: Api) -> None:
    admin, loc = await shop(api)
    pi = await paid(api, admin, loc["id"], amount=30000)
    first = (await refund(api, admin, payment_intent=pi["id"], amount=100)).json()
    api.container.clock.advance(hours=2)  # type: ignore[attr-defined]
    clerk = await api.key("clerk")
    waiting = (await refund(api, clerk, payment_intent=pi["id"], amount=25000)).json()
    assert waiting["status"] == "pending_approval"
    by_status = await api.client.get(
        "/v1/refunds", params={"status": "pending_approval"}, headers=admin
    )
    assert [r["id"] for r in by_status.json()["data"]] == [waiting["id"]]
    early = await api.client.get(
        "/v1/refunds", params={"created[lte]": first["created"] + 60}, headers=admin
    )
    assert [r["id"] for r in early.json()["data"]] == [first["id"]]
    late = await api.client.get(
        "/v1/refunds", params={"created[gte]": first["created"] + 60}, headers=admin
    )
    assert [r["id"] for r in late.json()["data"]] == [waiting["id"]]
    await verified(api)
