"""SetupIntents through the API on the simulator: a card or a SEPA mandate saved for later
off-session payments, declines, 3-D Secure, cancel, list, bad input, and exactly once
when the answer is lost."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from payments.gateways.simulator import SimulatorGateway
from payments.gateways.simulator.store import setups
from payments.intents.service.recovery import recover_attempts
from support.app import Api
from support.billing import get, ok, post
from support.invoices import customer, setup

MANDATE = {
    "customer_acceptance": {
        "type": "online",
        "online": {"ip_address": "203.0.113.7", "user_agent": "Mozilla/5.0"},
    }
}


async def _customer(api: Api) -> tuple[dict[str, str], dict[str, Any]]:
    admin, shop = await setup(api)
    return admin, await customer(api, admin, location=shop["id"])


async def _events(api: Api, headers: dict[str, str], prefix: str) -> list[str]:
    found = await get(api, "/v1/events", headers, limit=100)
    return [e["type"] for e in reversed(found["data"]) if e["type"].startswith(prefix)]


async def test_a_card_is_set_up_attached_to_the_customer_and_charged_off_session(
    api: Api,
) -> None:
    admin, cus = await _customer(api)
    si = await ok(api, "/v1/setup_intents", admin, customer=cus["id"])
    assert si["status"] == "requires_payment_method" and si["usage"] == "off_session"
    assert si["client_secret"].startswith(f"{si['id']}_secret_")
    done = await ok(
        api, f"/v1/setup_intents/{si['id']}/confirm", admin, payment_method="pm_card_visa"
    )
    assert done["status"] == "succeeded" and done["last_setup_error"] is None
    pm = await get(api, f"/v1/payment_methods/{done['payment_method']}", admin)
    assert pm["customer"] == cus["id"] and pm["card"]["last4"] == "4242"
    assert await _events(api, admin, "setup_intent.") == [
        "setup_intent.created",
        "setup_intent.succeeded",
    ]
    assert "payment_method.attached" in await _events(api, admin, "payment_method.")
    paid = await ok(
        api,
        "/v1/payment_intents",
        admin,
        amount=990,
        location=cus["location"],
        customer=cus["id"],
        payment_method=pm["id"],
        off_session=True,
        confirm=True,
    )
    assert paid["status"] == "succeeded"
    listed = await get(api, "/v1/setup_intents", admin, customer=cus["id"])
    assert [s["id"] for s in listed["data"]] == [si["id"]]
    assert (await get(api, f"/v1/setup_intents/{si['id']}", admin))["status"] == "succeeded"


async def test_a_declined_card_fails_setup_with_a_402_and_the_intent_can_be_retried(
    api: Api,
) -> None:
    admin, cus = await _customer(api)
    declined = await post(
        api,
        "/v1/setup_intents",
        admin,
        customer=cus["id"],
        payment_method="pm_card_chargeDeclined",
        confirm=True,
    )
    assert declined.status_code == 402, declined.text
    error = declined.json()["error"]
    assert (error["type"], error["code"]) == ("card_error", "card_declined")
    si = error["setup_intent"]
    assert si["status"] == "requires_payment_method"
    assert si["last_setup_error"]["decline_code"] == "generic_decline"
    pm = await get(api, f"/v1/payment_methods/{si['payment_method']}", admin)
    assert pm["customer"] is None  # not attached
    done = await ok(
        api, f"/v1/setup_intents/{si['id']}/confirm", admin, payment_method="pm_card_mastercard"
    )
    assert done["status"] == "succeeded"
    assert await _events(api, admin, "setup_intent.") == [
        "setup_intent.created",
        "setup_intent.setup_failed",
        "setup_intent.succeeded",
    ]


async def test_a_3ds_card_requires_action_and_the_challenge_decides(api: Api) -> None:
    admin, cus = await _customer(api)
    si = await ok(
        api,
        "/v1/setup_intents",
        admin,
        customer=cus["id"],
        payment_method="pm_card_authenticationRequiredOnSetup",
        confirm=True,
        return_url="https://shop.example/back",
    )
    assert si["status"] == "requires_action"
    url = si["next_action"]["redirect_to_url"]["url"]
    ref = url.split("/simulator/3ds/", 1)[1].split("?", 1)[0]
    page = await api.client.get(f"/simulator/3ds/{ref}")
    assert page.status_code == 200 and "Authenticate" in page.text
    answered = await api.client.post(f"/simulator/3ds/{ref}", data={"outcome": "complete"})
    assert answered.status_code == 303
    back = answered.headers["location"]
    assert back.startswith("https://shop.example/back?setup_intent=" + si["id"])
    assert "redirect_status=succeeded" in back
    done = await get(api, f"/v1/setup_intents/{si['id']}", admin)
    assert done["status"] == "succeeded" and done["next_action"] is None
    # set up for off-session use: charged later without a challenge (Stripe's 3155 card)
    paid = await ok(
        api,
        "/v1/payment_intents",
        admin,
        amount=990,
        location=cus["location"],
        customer=cus["id"],
        payment_method=done["payment_method"],
        off_session=True,
        confirm=True,
    )
    assert paid["status"] == "succeeded"
    assert await _events(api, admin, "setup_intent.") == [
        "setup_intent.created",
        "setup_intent.requires_action",
        "setup_intent.succeeded",
    ]


async def test_a_failed_challenge_fails_the_setup(api: Api) -> None:
    admin, cus = await _customer(api)
    si = await ok(
        api,
        "/v1/setup_intents",
        admin,
        customer=cus["id"],
        payment_method="pm_card_threeDSecure2Required",
        confirm=True,
    )
    ref = si["next_action"]["redirect_to_url"]["url"].rsplit("/", 1)[1]
    answered = await api.client.post(f"/simulator/3ds/{ref}", data={"outcome": "fail"})
    assert answered.status_code == 200
    failed = await get(api, f"/v1/setup_intents/{si['id']}", admin)
    assert failed["status"] == "requires_payment_method"
    assert failed["last_setup_error"]["code"] == "payment_intent_authentication_failure"
    pm = await get(api, f"/v1/payment_methods/{failed['payment_method']}", admin)
    assert pm["customer"] is None


async def test_sepa_debit_needs_the_mandate_and_then_succeeds(api: Api) -> None:
    admin, cus = await _customer(api)
    pm = await ok(
        api,
        "/v1/payment_methods",
        admin,
        type="sepa_debit",
        sepa_debit={"iban": "DE89370400440532013000"},
        billing_details={"name": "Ada Lovelace", "email": "ada@example.com"},
    )
    si = await ok(
        api, "/v1/setup_intents", admin, customer=cus["id"], payment_method_types=["sepa_debit"]
    )
    missing = await post(
        api, f"/v1/setup_intents/{si['id']}/confirm", admin, payment_method=pm["id"]
    )
    assert missing.status_code == 400 and missing.json()["error"]["param"] == "mandate_data"
    assert (await get(api, f"/v1/setup_intents/{si['id']}", admin))["payment_method"] is None
    done = await ok(
        api,
        f"/v1/setup_intents/{si['id']}/confirm",
        admin,
        payment_method=pm["id"],
        mandate_data=MANDATE,
    )
    assert done["status"] == "succeeded" and done["mandate"]
    assert (await get(api, f"/v1/payment_methods/{pm['id']}", admin))["customer"] == cus["id"]


async def test_cancel_and_bad_input_are_refused_naming_the_param(api: Api) -> None:
    admin, cus = await _customer(api)
    for body, param in (
        ({}, "customer"),
        ({"customer": "cus_missing"}, "customer"),
        ({"customer": cus["id"], "payment_method_types": ["ideal"]}, "payment_method_types[0]"),
        ({"customer": cus["id"], "usage": "sometimes"}, "usage"),
        ({"customer": cus["id"], "confirm": True}, "payment_method"),
        ({"customer": cus["id"], "return_url": "not a url"}, "return_url"),
    ):
        refused = await post(api, "/v1/setup_intents", admin, **body)
        assert refused.status_code in (400, 404), (body, refused.text)
        assert refused.json()["error"]["param"] == param, (body, refused.text)
    assert (await get(api, "/v1/setup_intents", admin))["data"] == []
    si = await ok(api, "/v1/setup_intents", admin, customer=cus["id"])
    canceled = await ok(
        api,
        f"/v1/setup_intents/{si['id']}/cancel",
        admin,
        cancellation_reason="requested_by_customer",
    )
    assert canceled["status"] == "canceled"
    assert canceled["cancellation_reason"] == "requested_by_customer"
    again = await post(
        api, f"/v1/setup_intents/{si['id']}/confirm", admin, payment_method="pm_card_visa"
    )
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "setup_intent_unexpected_state"
    assert "setup_intent.canceled" in await _events(api, admin, "setup_intent.")


async def test_a_lost_answer_is_recovered_with_the_same_key_setting_up_once(api: Api) -> None:
    admin, cus = await _customer(api)
    gateway = api.container.gateway
    assert isinstance(gateway, SimulatorGateway)
    await gateway.set_fault("lost_response", operation="setup")
    si = await ok(
        api,
        "/v1/setup_intents",
        admin,
        customer=cus["id"],
        payment_method="pm_card_visa",
        confirm=True,
    )
    assert si["status"] == "requires_confirmation"  # the outcome is not known yet
    busy = await post(api, f"/v1/setup_intents/{si['id']}/confirm", admin)
    assert busy.status_code == 400 and busy.json()["error"]["code"] == (
        "setup_intent_unexpected_state"
    )
    api.container.clock.advance(seconds=120)  # type: ignore[attr-defined]
    c = api.container
    assert await recover_attempts(uow_factory=c.uow_factory, gateway=c.gateway, clock=c.clock) == 1
    done = await get(api, f"/v1/setup_intents/{si['id']}", admin)
    assert done["status"] == "succeeded"
    async with gateway.store.transaction() as conn:
        metas = (await conn.execute(sa.select(setups.c.meta))).scalars().all()
    assert [m for m in metas if m.get("setup_intent") == si["id"]] == [{"setup_intent": si["id"]}]
    assert await _events(api, admin, "setup_intent.") == [
        "setup_intent.created",
        "setup_intent.succeeded",
    ]
