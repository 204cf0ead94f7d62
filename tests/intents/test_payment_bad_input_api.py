"""Bad requests are clear 4xx errors with Stripe's codes, and change nothing."""

from __future__ import annotations

from typing import Any

from payments.app.capabilities import verify_ledger
from support.app import Api


async def _state(api: Api, admin: dict[str, str]) -> tuple[Any, Any, Any]:
    intents = (await api.client.get("/v1/payment_intents", headers=admin)).json()["data"]
    charges = (await api.client.get("/v1/charges", headers=admin)).json()["data"]
    txs = (await api.client.get("/v1/ledger/transactions", headers=admin)).json()["data"]
    return intents, charges, txs


async def test_state_violations_are_refused_and_change_nothing(api: Api) -> None:
    admin = await api.key()
    shop = await api.location(admin)

    def pi_body(**extra: Any) -> dict[str, Any]:
        return {"amount": 5000, "location": shop["id"], **extra}

    paid = (
        await api.client.post(
            "/v1/payment_intents",
            json=pi_body(payment_method="pm_card_visa", confirm=True),
            headers=admin,
        )
    ).json()
    canceled = (await api.client.post("/v1/payment_intents", json=pi_body(), headers=admin)).json()
    await api.client.post(f"/v1/payment_intents/{canceled['id']}/cancel", headers=admin)
    before = await _state(api, admin)

    cases = [
        (
            f"/v1/payment_intents/{canceled['id']}/confirm",
            {"payment_method": "pm_card_visa"},
            400,
            "payment_intent_unexpected_state",
        ),
        (f"/v1/payment_intents/{paid['id']}/capture", {}, 400, "payment_intent_unexpected_state"),
        (f"/v1/payment_intents/{paid['id']}/cancel", {}, 400, "payment_intent_unexpected_state"),
        ("/v1/payment_intents/pi_missing/confirm", {}, 404, "resource_missing"),
    ]
    for path, body, status, code in cases:
        response = await api.client.post(path, json=body, headers=admin)
        assert response.status_code == status, (path, response.text)
        assert response.json()["error"]["code"] == code, path
    assert await _state(api, admin) == before
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_an_automatic_capture_intent_cannot_be_captured(api: Api) -> None:
    admin = await api.key()
    shop = await api.location(admin)
    pi = (
        await api.client.post(
            "/v1/payment_intents",
            json={
                "amount": 5000,
                "location": shop["id"],
                "payment_method": "pm_card_visa",
            },
            headers=admin,
        )
    ).json()
    response = await api.client.post(f"/v1/payment_intents/{pi['id']}/capture", headers=admin)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "payment_intent_unexpected_state"


async def test_amount_and_currency_rules(api: Api) -> None:
    admin = await api.key()
    shop = await api.location(admin, currencies=["eur", "sek"])
    cases = [
        ({"amount": 1000, "currency": "usd"}, "currency", "currency_not_accepted"),
        ({"amount": 49}, "amount", "amount_too_small"),
        ({"amount": 100_000_000}, "amount", "amount_too_large"),
        ({"amount": -5}, "amount", "parameter_invalid"),
        ({"amount": 10.5}, "amount", "parameter_invalid"),
        ({"amount": "1000"}, "amount", "parameter_invalid"),
        ({"amount": 1000, "currency": "xyz"}, "currency", "currency_invalid"),
        (
            {
                "amount": 1000,
                "payment_method_types": ["sepa_debit"],
                "currency": "sek",
                "payment_method": "pm_card_visa",
            },
            "payment_method",
            "payment_intent_incompatible_payment_method",
        ),
        ({"amount": 1000, "capture_method": "later"}, "capture_method", "parameter_invalid"),
    ]
    for extra, param, code in cases:
        body = {"location": shop["id"], **extra}
        response = await api.client.post("/v1/payment_intents", json=body, headers=admin)
        assert response.status_code == 400, (extra, response.text)
        error = response.json()["error"]
        assert (error["param"], error["code"]) == (param, code), extra
    assert (await api.client.get("/v1/payment_intents", headers=admin)).json()["data"] == []


async def test_a_location_is_required_unless_the_key_is_restricted(api: Api) -> None:
    admin = await api.key()
    shop = await api.location(
        admin, name="Warszawa", address={"country": "PL"}, timezone="Europe/Warsaw"
    )
    missing = await api.client.post("/v1/payment_intents", json={"amount": 1000}, headers=admin)
    assert missing.json()["error"]["param"] == "location"
    clerk = await api.key("clerk", location=shop["id"])
    pi = await api.client.post("/v1/payment_intents", json={"amount": 1000}, headers=clerk)
    assert pi.status_code == 200, pi.text
    assert (pi.json()["location"], pi.json()["currency"]) == (shop["id"], "pln")
    readonly = await api.key("readonly")
    refused = await api.client.post(
        "/v1/payment_intents", json={"amount": 1000, "location": shop["id"]}, headers=readonly
    )
    assert refused.status_code == 403


async def test_another_customers_payment_method_is_refused(api: Api) -> None:
    admin = await api.key()
    shop = await api.location(admin)
    alice = (await api.client.post("/v1/customers", json={"name": "Alice"}, headers=admin)).json()
    bob = (await api.client.post("/v1/customers", json={"name": "Bob"}, headers=admin)).json()
    pm = (
        await api.client.post(
            "/v1/payment_methods",
            json={"type": "card", "card": {"token": "pm_card_visa"}},
            headers=admin,
        )
    ).json()
    attached = await api.client.post(
        f"/v1/payment_methods/{pm['id']}/attach", json={"customer": alice["id"]}, headers=admin
    )
    assert attached.status_code == 200, attached.text
    response = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": 1000,
            "location": shop["id"],
            "customer": bob["id"],
            "payment_method": pm["id"],
        },
        headers=admin,
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "payment_method_customer_mismatch"


async def test_a_real_card_number_is_refused_anywhere_and_never_stored_or_logged(
    api: Api, capsys: Any
) -> None:
    admin = await api.key()
    real = "4111 1111 1111 1111"  # Luhn-valid, not one of the gateway's test numbers
    for body in (
        {"type": "card", "card": {"number": real, "exp_month": 12, "exp_year": 2030, "cvc": "123"}},
        {"name": "x", "metadata": {"note": f"card {real.replace(' ', '')}"}},
    ):
        path = "/v1/payment_methods" if "type" in body else "/v1/customers"
        response = await api.client.post(path, json=body, headers=admin)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "pan_not_allowed"
        assert "4111" not in response.text
    assert (await api.client.get("/v1/customers", headers=admin)).json()["data"] == []
    assert "4111111111111111" not in capsys.readouterr().out


async def test_a_test_card_number_can_be_tokenized_and_only_safe_details_are_kept(
    api: Api,
) -> None:
    admin = await api.key()
    response = await api.client.post(
        "/v1/payment_methods",
        json={
            "type": "card",
            "card": {
                "number": "4000 0025 0000 3155",
                "exp_month": 12,
                "exp_year": 2030,
                "cvc": "123",
            },
        },
        headers=admin,
    )
    assert response.status_code == 200, response.text
    card = response.json()["card"]
    assert set(card) <= {
        "brand",
        "last4",
        "exp_month",
        "exp_year",
        "country",
        "fingerprint",
        "funding",
        "wallet",
        "checks",
    }
    assert card["last4"] == "3155"
    assert "4000002500003155" not in response.text
