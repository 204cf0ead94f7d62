"""Helpers for the counter tests: a shop with a seller, a simulated reader, a card_present
PaymentIntent sent to it, and a card presented through the test helper."""

from __future__ import annotations

from typing import Any

from support.app import Api
from support.invoices import setup
from support.refunds import poll_gateway


async def counter(api: Api) -> tuple[dict[str, str], dict[str, str], dict[str, Any]]:
    """An admin key, a clerk key bound to a shop with its seller, and the shop."""
    admin, shop = await setup(api)
    clerk = await api.key("clerk", location=shop["id"])
    return admin, clerk, shop


async def reader(api: Api, headers: dict[str, str], shop: dict[str, Any], **fields: Any) -> Any:
    body = {"registration_code": "simulated-wpe", "label": "Counter 1", "location": shop["id"]}
    response = await api.client.post("/v1/terminal/readers", json=body | fields, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def counter_intent(
    api: Api, headers: dict[str, str], shop: dict[str, Any], amount: int = 12900, **fields: Any
) -> Any:
    body = {
        "amount": amount,
        "currency": "eur",
        "location": shop["id"],
        "payment_method_types": ["card_present"],
        "description": "Repair R-2001",
    }
    response = await api.client.post("/v1/payment_intents", json=body | fields, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def process(api: Api, headers: dict[str, str], reader_id: str, pi_id: str) -> Any:
    return await api.client.post(
        f"/v1/terminal/readers/{reader_id}/process_payment_intent",
        json={"payment_intent": pi_id},
        headers=headers,
    )


async def present(
    api: Api, headers: dict[str, str], reader_id: str, number: str | None = None, **body: Any
) -> Any:
    if number is not None:
        body["card_present"] = {"number": number}
    response = await api.client.post(
        f"/v1/test_helpers/terminal/readers/{reader_id}/present_payment_method",
        json=body,
        headers=headers,
    )
    return response


async def paid_at_counter(
    api: Api,
    headers: dict[str, str],
    reader_id: str,
    pi_id: str,
    number: str | None = None,
) -> Any:
    """Process, present the card, and let the worker apply the reader's event: the
    intent as it is then."""
    response = await process(api, headers, reader_id, pi_id)
    assert response.status_code == 200, response.text
    response = await present(api, headers, reader_id, number)
    assert response.status_code == 200, response.text
    await poll_gateway(api.container)
    got = await api.client.get(f"/v1/payment_intents/{pi_id}", headers=headers)
    return got.json()


async def get_reader(api: Api, headers: dict[str, str], reader_id: str) -> Any:
    response = await api.client.get(f"/v1/terminal/readers/{reader_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()
