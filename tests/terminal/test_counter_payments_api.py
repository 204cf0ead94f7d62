"""At the counter: a clerk registers Stripe's simulated reader, sends a card_present
PaymentIntent to it, the customer taps a test card, and the payment succeeds with
Stripe's card_present details; the ledger books it under its own payment method type."""

from __future__ import annotations

from payments.app.capabilities import verify_ledger
from support.app import Api
from support.refunds import event_types, poll_gateway
from support.terminal import (
    counter,
    counter_intent,
    get_reader,
    paid_at_counter,
    present,
    process,
    reader,
)


async def test_a_clerk_takes_a_card_present_payment_on_a_simulated_reader(api: Api) -> None:
    admin, clerk, shop = await counter(api)
    tmr = await reader(api, clerk, shop)
    assert tmr["object"] == "terminal.reader"
    assert tmr["id"].startswith("tmr_")
    assert tmr["device_type"] == "simulated_wisepos_e"
    assert tmr["status"] == "online"
    assert tmr["location"] == shop["id"]
    assert tmr["action"] is None

    pi = await counter_intent(api, clerk, shop)
    assert pi["payment_method_types"] == ["card_present"]
    sent = await process(api, clerk, tmr["id"], pi["id"])
    assert sent.status_code == 200, sent.text
    action = sent.json()["action"]
    assert action["type"] == "process_payment_intent"
    assert action["status"] == "in_progress"
    assert action["process_payment_intent"] == {"payment_intent": pi["id"]}
    waiting = await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=clerk)
    assert waiting.json()["status"] == "requires_payment_method"  # until the card is read

    tapped = await present(api, clerk, tmr["id"], "4242424242424242")
    assert tapped.status_code == 200, tapped.text
    await poll_gateway(api.container)

    paid = (await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=clerk)).json()
    assert paid["status"] == "succeeded"
    assert paid["amount_received"] == 12900
    charge = (await api.client.get(f"/v1/charges/{paid['latest_charge']}", headers=clerk)).json()
    details = charge["payment_method_details"]
    assert details["type"] == "card_present"
    card = details["card_present"]
    assert (card["brand"], card["last4"], card["read_method"]) == (
        "visa",
        "4242",
        "contactless_emv",
    )
    receipt = card["receipt"]
    assert receipt["dedicated_file_name"] == "A0000000031010"
    assert receipt["application_preferred_name"] == "VISA CREDIT"
    assert len(receipt["authorization_code"]) == 6
    assert receipt["account_type"] == "credit"

    done = await get_reader(api, clerk, tmr["id"])
    assert done["action"]["status"] == "succeeded"
    types = await event_types(api, admin)
    assert "terminal.reader.action_succeeded" in types
    assert "payment_intent.succeeded" in types

    # counter volume is split from online volume in the ledger
    dims = await api.client.get("/v1/ledger/accounts/gateway_receivable/dimensions", headers=admin)
    assert dims.status_code == 200, dims.text
    by_dim = {row["dimension"]: row for row in dims.json()["data"]}
    assert "card_present" in by_dim
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_manual_capture_at_the_counter_then_capture(api: Api) -> None:
    _admin, clerk, shop = await counter(api)
    tmr = await reader(api, clerk, shop)
    pi = await counter_intent(api, clerk, shop, capture_method="manual")
    held = await paid_at_counter(api, clerk, tmr["id"], pi["id"], "5555555555554444")
    assert held["status"] == "requires_capture"
    assert held["amount_capturable"] == 12900
    captured = await api.client.post(
        f"/v1/payment_intents/{pi['id']}/capture", json={"amount_to_capture": 10000}, headers=clerk
    )
    assert captured.status_code == 200, captured.text
    assert captured.json()["status"] == "succeeded"
    assert captured.json()["amount_received"] == 10000
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_a_declined_card_leaves_the_intent_to_try_again(api: Api) -> None:
    _admin, clerk, shop = await counter(api)
    tmr = await reader(api, clerk, shop)
    pi = await counter_intent(api, clerk, shop)
    declined = await paid_at_counter(api, clerk, tmr["id"], pi["id"], "4000000000000002")
    assert declined["status"] == "requires_payment_method"
    error = declined["last_payment_error"]
    assert (error["code"], error["decline_code"]) == ("card_declined", "generic_decline")
    failed = await get_reader(api, clerk, tmr["id"])
    assert failed["action"]["status"] == "failed"
    assert failed["action"]["failure_code"] == "card_declined"

    # the customer tries another card on the same intent
    paid = await paid_at_counter(api, clerk, tmr["id"], pi["id"])
    assert paid["status"] == "succeeded"
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_cancel_action_stops_the_reader_and_charges_nothing(api: Api) -> None:
    _admin, clerk, shop = await counter(api)
    tmr = await reader(api, clerk, shop)
    pi = await counter_intent(api, clerk, shop)
    assert (await process(api, clerk, tmr["id"], pi["id"])).status_code == 200
    canceled = await api.client.post(
        f"/v1/terminal/readers/{tmr['id']}/cancel_action", headers=clerk
    )
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["action"]["status"] == "failed"
    assert canceled.json()["action"]["failure_code"] == "canceled"
    late = await present(api, clerk, tmr["id"])
    assert late.status_code == 400
    assert late.json()["error"]["code"] == "terminal_reader_action_not_in_progress"
    await poll_gateway(api.container)
    still = (await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=clerk)).json()
    assert still["status"] == "requires_payment_method"
    assert still["latest_charge"] is None
    # the reader is free again
    assert (await process(api, clerk, tmr["id"], pi["id"])).status_code == 200


async def test_set_reader_display_shows_the_cart(api: Api) -> None:
    _admin, clerk, shop = await counter(api)
    tmr = await reader(api, clerk, shop)
    body = {
        "type": "cart",
        "cart": {
            "currency": "eur",
            "line_items": [
                {"description": "Display panel", "amount": 12900, "quantity": 1},
                {"description": "Labour", "amount": 8000, "quantity": 1},
            ],
            "tax": 0,
            "total": 20900,
        },
    }
    shown = await api.client.post(
        f"/v1/terminal/readers/{tmr['id']}/set_reader_display", json=body, headers=clerk
    )
    assert shown.status_code == 200, shown.text
    action = shown.json()["action"]
    assert action["type"] == "set_reader_display"
    assert action["status"] == "succeeded"
    assert action["set_reader_display"]["cart"]["total"] == 20900
    wrong = await api.client.post(
        f"/v1/terminal/readers/{tmr['id']}/set_reader_display",
        json=body | {"cart": body["cart"] | {"total": 1}},
        headers=clerk,
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"]["param"] == "cart[total]"


async def test_readers_list_and_connection_token(api: Api) -> None:
    admin, clerk, shop = await counter(api)
    other = await api.location(admin, name="Hamburg")
    mine = await reader(api, clerk, shop)
    theirs = await reader(api, admin, other, label="Hamburg counter")
    listed = await api.client.get("/v1/terminal/readers", headers=clerk)
    assert [r["id"] for r in listed.json()["data"]] == [mine["id"]]
    everything = await api.client.get("/v1/terminal/readers", headers=admin)
    assert {r["id"] for r in everything.json()["data"]} == {mine["id"], theirs["id"]}
    hidden = await api.client.get(f"/v1/terminal/readers/{theirs['id']}", headers=clerk)
    assert hidden.status_code == 404
    token = await api.client.post("/v1/terminal/connection_tokens", json={}, headers=clerk)
    assert token.status_code == 200, token.text
    assert token.json()["object"] == "terminal.connection_token"
    assert token.json()["secret"].startswith("pst_test_")
    assert token.json()["location"] == shop["id"]
    readonly = await api.key("readonly")
    refused = await api.client.post(
        "/v1/terminal/readers",
        json={"registration_code": "simulated-wpe", "location": shop["id"]},
        headers=readonly,
    )
    assert refused.status_code == 403
