"""Stripe flows beyond the contract, against the fake Stripe: 3-D Secure, SEPA Direct Debit,
bank transfers, disputes, refunds that fail, and the helpers the service uses (customers,
SetupIntents, the hosted payment page, balance transactions, payouts, webhooks)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable

import pytest

from payments.gateways.protocol import (
    ChargeRequest,
    CustomerBalanceInput,
    DisputeManagement,
    Fee,
    GatewayInvalidRequest,
    RefundCanceling,
    SepaDebitInput,
)
from payments.gateways.stripe import StripeGateway, WebhookSignatureInvalid
from support.fake_stripe import FakeStripe

WEBHOOK_SECRET = "whsec_fake_0123456789abcdef"


def eur_fee(amount: int) -> Fee:
    return Fee(amount=amount, currency="eur")


def request(pm: str, key: str, **kwargs) -> ChargeRequest:
    return ChargeRequest(
        amount=kwargs.pop("amount", 5000),
        currency=kwargs.pop("currency", "eur"),
        payment_method=pm,
        idempotency_key=key,
        **kwargs,
    )


def signed(payload: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    timestamp = at or int(time.time())
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


async def test_3ds_without_return_url_is_left_to_stripe_js_and_completes(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    started = await stripe_gateway.charge(request("pm_card_threeDSecure2Required", key()))
    assert (started.status, started.redirect_url) == ("requires_action", None)
    secret = await stripe_gateway.client_secret(started.reference)
    assert secret.startswith(f"{started.reference}_secret_")

    fake_stripe.complete_3ds(started.reference)
    done = await stripe_gateway.retrieve_charge(started.reference)
    assert (done.status, done.amount_received, done.fees) == ("succeeded", 5000, (eur_fee(188),))


async def test_a_failed_3ds_challenge_and_a_decline_after_it_are_failed_charges(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    failed = await stripe_gateway.charge(request("pm_card_authenticationRequired", key()))
    fake_stripe.complete_3ds(failed.reference, succeed=False)
    after = await stripe_gateway.retrieve_charge(failed.reference)
    assert after.status == "failed" and after.decline is not None
    assert after.decline.code == "payment_intent_authentication_failure"

    declined = await stripe_gateway.charge(
        request("pm_card_authenticationRequiredChargeDeclinedInsufficientFunds", key())
    )
    fake_stripe.complete_3ds(declined.reference)
    result = await stripe_gateway.retrieve_charge(declined.reference)
    assert result.decline is not None and result.decline.decline_code == "insufficient_funds"


@pytest.mark.parametrize(
    ("iban", "outcome"),
    [("DE89370400440532013000", "succeeded"), ("DE62370400440532013001", "failed")],
)
async def test_sepa_debit_is_processing_until_the_bank_answers(
    stripe_gateway: StripeGateway,
    fake_stripe: FakeStripe,
    key: Callable[[], str],
    iban: str,
    outcome: str,
) -> None:
    method = await stripe_gateway.create_payment_method(
        SepaDebitInput(iban=iban, account_holder_name="Jenny Rosen"), idempotency_key=key()
    )
    sepa = method.details.sepa_debit
    assert sepa is not None and (sepa.last4, sepa.country) == (iban[-4:], "DE")
    (create,) = fake_stripe.calls("POST", "/v1/payment_methods")
    assert create.params["sepa_debit"] == {"iban": iban}

    started = await stripe_gateway.charge(request(method.id, key()))
    assert (started.status, started.amount_received) == ("processing", 0)
    charge_call = fake_stripe.calls("POST", "/v1/payment_intents")[0]
    assert charge_call.params["payment_method_types"] == ["sepa_debit"]
    assert charge_call.params["mandate_data"] == {"customer_acceptance": {"type": "offline"}}

    fake_stripe.settle_sepa(started.reference)
    settled = await stripe_gateway.retrieve_charge(started.reference)
    assert settled.status == outcome
    if outcome == "succeeded":
        assert (settled.amount_received, settled.fees) == (5000, (eur_fee(35),))
    else:
        assert settled.decline is not None and settled.amount_received == 0


async def test_an_invalid_iban_is_refused_by_stripe(stripe_gateway: StripeGateway) -> None:
    with pytest.raises(GatewayInvalidRequest) as caught:
        await stripe_gateway.create_payment_method(
            SepaDebitInput(iban="DE00370400440532013000", account_holder_name="A")
        )
    assert caught.value.code == "invalid_bank_account_iban"


async def test_a_bank_transfer_waits_for_funds_with_instructions(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    customer = await stripe_gateway.ensure_customer(
        None, idempotency_key=key(), email="jenny@example.com", metadata={"customer": "cus_ours"}
    )
    assert customer.startswith("cus_")
    assert await stripe_gateway.ensure_customer(customer, idempotency_key=key()) == customer
    method = await stripe_gateway.create_payment_method(CustomerBalanceInput(country="NL"))
    assert method.details.customer_balance is not None

    started = await stripe_gateway.charge(request(method.id, key(), customer=customer))
    assert started.status == "processing"
    transfer = started.bank_transfer
    assert transfer is not None and transfer.iban.startswith("NL")
    assert (transfer.amount_remaining, transfer.currency) == (5000, "eur")
    assert transfer.reference
    canceled = await stripe_gateway.cancel(started.reference, idempotency_key=key())
    assert canceled.status == "canceled"


async def test_disputes_are_listed_retrieved_answered_and_block_refunds(
    stripe_gateway: StripeGateway, key: Callable[[], str]
) -> None:
    paid = await stripe_gateway.charge(request("pm_card_createDispute", key()))
    assert (await stripe_gateway.retrieve_charge(paid.reference)).disputed
    assert isinstance(stripe_gateway, DisputeManagement)
    events = (await stripe_gateway.list_events()).events
    assert [e.type for e in events][-2:] == [
        "charge.dispute.created",
        "charge.dispute.funds_withdrawn",
    ]
    created = events[-2]
    assert created.dispute is not None
    assert (created.dispute.charge, created.dispute.amount) == (paid.reference, 5000)
    assert (created.dispute.reason, created.dispute.fee) == ("fraudulent", 1500)
    assert created.dispute.evidence_due_by is not None

    with pytest.raises(GatewayInvalidRequest) as refused:
        await stripe_gateway.refund(paid.reference, idempotency_key=key())
    assert refused.value.code == "charge_disputed"

    dispute = await stripe_gateway.retrieve_dispute(created.dispute.reference)
    assert dispute.status == "needs_response"
    answered = await stripe_gateway.update_dispute_evidence(
        dispute.reference,
        {"customer_name": "Jenny Rosen", "uncategorized_text": "Repair delivered."},
        submit=True,
        idempotency_key=key(),
    )
    assert answered.status == "under_review"
    with pytest.raises(GatewayInvalidRequest) as unknown_field:
        await stripe_gateway.update_dispute_evidence(
            dispute.reference, {"favourite_colour": "blue"}, idempotency_key=key()
        )
    assert unknown_field.value.code == "parameter_unknown"
    closed = await stripe_gateway.close_dispute(dispute.reference, idempotency_key=key())
    assert closed.status == "lost"
    later = (await stripe_gateway.list_events(after=events[-1].cursor)).events
    assert [e.type for e in later] == ["charge.dispute.updated", "charge.dispute.closed"]


async def test_a_refund_that_fails_later_is_reported_by_events(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    paid = await stripe_gateway.charge(request("pm_card_refundFail", key()))
    refund = await stripe_gateway.refund(paid.reference, idempotency_key=key())
    assert refund.status == "succeeded"
    cursor = (await stripe_gateway.list_events()).next_cursor
    fake_stripe.fail_refund(refund.reference)
    later = await stripe_gateway.list_events(after=cursor)
    assert [e.type for e in later.events] == ["refund.updated", "refund.failed"]
    assert later.events[0].refund is not None
    assert (later.events[0].refund.status, later.events[0].refund.failure_reason) == (
        "failed",
        "declined",
    )
    assert (await stripe_gateway.retrieve_charge(paid.reference)).amount_refunded == 0
    pending = await stripe_gateway.charge(request("pm_card_pendingRefund", key()))
    assert (await stripe_gateway.refund(pending.reference, idempotency_key=key())).status == (
        "pending"
    )


async def test_only_refunds_awaiting_customer_action_can_be_canceled(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    assert isinstance(stripe_gateway, RefundCanceling)
    paid = await stripe_gateway.charge(request("pm_card_visa", key()))
    done = await stripe_gateway.refund(paid.reference, amount=1000, idempotency_key=key())
    with pytest.raises(GatewayInvalidRequest):
        await stripe_gateway.cancel_refund(done.reference, idempotency_key=key())
    waiting = await stripe_gateway.refund(paid.reference, amount=500, idempotency_key=key())
    fake_stripe.require_refund_action(waiting.reference)
    canceled = await stripe_gateway.cancel_refund(waiting.reference, idempotency_key=key())
    assert (canceled.status, canceled.amount) == ("canceled", 500)
    assert (await stripe_gateway.retrieve_charge(paid.reference)).amount_refunded == 1000


async def test_event_listing_without_webhooks_walks_from_the_oldest_event(
    stripe_gateway: StripeGateway, key: Callable[[], str]
) -> None:
    for _ in range(3):
        await stripe_gateway.charge(request("pm_card_visa", key(), capture_method="manual"))
    page = await stripe_gateway.list_events(limit=4)
    assert [e.type for e in page.events] == [
        "charge.succeeded",
        "payment_intent.amount_capturable_updated",
        "charge.succeeded",
        "payment_intent.amount_capturable_updated",
    ]
    assert page.has_more
    assert page.events[0].charge is not None
    assert page.events[0].charge.status == "requires_capture"  # an uncaptured charge
    rest = await stripe_gateway.list_events(after=page.next_cursor, limit=4)
    assert len(rest.events) == 2 and not rest.has_more


async def test_setup_intents_save_cards_and_sepa_mandates(
    stripe_gateway: StripeGateway, key: Callable[[], str]
) -> None:
    customer = await stripe_gateway.ensure_customer(None, idempotency_key=key())
    card = await stripe_gateway.create_setup_intent(customer=customer, idempotency_key=key())
    assert card.status == "requires_payment_method" and card.client_secret
    assert card.client_secret not in repr(card)
    saved = await stripe_gateway.confirm_setup_intent(
        card.id, payment_method="pm_card_visa", idempotency_key=key()
    )
    assert saved.status == "succeeded" and saved.payment_method is not None

    declined = await stripe_gateway.create_setup_intent(customer=customer, idempotency_key=key())
    result = await stripe_gateway.confirm_setup_intent(
        declined.id, payment_method="pm_card_visa_chargeDeclined", idempotency_key=key()
    )
    assert (result.status, result.last_error_code) == ("requires_payment_method", "card_declined")

    sepa = await stripe_gateway.create_setup_intent(
        customer=customer, payment_method_types=("sepa_debit",), idempotency_key=key()
    )
    method = await stripe_gateway.create_payment_method(
        SepaDebitInput(iban="DE89370400440532013000", account_holder_name="Jenny Rosen")
    )
    with pytest.raises(GatewayInvalidRequest):  # a mandate needs the customer's acceptance
        await stripe_gateway.confirm_setup_intent(
            sepa.id, payment_method=method.id, idempotency_key=key()
        )
    mandated = await stripe_gateway.confirm_setup_intent(
        sepa.id,
        payment_method=method.id,
        idempotency_key=key(),
        customer_ip="203.0.113.7",
        user_agent="Mozilla/5.0",
    )
    assert mandated.status == "succeeded" and mandated.mandate is not None
    assert (await stripe_gateway.retrieve_setup_intent(sepa.id)).mandate == mandated.mandate


async def test_the_hosted_page_gets_an_unconfirmed_intent_and_its_client_secret(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    k = key()
    hosted = await stripe_gateway.create_hosted_payment_intent(
        amount=4200, currency="eur", idempotency_key=k, metadata={"payment_intent": "pi_ours"}
    )
    assert (hosted.status, hosted.amount) == ("requires_payment_method", 4200)
    assert hosted.client_secret not in repr(hosted)
    (create,) = fake_stripe.calls("POST", "/v1/payment_intents")
    assert create.params["automatic_payment_methods"] == {"enabled": "true"}
    assert "confirm" not in create.params
    waiting = await stripe_gateway.retrieve_charge(hosted.reference)
    assert (waiting.status, waiting.metadata) == ("requires_action", {"payment_intent": "pi_ours"})


async def test_fees_come_from_balance_transactions_and_payouts_are_listed(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    await stripe_gateway.charge(request("pm_card_visa", key(), amount=2000))
    (txn_id,) = [
        i for i, o in fake_stripe.state.objects.items() if o["object"] == "balance_transaction"
    ]
    txn = await stripe_gateway.retrieve_balance_transaction(txn_id)
    assert (txn.amount, txn.fee, txn.net, txn.currency, txn.type) == (
        2000,
        90,
        1910,
        "eur",
        "charge",
    )

    payouts = await stripe_gateway.list_payouts()
    assert len(payouts) == 3 and payouts[0].created <= payouts[1].created <= payouts[2].created
    payout = await stripe_gateway.retrieve_payout(payouts[-1].id)
    assert (payout.currency, payout.status, payout.amount) == ("eur", "paid", 10_000)


async def test_webhooks_are_verified_and_mapped_like_listed_events(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    paid = await stripe_gateway.charge(request("pm_card_visa", key()))
    raw = next(e for e in fake_stripe.state.events if e["type"] == "charge.succeeded")
    payload = json.dumps(raw).encode()

    event = stripe_gateway.event_from_webhook(payload, signed(payload))
    assert event is not None and event.id == raw["id"] and event.type == "charge.succeeded"
    assert event.charge is not None and event.charge.reference == paid.reference
    listed = (await stripe_gateway.list_events()).events[0]
    assert listed == event

    with pytest.raises(WebhookSignatureInvalid):
        stripe_gateway.event_from_webhook(payload, signed(payload, secret="whsec_other"))
    with pytest.raises(WebhookSignatureInvalid):
        stripe_gateway.event_from_webhook(payload, signed(payload, at=int(time.time()) - 3600))
    with pytest.raises(WebhookSignatureInvalid):
        stripe_gateway.event_from_webhook(payload, None)
    other = json.dumps({**raw, "type": "customer.created"}).encode()
    assert stripe_gateway.event_from_webhook(other, signed(other)) is None
