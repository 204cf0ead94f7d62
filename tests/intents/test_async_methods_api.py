"""SEPA Direct Debit and bank transfers: asynchronous outcomes arrive through the
gateway event poller (the worker), as a webhook would."""

from __future__ import annotations

from typing import Any

from payments.app.capabilities import run_once, verify_ledger
from payments.kernel.clock import FrozenClock
from support.app import Api
from support.refunds import skip_past_gateway_events


async def _sepa_intent(api: Api, admin: dict[str, str], shop: dict[str, Any], iban: str) -> Any:
    pm = await api.client.post(
        "/v1/payment_methods",
        json={
            "type": "sepa_debit",
            "sepa_debit": {"iban": iban},
            "billing_details": {"name": "Jenny Rosen", "email": "jenny@example.com"},
        },
        headers=admin,
    )
    assert pm.status_code == 200, pm.text
    assert pm.json()["sepa_debit"]["last4"] == iban[-4:]
    assert iban not in pm.text
    response = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": 12000,
            "location": shop["id"],
            "payment_method": pm.json()["id"],
            "payment_method_types": ["sepa_debit"],
            "confirm": True,
        },
        headers=admin,
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_sepa_debit_is_processing_then_settles(api: Api, clock: FrozenClock) -> None:
    await skip_past_gateway_events(api.container)
    admin = await api.key()
    shop = await api.location(admin)
    pi = await _sepa_intent(api, admin, shop, "DE89370400440532013000")
    assert pi["status"] == "processing"
    await run_once(api.container, only={"poll_gateway_events"})
    assert (await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=admin)).json()[
        "status"
    ] == "processing"
    clock.advance(seconds=api.container.settings.simulator_sepa_settlement_seconds + 1)
    done = await run_once(api.container, only={"poll_gateway_events"})
    assert done["poll_gateway_events"] >= 1
    settled = (await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=admin)).json()
    assert settled["status"] == "succeeded" and settled["amount_received"] == 12000
    types = [
        e["type"]
        for e in (await api.client.get("/v1/events", params={"limit": 100}, headers=admin)).json()[
            "data"
        ]
    ]
    assert "payment_intent.processing" in types and "payment_intent.succeeded" in types
    # polling again (a duplicate delivery) changes nothing
    await run_once(api.container, only={"poll_gateway_events"})
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_a_failing_sepa_debit_ends_in_requires_payment_method(
    api: Api, clock: FrozenClock
) -> None:
    await skip_past_gateway_events(api.container)  # one poll reads one page of the feed
    admin = await api.key()
    shop = await api.location(admin)
    pi = await _sepa_intent(api, admin, shop, "DE62370400440532013001")
    clock.advance(seconds=api.container.settings.simulator_sepa_settlement_seconds + 1)
    await run_once(api.container, only={"poll_gateway_events"})
    failed = (await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=admin)).json()
    assert failed["status"] == "requires_payment_method"
    assert failed["last_payment_error"] is not None
    txs = (await api.client.get("/v1/ledger/transactions", headers=admin)).json()["data"]
    assert txs == []
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def _bank_transfer_intent(api: Api, *, amount: int) -> tuple[dict[str, str], Any]:
    """A confirmed bank-transfer intent waiting for funds, and the admin headers."""
    admin = await api.key()
    shop = await api.location(admin)
    pm = (
        await api.client.post(
            "/v1/payment_methods", json={"type": "customer_balance"}, headers=admin
        )
    ).json()
    pi = (
        await api.client.post(
            "/v1/payment_intents",
            json={
                "amount": amount,
                "location": shop["id"],
                "payment_method": pm["id"],
                "payment_method_types": ["customer_balance"],
                "confirm": True,
            },
            headers=admin,
        )
    ).json()
    return admin, pi


async def test_a_bank_transfer_waits_for_funds_including_an_under_payment(api: Api) -> None:
    admin, pi = await _bank_transfer_intent(api, amount=30000)
    assert pi["status"] == "processing"
    instructions = pi["next_action"]["display_bank_transfer_instructions"]
    assert instructions["amount_remaining"] == 30000
    assert instructions["financial_addresses"][0]["iban"]["iban"]

    part = await api.client.post(
        f"/v1/test_helpers/payment_intents/{pi['id']}/fund_bank_transfer",
        json={"amount": 10000},
        headers=admin,
    )
    assert part.json()["status"] == "processing"
    assert (
        part.json()["next_action"]["display_bank_transfer_instructions"]["amount_remaining"]
        == 20000
    )
    rest = await api.client.post(
        f"/v1/test_helpers/payment_intents/{pi['id']}/fund_bank_transfer",
        json={"amount": 20000},
        headers=admin,
    )
    assert rest.json()["status"] == "succeeded"
    assert rest.json()["amount_received"] == 30000
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_saving_a_card_for_later_attaches_it_to_the_customer(api: Api) -> None:
    admin = await api.key()
    shop = await api.location(admin)
    customer = (
        await api.client.post("/v1/customers", json={"name": "Grace"}, headers=admin)
    ).json()
    pi = (
        await api.client.post(
            "/v1/payment_intents",
            json={
                "amount": 5000,
                "location": shop["id"],
                "customer": customer["id"],
                "payment_method": "pm_card_visa",
                "setup_future_usage": "off_session",
                "confirm": True,
            },
            headers=admin,
        )
    ).json()
    assert pi["status"] == "succeeded"
    saved = (
        await api.client.get(f"/v1/customers/{customer['id']}/payment_methods", headers=admin)
    ).json()["data"]
    assert [m["id"] for m in saved] == [pi["payment_method"]]
    later = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": 2000,
            "location": shop["id"],
            "customer": customer["id"],
            "payment_method": saved[0]["id"],
            "off_session": True,
            "confirm": True,
        },
        headers=admin,
    )
    assert later.status_code == 200, later.text
    assert later.json()["status"] == "succeeded"


async def test_a_bank_transfer_over_payment_is_held_as_customer_credit(api: Api) -> None:
    admin, pi = await _bank_transfer_intent(api, amount=30000)
    paid = await api.client.post(
        f"/v1/test_helpers/payment_intents/{pi['id']}/fund_bank_transfer",
        json={"amount": 35000},
        headers=admin,
    )
    assert (paid.json()["status"], paid.json()["amount_received"]) == ("succeeded", 30000)
    accounts = {
        (a["account"], a["currency"]): a["balance"]
        for a in (await api.client.get("/v1/ledger/accounts", headers=admin)).json()["data"]
    }
    assert accounts[("customer_credit", "eur")] == -5000  # we owe the customer 50.00
    assert accounts[("revenue_clearing", "eur")] == -30000
    assert accounts[("gateway_receivable", "eur")] == 35000
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []
