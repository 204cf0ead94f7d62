"""The Stripe adapter's own rules, against the fake Stripe over real HTTP: how each
Stripe error maps to the port's exceptions, the SDK's retries with one idempotency key,
what goes on the wire (Stripe-Version, Idempotency-Key, parameters), and the fake's checks."""

from __future__ import annotations

import socket
from collections.abc import Callable

import httpx
import pytest
import stripe

from payments.gateways.protocol import (
    EVENT_TYPES,
    CardInput,
    ChargeRequest,
    GatewayInvalidRequest,
    GatewayNotSent,
    GatewayOutcomeUnknown,
    PanNotAllowed,
)
from payments.gateways.stripe import StripeGateway
from payments.gateways.stripe.client import MAYBE_SENT, NOT_SENT
from payments.gateways.stripe.errors import provably_unprocessed
from payments.gateways.stripe.gateway import POLLED_TYPES
from support.fake_stripe import FakeStripe

Make = Callable[..., StripeGateway]


def request(key: str, **kwargs) -> ChargeRequest:
    return ChargeRequest(
        amount=kwargs.pop("amount", 2000),
        currency=kwargs.pop("currency", "eur"),
        payment_method=kwargs.pop("payment_method", "pm_card_visa"),
        idempotency_key=key,
        **kwargs,
    )


def charge_posts(fake: FakeStripe) -> list[str]:
    return [r.headers.get("idempotency-key", "") for r in fake.calls("POST", "/v1/payment_intents")]


async def test_every_request_is_authenticated_versioned_and_posts_carry_our_key(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    k = key()
    paid = await stripe_gateway.charge(request(k, metadata={"invoice": "in_1"}))
    await stripe_gateway.refund(paid.reference, amount=100, idempotency_key="refund-1")
    await stripe_gateway.retrieve_charge(paid.reference)

    for recorded in fake_stripe.requests:
        assert recorded.headers["authorization"] == f"Bearer {fake_stripe.api_key}"
        assert recorded.headers["stripe-version"] == stripe.api_version
    (create,) = fake_stripe.calls("POST", "/v1/payment_intents")
    assert create.headers["idempotency-key"] == k
    assert create.params["confirm"] == "true"
    assert create.params["metadata"] == {"invoice": "in_1", "payments_attempt": k}
    assert create.params["payment_method_types"] == ["card"]
    assert create.params["expand"] == ["latest_charge.balance_transaction", "payment_method"]
    (refund,) = fake_stripe.calls("POST", "/v1/refunds")
    assert refund.headers["idempotency-key"] == "refund-1"
    assert refund.params == {"payment_intent": paid.reference, "amount": "100"}


async def test_a_pinned_api_version_is_sent_and_checked(
    make_stripe_gateway: Make, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    pinned = make_stripe_gateway(api_version="2025-03-31.basil")
    assert pinned.api_version == "2025-03-31.basil"
    fake_stripe.require_version = "2025-03-31.basil"
    assert (await pinned.charge(request(key()))).status == "succeeded"
    assert {r.headers["stripe-version"] for r in fake_stripe.requests} == {"2025-03-31.basil"}

    unpinned = make_stripe_gateway()
    with pytest.raises(GatewayInvalidRequest) as refused:
        await unpinned.charge(request(key()))
    assert "Invalid Stripe API version" in refused.value.message


async def test_a_lock_timeout_is_retried_by_the_sdk_with_the_same_idempotency_key(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    fake_stripe.inject("lock_timeout")
    k = key()
    result = await stripe_gateway.charge(request(k))
    assert result.status == "succeeded"
    assert charge_posts(fake_stripe) == [k, k]
    assert fake_stripe.count("payment_intent") == 1


async def test_a_rate_limit_is_not_sent_and_nothing_was_processed(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    fake_stripe.inject("rate_limit")
    with pytest.raises(GatewayNotSent):
        await stripe_gateway.charge(request(key()))
    assert len(charge_posts(fake_stripe)) == 1  # no Stripe-Should-Retry: the SDK gave up
    assert fake_stripe.count("payment_intent") == 0


async def test_a_500_after_the_sdk_retries_is_an_unknown_outcome(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    fake_stripe.inject("api_error", times=2)
    k = key()
    with pytest.raises(GatewayOutcomeUnknown):
        await stripe_gateway.charge(request(k))
    assert charge_posts(fake_stripe) == [k, k]
    assert (await stripe_gateway.charge(request(k))).status == "succeeded"


async def test_a_dropped_connection_is_an_unknown_outcome(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    fake_stripe.inject("drop", times=2)
    with pytest.raises(GatewayOutcomeUnknown):
        await stripe_gateway.charge(request(key()))
    assert fake_stripe.count("payment_intent") == 0  # dropped before processing, yet unknown


async def test_a_response_lost_past_the_timeout_is_unknown_and_the_same_key_returns_the_charge(
    make_stripe_gateway: Make, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    gateway = make_stripe_gateway(timeout_seconds=0.3, max_network_retries=1)
    fake_stripe.inject("hang", times=2)
    k = key()
    with pytest.raises(GatewayOutcomeUnknown):
        await gateway.charge(request(k))
    fake_stripe.release()
    assert fake_stripe.count("payment_intent") == 1  # processed, answer lost
    recovered = await gateway.charge(request(k))
    assert recovered.status == "succeeded"
    assert fake_stripe.count("payment_intent") == 1
    found = await gateway.find_charge_by_attempt(k)
    assert found is not None and found.reference == recovered.reference
    assert found.fees is not None and found == recovered  # the current, expanded view


async def test_one_lost_response_is_healed_by_the_sdk_retry_replaying_the_stored_result(
    make_stripe_gateway: Make, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    gateway = make_stripe_gateway(timeout_seconds=0.3, max_network_retries=1)
    fake_stripe.inject("hang")
    k = key()
    assert (await gateway.charge(request(k))).status == "succeeded"
    assert charge_posts(fake_stripe) == [k, k]
    assert fake_stripe.count("payment_intent") == 1


async def test_a_connection_that_cannot_be_made_is_not_sent(
    make_stripe_gateway: Make, key: Callable[[], str]
) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gateway = make_stripe_gateway(api_base=f"http://127.0.0.1:{port}")
    with pytest.raises(GatewayNotSent):
        await gateway.charge(request(key()))


def test_only_never_connected_or_rate_limited_attempts_are_provably_unprocessed() -> None:
    assert provably_unprocessed([NOT_SENT, 429, NOT_SENT])
    assert not provably_unprocessed([MAYBE_SENT, NOT_SENT])
    assert not provably_unprocessed([500, 429])
    assert not provably_unprocessed([])


async def test_a_wrong_key_is_an_authentication_error_not_a_retry(
    make_stripe_gateway: Make, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    gateway = make_stripe_gateway(secret_key="sk_test_wrong000000000000")
    with pytest.raises(GatewayInvalidRequest) as caught:
        await gateway.charge(request(key()))
    assert (caught.value.code, caught.value.error_type) == (
        "authentication_error",
        "authentication_error",
    )
    assert "sk_test_wrong000000000000" not in str(caught.value)
    assert len(fake_stripe.requests) == 1


async def test_a_restricted_key_without_permission_is_a_permission_error(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    fake_stripe.inject("invalid", status=403, code="secret_key_required")
    with pytest.raises(GatewayInvalidRequest) as caught:
        await stripe_gateway.charge(request(key()))
    assert caught.value.error_type == "permission_error"


async def test_invalid_requests_keep_stripes_code_and_param(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    fake_stripe.inject("invalid", code="parameter_invalid_empty", param="payment_method")
    with pytest.raises(GatewayInvalidRequest) as caught:
        await stripe_gateway.charge(request(key()))
    assert (caught.value.code, caught.value.param) == ("parameter_invalid_empty", "payment_method")
    assert caught.value.error_type == "invalid_request_error"


async def test_the_fake_rejects_unknown_parameters_and_posts_without_a_key(
    fake_stripe: FakeStripe,
) -> None:
    headers = {"Authorization": f"Bearer {fake_stripe.api_key}", "Stripe-Version": "2025-03-31"}
    async with httpx.AsyncClient(base_url=fake_stripe.base_url, headers=headers) as client:
        unknown = await client.post(
            "/v1/payment_intents",
            content="amount=100&currency=eur&colour=blue",
            headers={"Idempotency-Key": "k", "Content-Type": "application/x-www-form-urlencoded"},
        )
        nested = await client.post(
            "/v1/refunds",
            content="payment_intent=pi_x&metadata[a]=1&mandate_data[x]=1",
            headers={"Idempotency-Key": "k2", "Content-Type": "application/x-www-form-urlencoded"},
        )
        keyless = await client.post("/v1/customers", content="email=a%40b.c")
        unversioned = await client.get("/v1/events", headers={"Stripe-Version": ""})
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "parameter_unknown"
    assert unknown.json()["error"]["param"] == "colour"
    assert nested.json()["error"]["param"] == "mandate_data"
    assert keyless.status_code == 400
    assert unversioned.status_code == 400


@pytest.mark.parametrize(
    ("currency", "ours", "sent"),
    [("isk", 500, 50_000), ("ugx", 2_000, 200_000), ("jpy", 500, 500), ("huf", 17_550, 17_550)],
)
async def test_amounts_cross_in_stripes_units_and_come_back_in_ours(
    stripe_gateway: StripeGateway,
    fake_stripe: FakeStripe,
    key: Callable[[], str],
    currency: str,
    ours: int,
    sent: int,
) -> None:
    paid = await stripe_gateway.charge(request(key(), amount=ours, currency=currency))
    (create,) = fake_stripe.calls("POST", "/v1/payment_intents")
    assert create.params["amount"] == str(sent)
    assert (paid.amount, paid.amount_received, paid.currency) == (ours, ours, currency)
    part = ours // 5
    refund = await stripe_gateway.refund(paid.reference, amount=part, idempotency_key=key())
    (posted,) = fake_stripe.calls("POST", "/v1/refunds")
    assert posted.params["amount"] == str(sent // 5)
    assert refund.amount == part
    assert (await stripe_gateway.retrieve_charge(paid.reference)).amount_refunded == part


async def test_amounts_stripe_cannot_take_are_refused_before_sending(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    with pytest.raises(GatewayInvalidRequest) as kwd:
        await stripe_gateway.charge(request(key(), amount=5124, currency="kwd"))
    assert (kwd.value.code, kwd.value.param) == ("invalid_charge_amount_precision", "amount")
    with pytest.raises(GatewayInvalidRequest) as huf:
        await stripe_gateway.charge(request(key(), amount=17_499, currency="huf"))
    assert huf.value.code == "amount_too_small"
    assert fake_stripe.requests == []


async def test_raw_card_numbers_never_reach_stripe(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    with pytest.raises(PanNotAllowed) as caught:
        await stripe_gateway.create_payment_method(
            CardInput(number="4242424242424242", exp_month=12, exp_year=2030, cvc="123")
        )
    assert "Stripe.js" in caught.value.message
    assert fake_stripe.requests == []
    method = await stripe_gateway.create_payment_method("pm_card_visa")
    assert method.details.card is not None and method.details.card.last4 == "4242"


async def test_event_listing_asks_stripe_only_for_the_event_types_we_use(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe
) -> None:
    await stripe_gateway.list_events(limit=5)
    (listed,) = fake_stripe.calls("GET", "/v1/events")
    assert listed.params["types"] == POLLED_TYPES
    assert len(POLLED_TYPES) <= 20  # Stripe's limit for the types filter
    # what is not polled comes by webhook: Radar's early fraud warnings, and only they
    assert set(EVENT_TYPES) - set(POLLED_TYPES) == {
        "radar.early_fraud_warning.created",
        "radar.early_fraud_warning.updated",
    }
