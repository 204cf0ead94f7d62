"""Local EU payment methods (iDEAL, Bancontact, EPS, Przelewy24, BLIK, TWINT, Swish,
Klarna) end to end on the simulator: confirmed with ``payment_method_data``, authorized
by the customer on the simulator's page (or its test helper), settled asynchronously
through the gateway's event feed, as Stripe settles them through webhooks."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from payments.app.capabilities import verify_ledger
from payments.kernel.clock import FrozenClock
from support.app import Api
from support.local_methods import (
    RETURN_URL,
    SHOPS,
    fresh_admin,
    intent,
    local_shop,
    new_blik_code,
    path_of,
    pay_with,
    poll,
    settle,
)


async def _events(api: Api, admin: dict[str, str]) -> list[str]:
    page = await api.client.get("/v1/events", params={"limit": 100}, headers=admin)
    return [e["type"] for e in page.json()["data"]]


async def _charge(api: Api, admin: dict[str, str], charge_id: str) -> Any:
    return (await api.client.get(f"/v1/charges/{charge_id}", headers=admin)).json()


async def test_an_ideal_payment_goes_through_the_bank_page_and_settles_through_gateway_events(
    api: Api, clock: FrozenClock
) -> None:
    admin = await fresh_admin(api)
    shop = await local_shop(api, admin, "ideal")
    assert "ideal" in shop["payment_method_types"]
    created = await pay_with(api, admin, shop, "ideal")
    assert created.status_code == 200, created.text
    pi = created.json()
    assert pi["status"] == "requires_action"
    assert pi["next_action"]["type"] == "redirect_to_url"
    redirect = pi["next_action"]["redirect_to_url"]
    assert redirect["return_url"] == RETURN_URL
    assert "/simulator/ideal/" in redirect["url"]

    page = await api.client.get(path_of(redirect["url"]))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="en">' in html and "<title>iDEAL test payment</title>" in html
    assert "Authorize test payment" in html and "Fail test payment" in html
    assert "€49.99" in html and "ing" in html
    assert "http://" not in html.split("<body>")[1] and "<script" not in html  # no CDN, no JS

    answered = await api.client.post(path_of(redirect["url"]), data={"outcome": "authorize"})
    assert answered.status_code == 303
    back = urlsplit(answered.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == "https://shop.example/paid"
    query = parse_qs(back.query)
    assert query["order"] == ["R-1001"]
    assert query["payment_intent"] == [pi["id"]]
    assert query["payment_intent_client_secret"] == [pi["client_secret"]]
    assert query["redirect_status"] == ["succeeded"]

    # asynchronous, as at Stripe: nothing is known until the gateway's events arrive
    assert (await intent(api, admin, pi["id"]))["status"] == "requires_action"
    await poll(api)
    processing = await intent(api, admin, pi["id"])
    assert (processing["status"], processing["next_action"]) == ("processing", None)
    await settle(api, clock)
    paid = await intent(api, admin, pi["id"])
    assert (paid["status"], paid["amount_received"]) == ("succeeded", 4999)
    charge = await _charge(api, admin, paid["latest_charge"])
    assert charge["payment_method_details"]["type"] == "ideal"
    assert charge["payment_method_details"]["ideal"]["bank"] == "ing"
    assert charge["payment_method_details"]["ideal"]["bic"] == "INGBNL2A"
    method = await api.client.get(f"/v1/payment_methods/{paid['payment_method']}", headers=admin)
    assert method.json()["type"] == "ideal" and method.json()["ideal"]["bank"] == "ing"
    types = await _events(api, admin)
    for expected in (
        "payment_intent.requires_action",
        "payment_intent.processing",
        "payment_intent.succeeded",
        "charge.succeeded",
    ):
        assert expected in types
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []

    again = await api.client.post(path_of(redirect["url"]), data={"outcome": "authorize"})
    assert again.status_code == 409 and "Nothing to authorize" in again.text


async def test_a_blik_payment_is_approved_in_the_simulated_banking_app(
    api: Api, clock: FrozenClock
) -> None:
    admin = await fresh_admin(api)
    shop = await local_shop(api, admin, "blik")
    code = new_blik_code()
    created = await pay_with(api, admin, shop, "blik", amount=25000, blik_code=code)
    assert created.status_code == 200, created.text
    pi = created.json()
    assert (pi["status"], pi["currency"]) == ("requires_action", "pln")
    assert pi["next_action"] == {"type": "blik_authorize", "blik_authorize": {}}

    app = await api.client.get("/simulator/blik")
    assert app.status_code == 200
    assert '<label for="code">BLIK code</label>' in app.text
    assert 'id="code" name="code"' in app.text
    other = f"{(int(code) + 1) % 10**6:06d}"
    nothing = await api.client.get("/simulator/blik", params={"code": other})
    assert nothing.status_code == 404
    found = await api.client.get("/simulator/blik", params={"code": code})
    assert found.status_code == 303
    page_path = f"/simulator/{found.headers['location']}"
    page = await api.client.get(page_path)
    assert page.status_code == 200
    assert "BLIK test payment" in page.text and "Authorize test payment" in page.text
    assert "250.00" in page.text and "PLN" in page.text

    approved = await api.client.post(page_path, data={"outcome": "authorize"})
    assert approved.status_code == 200 and "Payment authorized" in approved.text
    await settle(api, clock)
    paid = await intent(api, admin, pi["id"])
    assert (paid["status"], paid["amount_received"]) == ("succeeded", 25000)
    charge = await _charge(api, admin, paid["latest_charge"])
    assert charge["payment_method_details"]["type"] == "blik"
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


@pytest.mark.parametrize("kind", sorted(SHOPS))
@pytest.mark.parametrize("authorize", [True, False], ids=["authorized", "failed"])
async def test_each_local_method_is_authorized_or_failed_by_the_customer(
    api: Api, clock: FrozenClock, kind: str, authorize: bool
) -> None:
    admin = await fresh_admin(api)
    shop = await local_shop(api, admin, kind)
    _country, currency, _tz = SHOPS[kind]
    pi = (await pay_with(api, admin, shop, kind)).json()
    assert (pi["status"], pi["currency"]) == ("requires_action", currency), pi
    helped = await api.client.post(
        f"/v1/test_helpers/payment_intents/{pi['id']}/authorize_payment",
        json={"succeed": authorize},
        headers=admin,
    )
    assert helped.status_code == 200, helped.text
    assert helped.json()["status"] == "requires_action"  # the outcome comes as an event
    await settle(api, clock)
    done = await intent(api, admin, pi["id"])
    charge = await _charge(api, admin, done["latest_charge"])
    assert charge["payment_method_details"]["type"] == kind
    if authorize:
        assert (done["status"], done["amount_received"]) == ("succeeded", 4999)
        assert charge["status"] == "succeeded" and charge["fee"] is not None
    else:
        assert done["status"] == "requires_payment_method"
        assert done["last_payment_error"]["code"] == "payment_intent_authentication_failure"
        assert charge["status"] == "failed"
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_a_failed_bank_page_sends_the_customer_back_with_redirect_status_failed(
    api: Api,
) -> None:
    admin = await fresh_admin(api)
    shop = await local_shop(api, admin, "bancontact")
    pi = (await pay_with(api, admin, shop, "bancontact")).json()
    url = pi["next_action"]["redirect_to_url"]["url"]
    answered = await api.client.post(path_of(url), data={"outcome": "fail"})
    assert answered.status_code == 303
    assert parse_qs(urlsplit(answered.headers["location"]).query)["redirect_status"] == ["failed"]
    await poll(api)
    failed = await intent(api, admin, pi["id"])
    assert failed["status"] == "requires_payment_method"
    assert failed["last_payment_error"]["payment_method"]["id"] == pi["payment_method"]


async def test_swish_shows_its_app_instructions_with_a_qr_code(api: Api) -> None:
    admin = await fresh_admin(api)
    shop = await local_shop(api, admin, "swish")
    pi = (await pay_with(api, admin, shop, "swish")).json()
    action = pi["next_action"]
    assert action["type"] == "swish_handle_redirect_or_display_qr_code"
    instructions = action["swish_handle_redirect_or_display_qr_code"]
    page = await api.client.get(path_of(instructions["hosted_instructions_url"]))
    assert page.status_code == 200
    assert "<svg" in page.text and 'aria-label="QR code for the Swish app"' in page.text


async def test_a_blik_payment_not_approved_within_a_minute_fails(
    api: Api, clock: FrozenClock
) -> None:
    admin = await fresh_admin(api)
    shop = await local_shop(api, admin, "blik")
    code = new_blik_code()
    pi = (await pay_with(api, admin, shop, "blik", blik_code=code)).json()
    clock.advance(seconds=61)
    await poll(api)
    failed = await intent(api, admin, pi["id"])
    assert failed["status"] == "requires_payment_method"
    assert "in time" in failed["last_payment_error"]["message"]
    gone = await api.client.get("/simulator/blik", params={"code": code})
    assert gone.status_code == 404


async def test_klarna_can_authorize_now_and_capture_at_pickup(api: Api, clock: FrozenClock) -> None:
    admin = await fresh_admin(api)
    shop = await local_shop(api, admin, "klarna")
    pi = (await pay_with(api, admin, shop, "klarna", capture_method="manual")).json()
    assert pi["status"] == "requires_action"
    await api.client.post(
        f"/v1/test_helpers/payment_intents/{pi['id']}/authorize_payment",
        json={"succeed": True},
        headers=admin,
    )
    await poll(api)
    held = await intent(api, admin, pi["id"])
    assert (held["status"], held["amount_capturable"]) == ("requires_capture", 4999)
    captured = await api.client.post(
        f"/v1/payment_intents/{pi['id']}/capture", json={"amount_to_capture": 4000}, headers=admin
    )
    assert captured.status_code == 200, captured.text
    assert (captured.json()["status"], captured.json()["amount_received"]) == ("succeeded", 4000)
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_a_method_attached_first_is_confirmed_later_with_its_return_url(
    api: Api, clock: FrozenClock
) -> None:
    admin = await fresh_admin(api)
    shop = await local_shop(api, admin, "eps")
    created = await api.client.post(
        "/v1/payment_intents",
        json={"amount": 12000, "location": shop["id"], "payment_method_types": ["eps"]},
        headers=admin,
    )
    assert created.json()["payment_method_types"] == ["eps"]
    confirmed = await api.client.post(
        f"/v1/payment_intents/{created.json()['id']}/confirm",
        data={
            "payment_method_data[type]": "eps",
            "payment_method_data[eps][bank]": "bank_austria",
            "payment_method_data[billing_details][name]": "Anna Huber",
            "return_url": RETURN_URL,
        },
        headers=admin,
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "requires_action"
    assert confirmed.json()["next_action"]["redirect_to_url"]["return_url"] == RETURN_URL
