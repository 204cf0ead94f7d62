from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from payments.app.bootstrap import build_container
from payments.app.capabilities import verify_ledger
from payments.app.http import create_app
from payments.kernel.clock import FrozenClock
from payments.platform.config import Settings
from support.app import Api, make_settings


async def _shop(api: Api) -> tuple[dict[str, str], dict[str, Any]]:
    admin = await api.key("admin")
    return admin, await api.location(admin)


async def _verified(api: Api) -> None:
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_a_visa_payment_succeeds_posts_the_ledger_and_emits_events(api: Api) -> None:
    admin, shop = await _shop(api)
    created = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": 4999,
            "location": shop["id"],
            "payment_method": "pm_card_visa",
            "confirm": True,
            "metadata": {"repair": "R-1"},
        },
        headers=admin,
    )
    assert created.status_code == 200, created.text
    pi = created.json()
    assert pi["status"] == "succeeded"
    assert pi["currency"] == "eur"
    assert pi["amount_received"] == 4999
    charge = (await api.client.get(f"/v1/charges/{pi['latest_charge']}", headers=admin)).json()
    assert charge["status"] == "succeeded" and charge["captured"] is True
    assert charge["payment_method_details"]["card"]["last4"] == "4242"
    assert charge["fee"] > 0
    types = [e["type"] for e in (await api.client.get("/v1/events", headers=admin)).json()["data"]]
    assert {"payment_intent.created", "charge.succeeded", "payment_intent.succeeded"} <= set(types)
    txs = (
        await api.client.get(
            "/v1/ledger/transactions", params={"source": charge["id"]}, headers=admin
        )
    ).json()["data"]
    assert sorted(t["kind"] for t in txs) == ["charge.fee", "charge.succeeded"]
    await _verified(api)


async def test_insufficient_funds_is_a_402_decline_and_a_new_method_can_succeed(api: Api) -> None:
    admin, shop = await _shop(api)
    pi = (
        await api.client.post(
            "/v1/payment_intents", json={"amount": 2500, "location": shop["id"]}, headers=admin
        )
    ).json()
    declined = await api.client.post(
        f"/v1/payment_intents/{pi['id']}/confirm",
        json={"payment_method": "pm_card_visa_chargeDeclinedInsufficientFunds"},
        headers=admin,
    )
    assert declined.status_code == 402
    error = declined.json()["error"]
    assert (error["type"], error["code"], error["decline_code"]) == (
        "card_error",
        "card_declined",
        "insufficient_funds",
    )
    assert error["payment_intent"]["status"] == "requires_payment_method"
    assert error["payment_intent"]["last_payment_error"]["decline_code"] == "insufficient_funds"

    retried = await api.client.post(
        f"/v1/payment_intents/{pi['id']}/confirm",
        json={"payment_method": "pm_card_visa"},
        headers=admin,
    )
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "succeeded"
    charges = (
        await api.client.get("/v1/charges", params={"payment_intent": pi["id"]}, headers=admin)
    ).json()["data"]
    assert [c["status"] for c in charges] == ["succeeded", "failed"]
    await _verified(api)


@pytest.mark.parametrize(
    ("method", "code", "decline_code"),
    [
        ("pm_card_visa_chargeDeclined", "card_declined", "generic_decline"),
        ("pm_card_chargeDeclinedLostCard", "card_declined", "lost_card"),
        ("pm_card_chargeDeclinedStolenCard", "card_declined", "stolen_card"),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card", None),
        ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", None),
        ("pm_card_chargeDeclinedProcessingError", "processing_error", None),
        ("pm_card_chargeDeclinedFraudulent", "card_declined", "fraudulent"),
    ],
)
async def test_each_decline_card_answers_with_its_stripe_codes(
    api: Api, method: str, code: str, decline_code: str | None
) -> None:
    admin, shop = await _shop(api)
    response = await api.client.post(
        "/v1/payment_intents",
        json={"amount": 1000, "location": shop["id"], "payment_method": method, "confirm": True},
        headers=admin,
    )
    assert response.status_code == 402, response.text
    error = response.json()["error"]
    assert (error["code"], error.get("decline_code")) == (code, decline_code)
    await _verified(api)


async def test_three_d_secure_can_be_completed_or_failed(api: Api) -> None:
    admin, shop = await _shop(api)
    outcomes = {}
    for succeed in (True, False):
        pi = (
            await api.client.post(
                "/v1/payment_intents",
                json={
                    "amount": 3000,
                    "location": shop["id"],
                    "confirm": True,
                    "payment_method": "pm_card_authenticationRequired",
                    "return_url": "https://shop.example/back",
                },
                headers=admin,
            )
        ).json()
        assert pi["status"] == "requires_action"
        assert pi["next_action"]["type"] == "redirect_to_url"
        assert pi["next_action"]["redirect_to_url"]["return_url"] == "https://shop.example/back"
        done = await api.client.post(
            f"/v1/test_helpers/payment_intents/{pi['id']}/authenticate",
            json={"succeed": succeed},
            headers=admin,
        )
        outcomes[succeed] = done.json()
    assert outcomes[True]["status"] == "succeeded"
    assert outcomes[False]["status"] == "requires_payment_method"
    assert outcomes[False]["last_payment_error"]["code"]
    await _verified(api)


async def test_authorize_at_drop_off_then_capture_part_at_pickup(api: Api) -> None:
    admin, shop = await _shop(api)
    pi = (
        await api.client.post(
            "/v1/payment_intents",
            json={
                "amount": 20000,
                "location": shop["id"],
                "capture_method": "manual",
                "payment_method": "pm_card_mastercard",
                "confirm": True,
            },
            headers=admin,
        )
    ).json()
    assert pi["status"] == "requires_capture"
    assert pi["amount_capturable"] == 20000
    too_much = await api.client.post(
        f"/v1/payment_intents/{pi['id']}/capture", json={"amount_to_capture": 20001}, headers=admin
    )
    assert too_much.status_code == 400
    assert too_much.json()["error"]["code"] == "amount_too_large"
    captured = await api.client.post(
        f"/v1/payment_intents/{pi['id']}/capture", json={"amount_to_capture": 15000}, headers=admin
    )
    assert captured.status_code == 200, captured.text
    body = captured.json()
    assert (body["status"], body["amount_received"], body["amount_capturable"]) == (
        "succeeded",
        15000,
        0,
    )
    again = await api.client.post(f"/v1/payment_intents/{pi['id']}/capture", headers=admin)
    assert again.status_code == 400
    accounts = {
        (a["account"], a["currency"]): a["balance"]
        for a in (await api.client.get("/v1/ledger/accounts", headers=admin)).json()["data"]
    }
    assert accounts.get(("customer_funds_authorized", "eur"), 0) == 0  # hold fully cleared
    assert accounts[("revenue_clearing", "eur")] == -15000
    await _verified(api)


async def test_canceling_an_authorization_releases_the_hold(api: Api) -> None:
    admin, shop = await _shop(api)
    pi = (
        await api.client.post(
            "/v1/payment_intents",
            json={
                "amount": 8000,
                "location": shop["id"],
                "capture_method": "manual",
                "payment_method": "pm_card_visa",
                "confirm": True,
            },
            headers=admin,
        )
    ).json()
    canceled = await api.client.post(
        f"/v1/payment_intents/{pi['id']}/cancel",
        json={"cancellation_reason": "requested_by_customer"},
        headers=admin,
    )
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["status"] == "canceled"
    assert canceled.json()["cancellation_reason"] == "requested_by_customer"
    txs = (await api.client.get("/v1/ledger/transactions", headers=admin)).json()["data"]
    assert sorted(t["kind"] for t in txs) == ["authorization.released", "charge.authorized"]
    confirm = await api.client.post(f"/v1/payment_intents/{pi['id']}/confirm", headers=admin)
    assert confirm.status_code == 400
    assert confirm.json()["error"]["code"] == "payment_intent_unexpected_state"
    await _verified(api)


async def _challenged(
    api: Api, admin: dict[str, str], shop: dict[str, Any], **extra: Any
) -> tuple[dict[str, Any], str]:
    """A PaymentIntent waiting for 3-D Secure, and its challenge page's path (no query)."""
    pi = (
        await api.client.post(
            "/v1/payment_intents",
            json={
                "amount": 3000,
                "location": shop["id"],
                "confirm": True,
                "payment_method": "pm_card_threeDSecure2Required",
                **extra,
            },
            headers=admin,
        )
    ).json()
    assert pi["status"] == "requires_action", pi
    url = pi["next_action"]["redirect_to_url"]["url"]
    return pi, "/" + url.split("://", 1)[1].split("/", 1)[1]


async def test_the_customer_completes_3ds_on_the_simulator_challenge_page(api: Api) -> None:
    admin, shop = await _shop(api)
    pi, path = await _challenged(api, admin, shop, return_url="https://shop.example/done")
    page = await api.client.get(path)  # the customer's browser: no API key
    assert page.status_code == 200 and "Complete authentication" in page.text
    answer = await api.client.post(path.split("?")[0], data={"outcome": "complete"})
    assert answer.status_code == 303
    assert answer.headers["location"] == (  # what Stripe adds to the return_url
        f"https://shop.example/done?payment_intent={pi['id']}"
        f"&payment_intent_client_secret={pi['client_secret']}&redirect_status=succeeded"
    )
    assert pi["client_secret"].startswith(f"{pi['id']}_secret_")
    after = (await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=admin)).json()
    assert after["status"] == "succeeded"
    await _verified(api)


async def test_the_challenge_page_returns_only_to_the_return_url_of_the_intent(
    api: Api,
) -> None:
    admin, shop = await _shop(api)
    evil = "https://evil.example/phish"
    pi, path = await _challenged(
        api, admin, shop, return_url="https://shop.example/done?order=R-42#paid"
    )
    page_path = path.split("?")[0]
    page = await api.client.get(page_path, params={"return_url": evil})
    assert page.status_code == 200 and "evil.example" not in page.text
    answer = await api.client.post(page_path, data={"outcome": "fail", "return_url": evil})
    assert answer.status_code == 303
    assert answer.headers["location"] == (
        f"https://shop.example/done?order=R-42&payment_intent={pi['id']}"
        f"&payment_intent_client_secret={pi['client_secret']}&redirect_status=failed#paid"
    )

    _, no_return = await _challenged(api, admin, shop)  # no return_url: nowhere to go
    answer = await api.client.post(
        no_return.split("?")[0], data={"outcome": "complete", "return_url": evil}
    )
    assert answer.status_code == 200 and "location" not in answer.headers
    assert "Authentication completed. You can close this page" in answer.text
    await _verified(api)


@asynccontextmanager
async def _api_with(settings: Settings, clock: FrozenClock) -> AsyncIterator[Api]:
    """Like the ``api`` fixture, on settings of the test's own."""
    container = build_container(settings, clock=clock)
    await container.prepare()
    app = create_app(settings, container=container, embedded=False)
    transport = httpx.ASGITransport(app=app)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
        ):
            yield Api(client=client, container=container)
    finally:
        await container.close()


@pytest.mark.parametrize(
    ("overrides", "base"),
    [
        ({"port": 9123}, "http://127.0.0.1:9123/simulator/3ds/"),
        ({"host": "0.0.0.0", "port": 8443}, "http://127.0.0.1:8443/simulator/3ds/"),
        (
            {"port": 9123, "simulator_action_url_base": "https://pay.example/sim/3ds/"},
            "https://pay.example/sim/3ds/",
        ),
    ],
)
async def test_the_challenge_url_is_on_the_address_the_service_listens_on(
    database_url: str, clock: FrozenClock, overrides: dict[str, Any], base: str
) -> None:
    async with _api_with(make_settings(database_url, **overrides), clock) as api:
        admin, shop = await _shop(api)
        pi, path = await _challenged(api, admin, shop)
        assert pi["next_action"]["redirect_to_url"]["url"].startswith(base)
        if "simulator_action_url_base" not in overrides:  # our own page answers there
            assert (await api.client.get(path)).status_code == 200


async def test_the_challenge_page_answers_a_finished_or_unknown_challenge_without_a_500(
    api: Api,
) -> None:
    admin, shop = await _shop(api)
    unknown = await api.client.get("/simulator/3ds/ch_sim_unknown")
    assert unknown.status_code == 404 and "<form" not in unknown.text
    posted = await api.client.post("/simulator/3ds/ch_sim_unknown", data={"outcome": "complete"})
    assert posted.status_code == 404

    _, path = await _challenged(api, admin, shop)
    page = path.split("?")[0]
    assert (await api.client.post(page, data={"outcome": "complete"})).status_code == 200
    again = await api.client.post(page, data={"outcome": "complete"})  # after it succeeded
    assert again.status_code == 409 and "Nothing to authenticate" in again.text
    revisit = await api.client.get(page)
    assert revisit.status_code == 200 and "<form" not in revisit.text

    canceled, path = await _challenged(api, admin, shop)
    cancel = await api.client.post(f"/v1/payment_intents/{canceled['id']}/cancel", headers=admin)
    assert cancel.status_code == 200, cancel.text
    after_cancel = await api.client.post(path.split("?")[0], data={"outcome": "fail"})
    assert after_cancel.status_code == 409
    await _verified(api)


async def test_authenticating_a_succeeded_intent_with_the_test_helper_is_a_400(api: Api) -> None:
    admin, shop = await _shop(api)
    pi, _ = await _challenged(api, admin, shop)
    url = f"/v1/test_helpers/payment_intents/{pi['id']}/authenticate"
    assert (await api.client.post(url, json={"succeed": True}, headers=admin)).status_code == 200
    again = await api.client.post(url, json={"succeed": True}, headers=admin)
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "payment_intent_unexpected_state"
