"""Deposits: a pre-authorization at drop-off, raised when the estimate grows
(increment_authorization), attached to the final invoice and captured at its amount;
deposit + balance; every cent in the ledger."""

from __future__ import annotations

from typing import Any

from support.app import Api
from support.invoices import customer, finalized, post, setup
from support.refunds import event_types, ledger_kinds, verified

TOTAL = 29631


async def _hold(
    api: Api,
    headers: dict[str, str],
    shop: dict[str, Any],
    cus: dict[str, Any],
    amount: int,
    pm: str = "pm_card_visa_incremental",
) -> dict[str, Any]:
    held = await post(
        api,
        "/v1/payment_intents",
        headers,
        amount=amount,
        location=shop["id"],
        customer=cus["id"],
        capture_method="manual",
        payment_method=pm,
        confirm=True,
    )
    assert held.status_code == 200, held.text
    assert held.json()["status"] == "requires_capture"
    return held.json()  # type: ignore[no-any-return]


async def test_a_pre_authorization_grows_and_is_captured_at_the_final_invoice_amount(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    clerk = await api.key("clerk")
    cus = await customer(api, admin)
    deposit = await _hold(api, clerk, shop, cus, 20000)
    grown = await post(
        api, f"/v1/payment_intents/{deposit['id']}/increment_authorization", clerk, amount=35000
    )
    assert grown.status_code == 200, grown.text
    assert (grown.json()["amount"], grown.json()["amount_capturable"]) == (35000, 35000)
    assert grown.json()["status"] == "requires_capture"
    charge = grown.json()["latest_charge"]
    assert "authorization.incremented" in await ledger_kinds(api, admin, f"{charge}+88b8")
    await verified(api)
    invoice = await finalized(api, admin, shop, cus)
    attached = await post(
        api, f"/v1/invoices/{invoice['id']}/attach_payment", clerk, payment_intent=deposit["id"]
    )
    assert attached.status_code == 200, attached.text
    assert (attached.json()["status"], attached.json()["amount_paid"]) == ("open", 0)
    captured = await post(
        api,
        f"/v1/payment_intents/{deposit['id']}/capture",
        clerk,
        amount_to_capture=TOTAL,
    )
    assert captured.status_code == 200, captured.text
    assert (captured.json()["status"], captured.json()["amount_received"]) == ("succeeded", TOTAL)
    paid = (await api.client.get(f"/v1/invoices/{invoice['id']}", headers=admin)).json()
    assert (paid["status"], paid["amount_paid"], paid["amount_remaining"]) == ("paid", TOTAL, 0)
    listed = await api.client.get(f"/v1/invoices/{invoice['id']}/payments", headers=admin)
    (payment,) = listed.json()["data"]
    assert payment["payment"] == {"type": "payment_intent", "payment_intent": deposit["id"]}
    assert "payment_intent.amount_capturable_updated" in await event_types(api, admin)
    await verified(api)


async def test_deposit_and_balance(api: Api) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    deposit = await _hold(api, admin, shop, cus, 10000, pm="pm_card_visa")
    invoice = await finalized(api, admin, shop, cus)
    attach = await post(
        api, f"/v1/invoices/{invoice['id']}/attach_payment", admin, payment_intent=deposit["id"]
    )
    assert attach.status_code == 200, attach.text
    captured = await post(api, f"/v1/payment_intents/{deposit['id']}/capture", admin)
    assert captured.status_code == 200, captured.text
    half = (await api.client.get(f"/v1/invoices/{invoice['id']}", headers=admin)).json()
    assert (half["status"], half["amount_paid"], half["amount_remaining"]) == (
        "open",
        10000,
        TOTAL - 10000,
    )
    await verified(api)
    balance = await post(
        api, f"/v1/invoices/{invoice['id']}/pay", admin, payment_method="pm_card_mastercard"
    )
    assert balance.status_code == 200, balance.text
    assert (balance.json()["status"], balance.json()["amount_paid"]) == ("paid", TOTAL)
    listed = await api.client.get(f"/v1/invoices/{invoice['id']}/payments", headers=admin)
    assert [p["amount_paid"] for p in listed.json()["data"]] == [TOTAL - 10000, 10000]
    await verified(api)


async def test_a_paid_deposit_applies_at_once_and_its_excess_is_customer_credit(api: Api) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    deposit = await post(
        api,
        "/v1/payment_intents",
        admin,
        amount=TOTAL + 1000,
        location=shop["id"],
        customer=cus["id"],
        payment_method="pm_card_visa",
        confirm=True,
    )
    assert deposit.json()["status"] == "succeeded"
    invoice = await finalized(api, admin, shop, cus)
    attached = await post(
        api,
        f"/v1/invoices/{invoice['id']}/attach_payment",
        admin,
        payment_intent=deposit.json()["id"],
    )
    assert attached.status_code == 200, attached.text
    assert (attached.json()["status"], attached.json()["amount_paid"]) == ("paid", TOTAL)
    listed = await api.client.get(f"/v1/invoices/{invoice['id']}/payments", headers=admin)
    assert listed.json()["data"][0]["amount_credited"] == 1000
    await verified(api)


async def test_increments_that_cannot_be_made_are_refused_and_the_hold_stays(api: Api) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    declining = await _hold(api, admin, shop, cus, 20000, pm="pm_card_visa_incrementalDeclined")
    path = f"/v1/payment_intents/{declining['id']}/increment_authorization"
    declined = await post(api, path, admin, amount=30000)
    assert declined.status_code == 402, declined.text
    assert declined.json()["error"]["code"] == "card_declined"
    held = (await api.client.get(f"/v1/payment_intents/{declining['id']}", headers=admin)).json()
    assert (held["status"], held["amount_capturable"]) == ("requires_capture", 20000)
    not_incremental = await _hold(api, admin, shop, cus, 20000, pm="pm_card_visa")
    refused = await post(
        api,
        f"/v1/payment_intents/{not_incremental['id']}/increment_authorization",
        admin,
        amount=30000,
    )
    assert refused.status_code == 400, refused.text
    for body, param in (({"amount": 20000}, "amount"), ({"amount": "x"}, "amount"), ({}, "amount")):
        bad = await api.client.post(path, json=body, headers=admin)
        assert bad.status_code == 400, bad.text
        assert bad.json()["error"]["param"] == param
    captured = await post(api, f"/v1/payment_intents/{declining['id']}/capture", admin)
    assert captured.json()["amount_received"] == 20000
    again = await post(api, path, admin, amount=30000)
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "payment_intent_unexpected_state"
    await verified(api)


async def test_attach_payment_refuses_what_cannot_pay_the_invoice(api: Api) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    invoice = await finalized(api, admin, shop, cus)
    other = await finalized(api, admin, shop, cus)
    hold = await _hold(api, admin, shop, cus, 5000, pm="pm_card_visa")
    path = f"/v1/invoices/{invoice['id']}/attach_payment"
    assert (await post(api, path, admin, payment_intent=hold["id"])).status_code == 200
    twice = await post(
        api, f"/v1/invoices/{other['id']}/attach_payment", admin, payment_intent=hold["id"]
    )
    assert twice.status_code == 400
    assert twice.json()["error"]["param"] == "payment_intent"
    missing = await post(api, path, admin, payment_intent="pi_missing")
    assert missing.status_code == 404
    assert missing.json()["error"]["param"] == "payment_intent"
    empty = await api.client.post(path, json={}, headers=admin)
    assert empty.status_code == 400
    assert empty.json()["error"]["param"] == "payment_intent"
