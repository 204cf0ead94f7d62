"""The gateway's answer to starting a reader action is lost: the reader may be waiting
for the card, so the action stays in progress; the card read later is applied to it
once, and a provably unsent request fails the action and frees the reader."""

from __future__ import annotations

from typing import Any

from payments.app.capabilities import verify_ledger
from support.app import Api
from support.refunds import poll_gateway
from support.terminal import counter, counter_intent, get_reader, present, process, reader


async def test_a_lost_answer_leaves_the_action_waiting_for_the_card(api: Api) -> None:
    _admin, clerk, shop = await counter(api)
    tmr = await reader(api, clerk, shop)
    pi = await counter_intent(api, clerk, shop)
    sim: Any = api.container.gateway
    await sim.set_fault("lost_response", operation="process_payment")
    lost = await process(api, clerk, tmr["id"], pi["id"])
    assert lost.status_code == 502
    assert lost.json()["error"]["code"] == "gateway_unavailable"
    waiting = await get_reader(api, clerk, tmr["id"])
    assert waiting["action"]["status"] == "in_progress"

    assert (await present(api, clerk, tmr["id"])).status_code == 200
    await poll_gateway(api.container)
    await poll_gateway(api.container)
    paid = (await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=clerk)).json()
    assert paid["status"] == "succeeded"
    charges = await api.client.get(
        "/v1/charges", params={"payment_intent": pi["id"]}, headers=clerk
    )
    assert len(charges.json()["data"]) == 1
    assert (await get_reader(api, clerk, tmr["id"]))["action"]["status"] == "succeeded"
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_an_unsent_request_frees_the_reader(api: Api) -> None:
    _admin, clerk, shop = await counter(api)
    tmr = await reader(api, clerk, shop)
    pi = await counter_intent(api, clerk, shop)
    sim: Any = api.container.gateway
    await sim.set_fault("http_500", operation="process_payment")
    unsent = await process(api, clerk, tmr["id"], pi["id"])
    assert unsent.status_code == 502
    assert (await get_reader(api, clerk, tmr["id"]))["action"] is None
    retried = await process(api, clerk, tmr["id"], pi["id"])
    assert retried.status_code == 200, retried.text
