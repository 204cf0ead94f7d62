"""Refunds of card-present charges: back to the card presented on the reader
(``refund_payment``), or a normal refund where the card need not be present."""

from __future__ import annotations

from payments.app.capabilities import verify_ledger
from support.app import Api
from support.refunds import poll_gateway
from support.terminal import counter, counter_intent, get_reader, paid_at_counter, present, reader


async def test_a_refund_to_the_card_presented_on_the_reader(api: Api) -> None:
    _admin, clerk, shop = await counter(api)
    tmr = await reader(api, clerk, shop)
    pi = await counter_intent(api, clerk, shop)
    paid = await paid_at_counter(api, clerk, tmr["id"], pi["id"], "5555555555554444")
    charge_id = paid["latest_charge"]

    started = await api.client.post(
        f"/v1/terminal/readers/{tmr['id']}/refund_payment",
        json={"charge": charge_id, "amount": 2900, "reason": "requested_by_customer"},
        headers=clerk,
    )
    assert started.status_code == 200, started.text
    action = started.json()["action"]
    assert (action["type"], action["status"]) == ("refund_payment", "in_progress")
    assert action["refund_payment"]["charge"] == charge_id
    assert action["refund_payment"]["amount"] == 2900

    # another card is refused: the money goes back to the card that paid
    other = await present(api, clerk, tmr["id"], "4242424242424242")
    assert other.status_code == 200
    await poll_gateway(api.container)
    refused = await get_reader(api, clerk, tmr["id"])
    assert refused["action"]["status"] == "failed"
    refunds = await api.client.get("/v1/refunds", params={"charge": charge_id}, headers=clerk)
    assert refunds.json()["data"] == []

    again = await api.client.post(
        f"/v1/terminal/readers/{tmr['id']}/refund_payment",
        json={"payment_intent": pi["id"], "amount": 2900},
        headers=clerk,
    )
    assert again.status_code == 200, again.text
    assert (await present(api, clerk, tmr["id"], "5555555555554444")).status_code == 200
    await poll_gateway(api.container)
    done = await get_reader(api, clerk, tmr["id"])
    assert done["action"]["status"] == "succeeded"
    refund_id = done["action"]["refund_payment"]["refund"]
    refund = (await api.client.get(f"/v1/refunds/{refund_id}", headers=clerk)).json()
    assert (refund["status"], refund["amount"], refund["charge"]) == ("succeeded", 2900, charge_id)
    charge = (await api.client.get(f"/v1/charges/{charge_id}", headers=clerk)).json()
    assert charge["amount_refunded"] == 2900
    # applying the same news twice changes nothing
    await poll_gateway(api.container)
    refunds = await api.client.get("/v1/refunds", params={"charge": charge_id}, headers=clerk)
    assert len(refunds.json()["data"]) == 1

    too_much = await api.client.post(
        f"/v1/terminal/readers/{tmr['id']}/refund_payment",
        json={"charge": charge_id, "amount": 10001},
        headers=clerk,
    )
    assert too_much.status_code == 400
    assert too_much.json()["error"]["code"] == "amount_too_large"
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_a_normal_refund_of_a_card_present_charge(api: Api) -> None:
    _admin, clerk, shop = await counter(api)
    tmr = await reader(api, clerk, shop)
    pi = await counter_intent(api, clerk, shop)
    await paid_at_counter(api, clerk, tmr["id"], pi["id"])
    refund = await api.client.post(
        "/v1/refunds", json={"payment_intent": pi["id"], "amount": 1000}, headers=clerk
    )
    assert refund.status_code == 200, refund.text
    assert refund.json()["status"] == "succeeded"
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_refund_payment_only_for_card_present_charges(api: Api) -> None:
    _admin, clerk, shop = await counter(api)
    tmr = await reader(api, clerk, shop)
    online = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": 1500,
            "currency": "eur",
            "location": shop["id"],
            "payment_method": "pm_card_visa",
            "confirm": True,
        },
        headers=clerk,
    )
    assert online.json()["status"] == "succeeded", online.text
    refused = await api.client.post(
        f"/v1/terminal/readers/{tmr['id']}/refund_payment",
        json={"payment_intent": online.json()["id"]},
        headers=clerk,
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "charge_invalid_parameter"
    assert (await get_reader(api, clerk, tmr["id"]))["action"] is None
