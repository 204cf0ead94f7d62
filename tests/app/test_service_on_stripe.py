"""The service end to end on both gateways, through our HTTP API only: the same scenarios
pass on the simulator and on Stripe (the Stripe adapter talking to a fake Stripe over
real HTTP, its news arriving as signed webhooks). The ledger verifies after each."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from payments.app.capabilities import run_once, verify_ledger
from support.app import Api
from support.fake_stripe import FakeStripe
from support.refunds import charge_of, event_types, ledger_kinds, paid, refund
from support.stripe_events import (
    Harness,
    StripeDeliveries,
    apply_stored_events,
    event_payload,
    post_webhook,
)


async def _shop(h: Harness) -> tuple[dict[str, str], dict[str, Any]]:
    await h.start()
    admin = await h.api.key("admin")
    return admin, await h.api.location(admin)


async def _verified(api: Api) -> None:
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def _accounts(api: Api, headers: dict[str, str]) -> dict[tuple[str, str], int]:
    rows = (await api.client.get("/v1/ledger/accounts", headers=headers)).json()["data"]
    return {(a["account"], a["currency"]): a["balance"] for a in rows}


async def _intent(api: Api, headers: dict[str, str], pi_id: str) -> dict[str, Any]:
    response = await api.client.get(f"/v1/payment_intents/{pi_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_visa_payment_succeeds_with_the_gateway_fee_in_the_ledger(e2e: Harness) -> None:
    api = e2e.api
    admin, shop = await _shop(e2e)
    pi = await paid(api, admin, shop["id"], amount=4999, metadata={"repair": "R-1"})
    assert (pi["status"], pi["amount_received"], pi["currency"]) == ("succeeded", 4999, "eur")
    charge = await charge_of(api, admin, pi)
    assert charge["status"] == "succeeded" and charge["captured"] is True
    assert charge["payment_method_details"]["card"]["last4"] == "4242"
    assert charge["fee"] > 0
    if e2e.fake is not None:  # the fee is the one of Stripe's balance transaction
        (txn,) = [
            obj
            for obj in e2e.fake.state.objects.values()
            if obj["object"] == "balance_transaction" and obj["type"] == "charge"
        ]
        assert charge["fee"] == txn["fee"]
        (intent,) = [o for o in e2e.fake.state.objects.values() if o["object"] == "payment_intent"]
        assert intent["metadata"]["payment_intent"] == pi["id"]
    assert await ledger_kinds(api, admin, charge["id"]) == ["charge.fee", "charge.succeeded"]
    types = await event_types(api, admin)
    assert {"payment_intent.created", "charge.succeeded", "payment_intent.succeeded"} <= set(types)
    await e2e.news()  # the gateway's own news of it changes nothing
    assert await ledger_kinds(api, admin, charge["id"]) == ["charge.fee", "charge.succeeded"]
    assert (await _intent(api, admin, pi["id"]))["status"] == "succeeded"
    await _verified(api)


async def test_a_fee_taken_in_the_settlement_currency_is_posted_in_that_currency(
    stripe_api: Api, fake_stripe: FakeStripe
) -> None:
    """A USD charge on a EUR-settled account: Stripe takes its fee in EUR. The fee is
    posted in EUR (one charge.fee transaction, balanced per currency), not dropped."""
    api = stripe_api
    fake_stripe.settle_in("eur", rate=(9, 10))  # 1 USD = 0.90 EUR
    admin = await api.key("admin")
    shop = await api.location(admin, currencies=["eur", "usd"])
    pi = await paid(api, admin, shop["id"], amount=10_000, currency="usd")
    assert (pi["status"], pi["currency"]) == ("succeeded", "usd")
    with fake_stripe.lock:
        (txn,) = [
            o
            for o in fake_stripe.state.objects.values()
            if o["object"] == "balance_transaction" and o["type"] == "charge"
        ]
    assert (txn["currency"], txn["amount"]) == ("eur", 9_000)
    fee = txn["fee"]
    assert fee > 0
    accounts = await _accounts(api, admin)
    assert accounts.get(("gateway_fees", "eur")) == fee
    assert accounts[("gateway_receivable", "usd")] == 10_000
    assert accounts[("gateway_receivable", "eur")] == -fee  # the gateway keeps it in EUR
    charge = await charge_of(api, admin, pi)
    listed = await api.client.get(
        "/v1/ledger/transactions", params={"source": charge["id"], "limit": 100}, headers=admin
    )
    (posted,) = [t for t in listed.json()["data"] if t["kind"] == "charge.fee"]
    assert sorted((e["account"], e["currency"], e["amount"]) for e in posted["entries"]) == [
        ("gateway_fees", "eur", fee),
        ("gateway_receivable", "eur", -fee),
    ]
    assert charge["fee"] == 0  # the charge's fee is the part in its own currency: none
    await _verified(api)


@pytest.mark.parametrize(
    ("method", "code", "decline_code"),
    [
        ("pm_card_visa_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
        ("pm_card_visa_chargeDeclined", "card_declined", "generic_decline"),
        # Stripe repeats the code as decline_code; the simulator leaves it out
        ("pm_card_chargeDeclinedExpiredCard", "expired_card", {"stripe": "expired_card"}),
    ],
)
async def test_a_decline_is_a_402_with_its_decline_code_and_a_new_method_can_pay(
    e2e: Harness, method: str, code: str, decline_code: str | dict[str, str] | None
) -> None:
    if isinstance(decline_code, dict):
        decline_code = decline_code.get(e2e.gateway)
    api = e2e.api
    admin, shop = await _shop(e2e)
    pi = (
        await api.client.post(
            "/v1/payment_intents", json={"amount": 2500, "location": shop["id"]}, headers=admin
        )
    ).json()
    declined = await api.client.post(
        f"/v1/payment_intents/{pi['id']}/confirm", json={"payment_method": method}, headers=admin
    )
    assert declined.status_code == 402, declined.text
    error = declined.json()["error"]
    assert (error["type"], error["code"], error.get("decline_code")) == (
        "card_error",
        code,
        decline_code,
    )
    assert error["payment_intent"]["status"] == "requires_payment_method"
    await e2e.news()
    assert (await _intent(api, admin, pi["id"]))["status"] == "requires_payment_method"

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
    await e2e.news()  # the failed attempt's late news cannot move the intent back
    assert (await _intent(api, admin, pi["id"]))["status"] == "succeeded"
    await _verified(api)


async def test_authorize_at_drop_off_then_capture_part_at_pickup(e2e: Harness) -> None:
    api = e2e.api
    admin, shop = await _shop(e2e)
    pi = await paid(
        api, admin, shop["id"], amount=20000, method="pm_card_mastercard", capture_method="manual"
    )
    assert (pi["status"], pi["amount_capturable"]) == ("requires_capture", 20000)
    await e2e.news()
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
    await e2e.news()
    charge = await charge_of(api, admin, pi)
    assert (charge["amount_captured"], charge["fee"] > 0) == (15000, True)
    accounts = await _accounts(api, admin)
    assert accounts.get(("customer_funds_authorized", "eur"), 0) == 0  # hold fully cleared
    assert accounts[("revenue_clearing", "eur")] == -15000
    again = await api.client.post(f"/v1/payment_intents/{pi['id']}/capture", headers=admin)
    assert again.status_code == 400
    await _verified(api)


async def test_canceling_an_authorization_releases_the_hold(e2e: Harness) -> None:
    api = e2e.api
    admin, shop = await _shop(e2e)
    pi = await paid(api, admin, shop["id"], amount=8000, capture_method="manual")
    canceled = await api.client.post(
        f"/v1/payment_intents/{pi['id']}/cancel",
        json={"cancellation_reason": "requested_by_customer"},
        headers=admin,
    )
    assert canceled.status_code == 200, canceled.text
    assert (canceled.json()["status"], canceled.json()["cancellation_reason"]) == (
        "canceled",
        "requested_by_customer",
    )
    await e2e.news()
    txs = (await api.client.get("/v1/ledger/transactions", headers=admin)).json()["data"]
    assert sorted(t["kind"] for t in txs) == ["authorization.released", "charge.authorized"]
    assert (await _intent(api, admin, pi["id"]))["status"] == "canceled"
    if e2e.fake is not None:
        (intent,) = [o for o in e2e.fake.state.objects.values() if o["object"] == "payment_intent"]
        assert intent["status"] == "canceled"
    await _verified(api)


async def test_partial_then_full_refunds_up_to_the_captured_amount(e2e: Harness) -> None:
    api = e2e.api
    admin, shop = await _shop(e2e)
    pi = await paid(api, admin, shop["id"], amount=10000)
    first = await refund(api, admin, payment_intent=pi["id"], amount=3000, reason="warranty")
    assert first.status_code == 200, first.text
    assert (first.json()["status"], first.json()["amount"]) == ("succeeded", 3000)
    too_much = await refund(api, admin, payment_intent=pi["id"], amount=7001)
    assert too_much.json()["error"]["code"] == "amount_too_large"
    rest = await refund(api, admin, payment_intent=pi["id"])  # no amount: all that is left
    assert rest.status_code == 200, rest.text
    assert (rest.json()["status"], rest.json()["amount"]) == ("succeeded", 7000)
    await e2e.news()
    charge = await charge_of(api, admin, pi)
    assert (charge["amount_refunded"], charge["refunded"]) == (10000, True)
    for made in (first.json(), rest.json()):
        assert await ledger_kinds(api, admin, made["id"]) == ["refund.created", "refund.succeeded"]
        after = (await api.client.get(f"/v1/refunds/{made['id']}", headers=admin)).json()
        assert after["status"] == "succeeded"
    if e2e.fake is not None:
        refunds = [o for o in e2e.fake.state.objects.values() if o["object"] == "refund"]
        assert sorted(r["amount"] for r in refunds) == [3000, 7000]
        assert refunds[0]["reason"] == "requested_by_customer"  # "warranty" is ours
    accounts = await _accounts(api, admin)
    assert accounts[("refunds_payable", "eur")] == 0
    await _verified(api)


async def test_a_refund_that_fails_later_is_reversed_in_the_ledger(e2e: Harness) -> None:
    api = e2e.api
    admin, shop = await _shop(e2e)
    pi = await paid(api, admin, shop["id"], amount=8000, method="pm_card_refundFail")
    made = (await refund(api, admin, payment_intent=pi["id"], amount=8000)).json()
    assert made["status"] == "succeeded"  # the card reports success first
    await e2e.news()
    await e2e.fail_refund_later(made["id"])
    failed = (await api.client.get(f"/v1/refunds/{made['id']}", headers=admin)).json()
    assert (failed["status"], failed["failure_reason"]) == ("failed", "declined")
    assert await ledger_kinds(api, admin, made["id"]) == [
        "refund.created",
        "refund.failed",
        "refund.succeeded",
        "reversal",
    ]
    charge = await charge_of(api, admin, pi)
    assert (charge["amount_refunded"], charge["refunded"]) == (0, False)
    assert "refund.failed" in await event_types(api, admin)
    accounts = await _accounts(api, admin)
    assert accounts[("revenue_clearing", "eur")] == -8000  # the payment is ours again
    await e2e.news()  # late news cannot move it back
    again = (await api.client.get(f"/v1/refunds/{made['id']}", headers=admin)).json()
    assert again["status"] == "failed"
    await _verified(api)


async def test_a_dispute_opened_at_the_gateway_reaches_us(e2e: Harness) -> None:
    api = e2e.api
    admin, shop = await _shop(e2e)
    pi = await paid(api, admin, shop["id"], amount=12000, method="pm_card_createDispute")
    news = await e2e.news()
    if e2e.fake is not None:
        assert {"charge.dispute.created", "charge.dispute.funds_withdrawn"} <= set(news)
    (dispute,) = (
        await api.client.get("/v1/disputes", params={"payment_intent": pi["id"]}, headers=admin)
    ).json()["data"]
    assert (dispute["status"], dispute["amount"], dispute["reason"]) == (
        "needs_response",
        12000,
        "fraudulent",
    )
    assert dispute["fee"] == 1500
    assert (await charge_of(api, admin, pi))["disputed"] is True
    assert await ledger_kinds(api, admin, dispute["id"]) == [
        "charge.dispute.funds_withdrawn",
        "charge.fee",
    ]
    assert (await _accounts(api, admin))[("disputes", "eur")] == 12000
    blocked = await refund(api, admin, payment_intent=pi["id"], amount=100)
    assert blocked.json()["error"]["code"] == "charge_disputed"
    await e2e.news()
    assert len((await api.client.get("/v1/disputes", headers=admin)).json()["data"]) == 1
    await _verified(api)

    finance = await api.key("finance")
    closed = await api.client.post(f"/v1/disputes/{dispute['id']}/close", headers=finance)
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "lost"
    if e2e.fake is not None:
        (at_stripe,) = [o for o in e2e.fake.state.objects.values() if o["object"] == "dispute"]
        assert at_stripe["status"] == "lost"
    news = await e2e.news()  # the gateway's charge.dispute.closed: already applied
    if e2e.fake is not None:
        assert news == ["charge.dispute.closed"]
    after = (await api.client.get(f"/v1/disputes/{dispute['id']}", headers=admin)).json()
    assert after["status"] == "lost"
    assert (await _accounts(api, admin))[("chargeback_losses", "eur")] == 12000
    assert "charge.dispute.lost" in await ledger_kinds(api, admin, dispute["id"])
    await _verified(api)


# --------------------------------------------------------------------------- Stripe's news


async def _sepa(api: Api, admin: dict[str, str], shop: dict[str, Any], iban: str) -> Any:
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
    assert iban not in pm.text
    return await paid(
        api,
        admin,
        shop["id"],
        amount=12000,
        method=pm.json()["id"],
        payment_method_types=["sepa_debit"],
    )


@pytest.mark.parametrize(
    ("iban", "status", "news"),
    [
        ("DE89370400440532013000", "succeeded", "charge.succeeded"),
        ("DE62370400440532013001", "requires_payment_method", "charge.failed"),
    ],
)
async def test_a_sepa_debit_settles_when_stripes_webhook_arrives(
    stripe_api: Api,
    fake_stripe: FakeStripe,
    deliveries: StripeDeliveries,
    iban: str,
    status: str,
    news: str,
) -> None:
    api = stripe_api
    admin = await api.key("admin")
    shop = await api.location(admin)
    pi = await _sepa(api, admin, shop, iban)
    assert pi["status"] == "processing"
    assert await deliveries.deliver(api) == ["payment_intent.processing"]
    assert (await _intent(api, admin, pi["id"]))["status"] == "processing"
    (intent,) = [o for o in fake_stripe.state.objects.values() if o["object"] == "payment_intent"]
    fake_stripe.settle_sepa(intent["id"])
    assert (await _intent(api, admin, pi["id"]))["status"] == "processing"  # not told yet
    assert await deliveries.deliver(api) == [news]
    after = await _intent(api, admin, pi["id"])
    assert after["status"] == status
    if status == "succeeded":
        assert after["amount_received"] == 12000
        assert await ledger_kinds(api, admin, pi["latest_charge"]) == [
            "charge.fee",
            "charge.succeeded",
        ]
    else:
        assert after["last_payment_error"]["code"]
        assert await ledger_kinds(api, admin, pi["latest_charge"]) == []
    assert (await event_types(api, admin)).count("payment_intent.processing") == 1
    await _verified(api)


async def test_without_webhooks_the_stripe_feed_can_be_polled_as_a_backstop(
    stripe_api: Api, fake_stripe: FakeStripe
) -> None:
    api = stripe_api
    admin = await api.key("admin")
    shop = await api.location(admin)
    pi = await _sepa(api, admin, shop, "DE89370400440532013000")
    (intent,) = [o for o in fake_stripe.state.objects.values() if o["object"] == "payment_intent"]
    fake_stripe.settle_sepa(intent["id"])
    poll = {"poll_gateway_events"}
    assert await run_once(api.container, only=poll) == {"poll_gateway_events": 0}  # off: webhooks
    polling = dataclasses.replace(
        api.container,
        settings=api.container.settings.model_copy(update={"poll_gateway_events": True}),
    )
    assert (await run_once(polling, only=poll))["poll_gateway_events"] >= 2
    assert (await _intent(api, admin, pi["id"]))["status"] == "succeeded"
    assert await run_once(polling, only=poll) == {"poll_gateway_events": 0}  # cursor stored
    await _verified(api)


async def test_a_dispute_won_at_the_network_reaches_us_by_webhook(
    stripe_api: Api, fake_stripe: FakeStripe, deliveries: StripeDeliveries
) -> None:
    api = stripe_api
    admin = await api.key("admin")
    shop = await api.location(admin)
    pi = await paid(api, admin, shop["id"], amount=9000)
    (intent,) = [o for o in fake_stripe.state.objects.values() if o["object"] == "payment_intent"]
    fake_stripe.open_dispute(intent["id"])
    await deliveries.deliver(api)
    (dispute,) = (
        await api.client.get("/v1/disputes", params={"payment_intent": pi["id"]}, headers=admin)
    ).json()["data"]
    submitted = await api.client.post(
        f"/v1/disputes/{dispute['id']}",
        json={"evidence": {"customer_name": "Jenny Rosen"}, "submit": True},
        headers=admin,
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "under_review"
    assert await deliveries.deliver(api) == ["charge.dispute.updated"]

    (at_stripe,) = [o for o in fake_stripe.state.objects.values() if o["object"] == "dispute"]
    won = {**at_stripe, "status": "won"}  # the issuer decides; Stripe tells us
    for kind in ("charge.dispute.funds_reinstated", "charge.dispute.closed"):
        response = await post_webhook(api, event_payload(kind, won))
        assert response.status_code == 200, response.text
    assert await apply_stored_events(api.container) == 2
    after = (await api.client.get(f"/v1/disputes/{dispute['id']}", headers=admin)).json()
    assert after["status"] == "won"
    assert await ledger_kinds(api, admin, dispute["id"]) == [
        "charge.dispute.funds_reinstated",
        "charge.dispute.funds_withdrawn",
        "charge.fee",
    ]
    accounts = await _accounts(api, admin)
    assert accounts[("disputes", "eur")] == 0
    assert accounts.get(("chargeback_losses", "eur"), 0) == 0
    lost = await post_webhook(
        api, event_payload("charge.dispute.closed", {**won, "status": "lost"})
    )
    assert lost.status_code == 200
    await apply_stored_events(api.container)  # decided is decided: a late "lost" is ignored
    assert (await api.client.get(f"/v1/disputes/{dispute['id']}", headers=admin)).json()[
        "status"
    ] == "won"
    await _verified(api)
