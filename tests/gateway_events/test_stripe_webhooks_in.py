"""``POST /webhooks/stripe``: Stripe's events in, verified with the SDK, stored once,
applied by the worker (``process_gateway_events``) and never backwards.

Payloads are Stripe Events built from Stripe's official fixtures (the vendored subset of
``fixtures3.json`` in ``tests/fixtures/stripe``, loaded by :mod:`support.fake_stripe_objects`) carrying the fake Stripe's
objects; signatures are made as Stripe makes them. Also: the recovery job settling a
confirm whose response was lost, on Stripe, with exactly one PaymentIntent."""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa

from payments.app.capabilities import run_once, verify_ledger
from payments.gateway_events.tables import gateway_events
from payments.intents.tables import gateway_attempts
from payments.kernel.clock import FrozenClock
from support.app import Api
from support.fake_stripe import FakeStripe
from support.fake_stripe_objects import template
from support.refunds import event_types, ledger_kinds, paid
from support.stripe_events import (
    MAX_NETWORK_RETRIES,
    TOLERANCE_SECONDS,
    StripeDeliveries,
    apply_stored_events,
    event_payload,
    post_webhook,
    signed,
)

PROCESS = {"process_gateway_events"}
RECOVER = {"recover_gateway_attempts"}


async def _shop(api: Api) -> tuple[dict[str, str], dict[str, Any]]:
    admin = await api.key("admin")
    return admin, await api.location(admin)


async def _stored(api: Api) -> list[Any]:
    async with api.container.engine.connect() as conn:
        return list(
            (await conn.execute(sa.select(gateway_events).order_by(gateway_events.c.received)))
            .mappings()
            .all()
        )


async def _intent(api: Api, headers: dict[str, str], pi_id: str) -> dict[str, Any]:
    return (await api.client.get(f"/v1/payment_intents/{pi_id}", headers=headers)).json()  # type: ignore[no-any-return]


def _at_stripe(fake: FakeStripe, kind: str) -> list[dict[str, Any]]:
    with fake.lock:
        return [o for o in fake.state.objects.values() if o["object"] == kind]


def _emitted(fake: FakeStripe, kind: str) -> list[dict[str, Any]]:
    with fake.lock:
        return [e for e in fake.state.events if e["type"] == kind]


async def _verified(api: Api) -> None:
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def _three_ds(api: Api, admin: dict[str, str], shop: dict[str, Any]) -> dict[str, Any]:
    pi = await paid(
        api,
        admin,
        shop["id"],
        amount=3000,
        method="pm_card_authenticationRequired",
        return_url="https://shop.example/back",
    )
    assert pi["status"] == "requires_action"
    assert pi["next_action"]["redirect_to_url"]["url"].startswith("https://hooks.stripe.com/")
    return pi


# --------------------------------------------------------------------------- signed events


async def test_a_signed_event_is_stored_at_once_and_applied_by_the_worker(
    stripe_api: Api, fake_stripe: FakeStripe, deliveries: StripeDeliveries
) -> None:
    api = stripe_api
    admin, shop = await _shop(api)
    pi = await _three_ds(api, admin, shop)
    deliveries.skip()
    fake_stripe.complete_3ds(_at_stripe(fake_stripe, "payment_intent")[0]["id"])
    (charge,) = _at_stripe(fake_stripe, "charge")
    payload = event_payload("charge.succeeded", charge)  # Stripe's event fixture

    response = await post_webhook(api, payload)
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True, "handled": True, "duplicate": False}
    (row,) = await _stored(api)
    assert (row["id"], row["type"], row["gateway"]) == (
        json.loads(payload)["id"],
        "charge.succeeded",
        "stripe",
    )
    assert row["processed_at"] is None  # answered fast: applied later, by the worker
    assert (await _intent(api, admin, pi["id"]))["status"] == "requires_action"

    assert await run_once(api.container, only=PROCESS) == {"process_gateway_events": 1}
    (row,) = await _stored(api)
    assert row["processed_at"] is not None and row["error"] is None
    done = await _intent(api, admin, pi["id"])
    assert (done["status"], done["amount_received"], done["next_action"]) == (
        "succeeded",
        3000,
        None,
    )
    assert "payment_intent.succeeded" in await event_types(api, admin)
    assert await ledger_kinds(api, admin, done["latest_charge"]) == [
        "charge.fee",
        "charge.succeeded",
    ]
    assert await run_once(api.container, only=PROCESS) == {"process_gateway_events": 0}
    await _verified(api)


async def test_a_forged_signature_is_a_400_and_nothing_is_stored(
    stripe_api: Api, fake_stripe: FakeStripe
) -> None:
    api = stripe_api
    admin, shop = await _shop(api)
    await _three_ds(api, admin, shop)
    (intent,) = _at_stripe(fake_stripe, "payment_intent")
    payload = event_payload("payment_intent.succeeded", {**intent, "status": "succeeded"})
    tampered = payload.replace(b'"succeeded"', b'"canceled"', 1)
    attempts = {
        "another secret": signed(payload, secret="whsec_someone_else"),
        "a tampered body": signed(payload),
        "no v1 signature": f"t={int(time.time())},v0=abc",
        "garbage": "forged",
        "empty": "",
    }
    for name, signature in attempts.items():
        body = tampered if name == "a tampered body" else payload
        response = await post_webhook(api, body, signature=signature)
        assert response.status_code == 400, name
        error = response.json()["error"]
        assert (error["type"], error["code"]) == ("invalid_request_error", "signature_invalid")
        assert "whsec" not in response.text
    unsigned = await api.client.post("/webhooks/stripe", content=payload)
    assert unsigned.status_code == 400
    assert await _stored(api) == []
    assert await run_once(api.container, only=PROCESS) == {"process_gateway_events": 0}
    assert _at_stripe(fake_stripe, "payment_intent")[0]["status"] == "requires_action"


async def test_a_replayed_event_with_an_old_timestamp_is_refused(stripe_api: Api) -> None:
    api = stripe_api
    payload = event_payload("payment_intent.canceled", template("payment_intent"))
    stale = int(time.time()) - TOLERANCE_SECONDS - 60
    response = await post_webhook(api, payload, signature=signed(payload, at=stale))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "signature_invalid"
    assert await _stored(api) == []
    recent = int(time.time()) - 60  # within the tolerance: accepted
    fresh = await post_webhook(api, payload, signature=signed(payload, at=recent))
    assert fresh.status_code == 200, fresh.text
    assert len(await _stored(api)) == 1


async def test_a_duplicated_event_is_acknowledged_twice_stored_and_applied_once(
    stripe_api: Api, fake_stripe: FakeStripe, deliveries: StripeDeliveries
) -> None:
    api = stripe_api
    admin, shop = await _shop(api)
    pi = await paid(api, admin, shop["id"], amount=12000)
    await deliveries.deliver(api)
    dispute_id = fake_stripe.open_dispute(_at_stripe(fake_stripe, "payment_intent")[0]["id"])
    (created,) = _emitted(fake_stripe, "charge.dispute.created")
    payload = json.dumps(created).encode()

    first = await post_webhook(api, payload)
    second = await post_webhook(api, payload)  # Stripe retries; same event id
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.json()["duplicate"], second.json()["duplicate"]) == (False, True)
    assert [r["id"] for r in await _stored(api) if r["type"] == "charge.dispute.created"] == [
        created["id"]
    ]
    assert await apply_stored_events(api.container) == 1
    third = await post_webhook(api, payload)  # once more, after it was applied
    assert (third.status_code, third.json()["duplicate"]) == (200, True)
    assert await apply_stored_events(api.container) == 0

    (dispute,) = (
        await api.client.get("/v1/disputes", params={"payment_intent": pi["id"]}, headers=admin)
    ).json()["data"]
    assert (dispute["status"], dispute["amount"], dispute["fee"]) == ("needs_response", 12000, 1500)
    assert (await api.client.get(f"/v1/charges/{pi['latest_charge']}", headers=admin)).json()[
        "disputed"
    ]
    assert (await event_types(api, admin)).count("charge.dispute.created") == 1
    assert await ledger_kinds(api, admin, dispute["id"]) == [
        "charge.dispute.funds_withdrawn",
        "charge.fee",
    ]
    assert dispute_id.startswith("dp_")
    await _verified(api)


async def test_a_dispute_fee_known_only_from_the_withdrawal_event_is_posted_once(
    stripe_api: Api, fake_stripe: FakeStripe, deliveries: StripeDeliveries
) -> None:
    """``charge.dispute.created`` carries no balance transaction yet (no fee); the fee
    arrives with ``charge.dispute.funds_withdrawn``, after our withdrawal was posted."""
    api = stripe_api
    admin, shop = await _shop(api)
    pi = await paid(api, admin, shop["id"], amount=12000)
    await deliveries.deliver(api)
    fake_stripe.open_dispute(
        _at_stripe(fake_stripe, "payment_intent")[0]["id"], withdraw_after_created=True
    )
    (created,) = _emitted(fake_stripe, "charge.dispute.created")
    assert created["data"]["object"]["balance_transactions"] == []
    assert await deliveries.deliver(api) == [
        "charge.dispute.created",
        "charge.dispute.funds_withdrawn",
    ]
    (dispute,) = (
        await api.client.get("/v1/disputes", params={"payment_intent": pi["id"]}, headers=admin)
    ).json()["data"]
    assert (dispute["status"], dispute["fee"]) == ("needs_response", 1500)
    assert await ledger_kinds(api, admin, dispute["id"]) == [
        "charge.dispute.funds_withdrawn",
        "charge.fee",
    ]
    (withdrawn,) = _emitted(fake_stripe, "charge.dispute.funds_withdrawn")
    again = await post_webhook(  # the same news under another event id: nothing new
        api, json.dumps({**withdrawn, "id": "evt_again"}).encode()
    )
    assert again.status_code == 200, again.text
    await apply_stored_events(api.container)
    assert await ledger_kinds(api, admin, dispute["id"]) == [
        "charge.dispute.funds_withdrawn",
        "charge.fee",
    ]
    await _verified(api)


async def test_events_out_of_order_never_move_a_sepa_payment_backwards(
    stripe_api: Api, fake_stripe: FakeStripe
) -> None:
    api = stripe_api
    admin, shop = await _shop(api)
    pm = await api.client.post(
        "/v1/payment_methods",
        json={
            "type": "sepa_debit",
            "sepa_debit": {"iban": "DE89370400440532013000"},
            "billing_details": {"name": "Jenny Rosen"},
        },
        headers=admin,
    )
    assert pm.status_code == 200, pm.text
    pi = await paid(
        api,
        admin,
        shop["id"],
        amount=12000,
        method=pm.json()["id"],
        payment_method_types=["sepa_debit"],
    )
    assert pi["status"] == "processing"
    (processing,) = _emitted(fake_stripe, "payment_intent.processing")
    (intent,) = _at_stripe(fake_stripe, "payment_intent")
    fake_stripe.settle_sepa(intent["id"])
    (settled,) = _at_stripe(fake_stripe, "payment_intent")
    assert settled["status"] == "succeeded"

    # the newer news first ...
    succeeded = event_payload("payment_intent.succeeded", settled)
    assert (await post_webhook(api, succeeded)).json()["handled"] is True
    await apply_stored_events(api.container)
    after = await _intent(api, admin, pi["id"])
    assert (after["status"], after["amount_received"]) == ("succeeded", 12000)
    # ... then the older one, whose snapshot still says "processing"
    assert processing["data"]["object"]["status"] == "processing"
    late = await post_webhook(api, json.dumps(processing).encode())
    assert late.status_code == 200 and late.json()["duplicate"] is False
    assert await apply_stored_events(api.container) == 1
    final = await _intent(api, admin, pi["id"])
    assert (final["status"], final["amount_received"]) == ("succeeded", 12000)
    types = await event_types(api, admin)
    assert types.count("payment_intent.succeeded") == 1
    assert types.count("payment_intent.processing") == 1  # from our confirm, not the late news
    assert await ledger_kinds(api, admin, pi["latest_charge"]) == [
        "charge.fee",
        "charge.succeeded",
    ]
    await _verified(api)


async def test_event_types_the_service_does_not_use_are_acknowledged_and_ignored(
    stripe_api: Api,
) -> None:
    api = stripe_api
    for kind, obj in (
        ("customer.created", template("customer")),
        ("payout.paid", template("payout")),
        ("plan.created", None),  # Stripe's event fixture as it is
    ):
        payload = (
            event_payload(kind, obj) if obj is not None else json.dumps(template("event")).encode()
        )
        response = await post_webhook(api, payload)
        assert response.status_code == 200, response.text
        assert response.json() == {"received": True, "handled": False}
    assert await _stored(api) == []


async def test_an_event_about_an_object_we_do_not_know_is_recorded_with_the_reason(
    stripe_api: Api,
) -> None:
    api = stripe_api
    payload = event_payload("charge.refunded", template("charge"))
    assert (await post_webhook(api, payload)).status_code == 200
    assert await apply_stored_events(api.container) == 1
    (row,) = await _stored(api)
    assert row["error"] == "no charge of ours has this reference"
    assert await apply_stored_events(api.container) == 0  # not retried at once


async def test_a_signed_event_missing_a_field_is_stored_acknowledged_and_reported(
    stripe_api: Api,
) -> None:
    api = stripe_api
    charge = template("charge")
    del charge["currency"]  # Stripe would never: but a 500 would make it retry for days
    payload = event_payload("charge.succeeded", charge)
    response = await post_webhook(api, payload)
    assert response.status_code == 200, response.text
    assert response.json()["received"] is True
    assert await apply_stored_events(api.container) == 1
    (row,) = await _stored(api)
    assert row["processed_at"] is not None
    assert "currency" in row["error"] and row["error"].startswith("unreadable charge.succeeded")
    assert await apply_stored_events(api.container) == 0  # reported once, not retried


async def test_an_oversized_payload_is_refused_and_not_stored(stripe_api: Api) -> None:
    payload = b'{"padding": "' + b"x" * (600 * 1024) + b'"}'
    response = await post_webhook(stripe_api, payload)
    assert response.status_code == 413
    assert await _stored(stripe_api) == []


async def test_the_receiver_does_not_exist_with_the_simulator(api: Api) -> None:
    payload = event_payload("charge.succeeded", template("charge"))
    response = await post_webhook(api, payload)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "resource_missing"
    assert await _stored(api) == []


# --------------------------------------------------------------------------- recovery


async def test_a_lost_confirm_response_is_settled_by_recovery_with_one_payment_intent(
    stripe_api: Api, fake_stripe: FakeStripe, clock: FrozenClock
) -> None:
    api = stripe_api
    admin, shop = await _shop(api)
    pi = (
        await api.client.post(
            "/v1/payment_intents",
            json={"amount": 4200, "location": shop["id"], "payment_method": "pm_card_visa"},
            headers=admin,
        )
    ).json()
    # Stripe processes the confirm, the connection drops before the answer (every SDK try)
    fake_stripe.inject("lost_response", path="/v1/payment_intents", times=MAX_NETWORK_RETRIES + 1)
    confirmed = await api.client.post(f"/v1/payment_intents/{pi['id']}/confirm", headers=admin)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "processing"
    async with api.container.engine.connect() as conn:
        (attempt,) = (await conn.execute(sa.select(gateway_attempts))).mappings().all()
    assert (attempt["operation"], attempt["status"]) == ("charge", "unknown")
    (intent,) = _at_stripe(fake_stripe, "payment_intent")
    assert intent["status"] == "succeeded"  # Stripe took the money
    assert intent["metadata"]["payments_attempt"] == attempt["id"]
    creates = fake_stripe.calls("POST", "/v1/payment_intents")
    assert len(creates) == MAX_NETWORK_RETRIES + 1
    assert {c.headers["idempotency-key"] for c in creates} == {attempt["id"]}

    assert await run_once(api.container, only=RECOVER) == {"recover_gateway_attempts": 0}
    clock.advance(minutes=1)  # past the recovery backoff; nothing sleeps
    assert await run_once(api.container, only=RECOVER) == {"recover_gateway_attempts": 1}
    done = await _intent(api, admin, pi["id"])
    assert (done["status"], done["amount_received"]) == ("succeeded", 4200)
    assert fake_stripe.count("payment_intent") == 1
    assert len(fake_stripe.calls("POST", "/v1/payment_intents")) == len(creates)  # found, not sent
    assert len(fake_stripe.calls("GET", "/v1/payment_intents/search")) == 1
    async with api.container.engine.connect() as conn:
        (attempt,) = (await conn.execute(sa.select(gateway_attempts))).mappings().all()
    assert attempt["status"] == "done"
    charge = (await api.client.get(f"/v1/charges/{done['latest_charge']}", headers=admin)).json()
    assert charge["fee"] == _at_stripe(fake_stripe, "balance_transaction")[0]["fee"]
    assert await run_once(api.container, only=RECOVER) == {"recover_gateway_attempts": 0}
    await _verified(api)


async def test_a_lost_refund_response_is_settled_by_recovery_with_one_refund(
    stripe_api: Api, fake_stripe: FakeStripe, clock: FrozenClock
) -> None:
    api = stripe_api
    admin, shop = await _shop(api)
    pi = await paid(api, admin, shop["id"], amount=3000)
    fake_stripe.inject("lost_response", path="/v1/refunds", times=MAX_NETWORK_RETRIES + 1)
    made = await api.client.post(
        "/v1/refunds", json={"payment_intent": pi["id"], "amount": 1200}, headers=admin
    )
    assert made.status_code == 200, made.text
    assert made.json()["status"] == "pending"  # it reached Stripe; the answer did not
    clock.advance(minutes=1)
    assert await run_once(api.container, only=RECOVER) == {"recover_gateway_attempts": 1}
    settled = (await api.client.get(f"/v1/refunds/{made.json()['id']}", headers=admin)).json()
    assert settled["status"] == "succeeded"
    assert [r["amount"] for r in _at_stripe(fake_stripe, "refund")] == [1200]  # replayed
    await _verified(api)


# --------------------------------------------------------------------------- early fraud warnings


def _efw(payment_intent: str, *, actionable: bool = True) -> dict[str, Any]:
    """A ``radar.early_fraud_warning`` as Stripe's API reference shows it."""
    return {
        "id": "issfr_1NnrwHBw2dPENLoi9lnhV3RQ",
        "object": "radar.early_fraud_warning",
        "actionable": actionable,
        "charge": "ch_1234",
        "created": 123456789,
        "fraud_type": "misc",
        "livemode": False,
        "payment_intent": payment_intent,
    }


async def test_stripes_early_fraud_warnings_are_stored_applied_and_only_move_forwards(
    stripe_api: Api, fake_stripe: FakeStripe, deliveries: StripeDeliveries
) -> None:
    api = stripe_api
    admin, shop = await _shop(api)
    pi = await paid(api, admin, shop["id"], amount=2000, method="pm_card_visa")
    assert pi["status"] == "succeeded"
    deliveries.skip()
    (stripe_pi,) = _at_stripe(fake_stripe, "payment_intent")
    created = event_payload("radar.early_fraud_warning.created", _efw(stripe_pi["id"]))
    response = await post_webhook(api, created)
    assert response.json() == {"received": True, "handled": True, "duplicate": False}
    assert await run_once(api.container, only=PROCESS) == {"process_gateway_events": 1}
    listed = (
        await api.client.get(
            "/v1/radar/early_fraud_warnings", params={"payment_intent": pi["id"]}, headers=admin
        )
    ).json()["data"]
    assert [(w["charge"], w["fraud_type"], w["actionable"]) for w in listed] == [
        (pi["latest_charge"], "misc", True)
    ]
    # the update (disputed at Stripe) ends its actionability; a late copy of the creation
    # (another event id) cannot make it actionable again
    updated = event_payload(
        "radar.early_fraud_warning.updated", _efw(stripe_pi["id"], actionable=False)
    )
    await post_webhook(api, updated)
    await post_webhook(
        api, event_payload("radar.early_fraud_warning.created", _efw(stripe_pi["id"]))
    )
    assert await apply_stored_events(api.container) == 2
    (warning,) = (
        await api.client.get(
            "/v1/radar/early_fraud_warnings", params={"charge": pi["latest_charge"]}, headers=admin
        )
    ).json()["data"]
    assert warning["actionable"] is False
    ours = [
        e["type"]
        for e in (await api.client.get("/v1/events", params={"limit": 100}, headers=admin)).json()[
            "data"
        ]
        if e["data"]["object"].get("id") == warning["id"]
    ]
    assert sorted(ours) == [
        "radar.early_fraud_warning.created",
        "radar.early_fraud_warning.updated",
    ]
