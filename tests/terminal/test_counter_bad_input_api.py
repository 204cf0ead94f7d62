"""Refusals at the counter, in Stripe's codes, with nothing charged: an offline or busy
reader, a reader of another shop, an intent without card_present, a second action while
one is in progress, a card presented when no action waits, an Interac card in the EU."""

from __future__ import annotations

from payments.app.capabilities import verify_ledger
from support.app import Api
from support.refunds import poll_gateway
from support.terminal import counter, counter_intent, get_reader, present, process, reader


async def _no_charge(api: Api, headers: dict[str, str], pi_id: str) -> None:
    pi = (await api.client.get(f"/v1/payment_intents/{pi_id}", headers=headers)).json()
    assert pi["status"] == "requires_payment_method"
    assert pi["latest_charge"] is None
    charges = await api.client.get("/v1/charges", params={"payment_intent": pi_id}, headers=headers)
    assert charges.json()["data"] == []


async def test_an_offline_reader_refuses_the_payment(api: Api) -> None:
    _admin, clerk, shop = await counter(api)
    tmr = await reader(api, clerk, shop)
    off = await api.client.post(
        f"/v1/test_helpers/terminal/readers/{tmr['id']}/set_status",
        json={"status": "offline"},
        headers=clerk,
    )
    assert off.status_code == 200, off.text
    assert off.json()["status"] == "offline"
    pi = await counter_intent(api, clerk, shop)
    refused = await process(api, clerk, tmr["id"], pi["id"])
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "terminal_reader_offline"
    assert refused.json()["error"]["param"] == "reader"
    await _no_charge(api, clerk, pi["id"])
    # the gateway said it is offline before we asked: our record knows it now
    assert (await get_reader(api, clerk, tmr["id"]))["status"] == "offline"

    back = await api.client.post(
        f"/v1/test_helpers/terminal/readers/{tmr['id']}/set_status",
        json={"status": "online"},
        headers=clerk,
    )
    assert back.json()["status"] == "online"
    assert (await process(api, clerk, tmr["id"], pi["id"])).status_code == 200


async def test_a_busy_reader_and_an_intent_on_two_readers_are_refused(api: Api) -> None:
    _admin, clerk, shop = await counter(api)
    first = await reader(api, clerk, shop)
    second = await reader(api, clerk, shop, label="Counter 2")
    pi = await counter_intent(api, clerk, shop)
    other = await counter_intent(api, clerk, shop, amount=500)
    assert (await process(api, clerk, first["id"], pi["id"])).status_code == 200
    busy = await process(api, clerk, first["id"], other["id"])
    assert busy.status_code == 400
    assert busy.json()["error"]["code"] == "terminal_reader_busy"
    twice = await process(api, clerk, second["id"], pi["id"])
    assert twice.status_code == 400
    assert twice.json()["error"]["code"] == "intent_invalid_state"
    # the reader still waits for the first intent's card
    assert (await get_reader(api, clerk, first["id"]))["action"]["process_payment_intent"] == {
        "payment_intent": pi["id"]
    }
    await _no_charge(api, clerk, other["id"])


async def test_an_intent_without_card_present_and_a_finished_one_are_refused(api: Api) -> None:
    _admin, clerk, shop = await counter(api)
    tmr = await reader(api, clerk, shop)
    online = await api.client.post(
        "/v1/payment_intents",
        json={"amount": 1000, "currency": "eur", "location": shop["id"]},
        headers=clerk,
    )
    assert "card_present" not in online.json()["payment_method_types"]
    refused = await process(api, clerk, tmr["id"], online.json()["id"])
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "payment_intent_incompatible_payment_method"
    assert refused.json()["error"]["param"] == "payment_intent"
    assert (await get_reader(api, clerk, tmr["id"]))["action"] is None

    canceled = await counter_intent(api, clerk, shop)
    await api.client.post(f"/v1/payment_intents/{canceled['id']}/cancel", headers=clerk)
    gone = await process(api, clerk, tmr["id"], canceled["id"])
    assert gone.status_code == 400
    assert gone.json()["error"]["code"] == "intent_invalid_state"


async def test_a_reader_of_another_shop(api: Api) -> None:
    admin, clerk, shop = await counter(api)
    elsewhere = await api.location(admin, name="Hamburg")
    theirs = await reader(api, admin, elsewhere)
    pi = await counter_intent(api, clerk, shop)
    hidden = await process(api, clerk, theirs["id"], pi["id"])
    assert hidden.status_code == 404  # a key bound to a shop does not see other readers
    mixed = await process(api, admin, theirs["id"], pi["id"])
    assert mixed.status_code == 400
    assert mixed.json()["error"]["code"] == "terminal_reader_invalid_location_for_payment"
    await _no_charge(api, clerk, pi["id"])


async def test_presenting_a_card_with_no_action_and_an_interac_card(api: Api) -> None:
    _admin, clerk, shop = await counter(api)
    tmr = await reader(api, clerk, shop)
    idle = await present(api, clerk, tmr["id"])
    assert idle.status_code == 400
    assert idle.json()["error"]["code"] == "terminal_reader_action_not_in_progress"

    pi = await counter_intent(api, clerk, shop)
    assert (await process(api, clerk, tmr["id"], pi["id"])).status_code == 200
    interac = await present(api, clerk, tmr["id"], type="interac_present")
    assert interac.status_code == 200, interac.text
    await poll_gateway(api.container)
    failed = await get_reader(api, clerk, tmr["id"])
    assert failed["action"]["status"] == "failed"
    assert failed["action"]["failure_code"] == "card_declined"
    await _no_charge(api, clerk, pi["id"])

    unknown = await process(api, clerk, tmr["id"], pi["id"])
    assert unknown.status_code == 200
    not_a_test_card = await present(api, clerk, tmr["id"], "4111111111111112")
    assert not_a_test_card.status_code == 400
    assert not_a_test_card.json()["error"]["param"] == "card_present[number]"
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_bad_registration_and_bodies(api: Api) -> None:
    _admin, clerk, shop = await counter(api)
    wrong = await api.client.post(
        "/v1/terminal/readers",
        json={"registration_code": "puppies-plug", "location": shop["id"]},
        headers=clerk,
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"]["param"] == "registration_code"
    listed = await api.client.get("/v1/terminal/readers", headers=clerk)
    assert listed.json()["data"] == []
    tmr = await reader(api, clerk, shop)
    extra = await api.client.post(
        f"/v1/terminal/readers/{tmr['id']}/process_payment_intent",
        json={"payment_intent": "pi_x", "amount": 5},
        headers=clerk,
    )
    assert extra.status_code == 400
    assert extra.json()["error"]["param"] == "amount"
    nothing = await api.client.post(
        f"/v1/terminal/readers/{tmr['id']}/cancel_action", headers=clerk
    )
    assert nothing.status_code == 400
    assert nothing.json()["error"]["code"] == "terminal_reader_action_not_in_progress"


async def test_an_intent_on_a_reader_is_not_canceled_changed_or_confirmed_meanwhile(
    api: Api,
) -> None:
    _admin, clerk, shop = await counter(api)
    tmr = await reader(api, clerk, shop)
    pi = await counter_intent(api, clerk, shop)
    assert (await process(api, clerk, tmr["id"], pi["id"])).status_code == 200
    cancel = await api.client.post(f"/v1/payment_intents/{pi['id']}/cancel", headers=clerk)
    assert cancel.status_code == 400
    assert cancel.json()["error"]["code"] == "payment_intent_unexpected_state"
    assert tmr["id"] in cancel.json()["error"]["message"]
    change = await api.client.post(
        f"/v1/payment_intents/{pi['id']}", json={"amount": 100}, headers=clerk
    )
    assert change.status_code == 400
    still = (await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=clerk)).json()
    assert (still["status"], still["amount"]) == ("requires_payment_method", 12900)

    assert (
        await api.client.post(f"/v1/terminal/readers/{tmr['id']}/cancel_action", headers=clerk)
    ).status_code == 200
    canceled = await api.client.post(f"/v1/payment_intents/{pi['id']}/cancel", headers=clerk)
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["status"] == "canceled"
