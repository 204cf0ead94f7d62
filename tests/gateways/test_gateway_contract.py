"""The gateway contract: every adapter (the simulator on SQLite and PostgreSQL, the Stripe
adapter against the fake Stripe over real HTTP) behaves the same for these scenarios.

Adapter-specific behaviour (the simulator's clock-driven settlement and fault kinds, the
Stripe adapter's error mapping, currency conversion and helpers) has its own tests.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from payments.gateways.protocol import (
    BillingDetails,
    CardInput,
    ChargeRequest,
    Fee,
    GatewayInvalidRequest,
    GatewayNotSent,
    GatewayOutcomeUnknown,
    IdempotencyKeyReused,
    IncrementalAuthorization,
    LocalMethodInput,
    PanNotAllowed,
    PaymentGateway,
    ResourceMissing,
)
from support.gateway_backends import Backend

DECLINED = [
    ("pm_card_visa_chargeDeclined", "card_declined", "generic_decline"),
    ("pm_card_visa_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
    ("pm_card_chargeDeclinedLostCard", "card_declined", "lost_card"),
    ("pm_card_chargeDeclinedStolenCard", "card_declined", "stolen_card"),
    ("pm_card_chargeDeclinedExpiredCard", "expired_card", None),
    ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", None),
    ("pm_card_chargeDeclinedProcessingError", "processing_error", None),
    ("pm_card_chargeDeclinedFraudulent", "card_declined", "fraudulent"),
]


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


async def event_types(gateway: PaymentGateway) -> list[str]:
    return [event.type for event in (await gateway.list_events(limit=100)).events]


async def test_the_adapter_satisfies_the_gateway_protocol(backend: Backend) -> None:
    assert isinstance(backend.gateway, PaymentGateway)
    assert backend.gateway.name in ("simulator", "stripe")


@pytest.mark.parametrize(
    ("pm", "brand", "last4"),
    [("pm_card_visa", "visa", "4242"), ("pm_card_mastercard", "mastercard", "4444")],
)
async def test_success_cards_capture_at_once_with_fee_and_safe_details(
    backend: Backend, key: Callable[[], str], pm: str, brand: str, last4: str
) -> None:
    result = await backend.gateway.charge(
        request(pm, key(), amount=2000, metadata={"payment_intent": "pi_1"})
    )
    assert result.status == "succeeded"
    assert (result.amount, result.amount_received, result.amount_capturable) == (2000, 2000, 0)
    assert result.decline is None
    assert result.fees == (eur_fee(90),)  # US card: 3.25 % of 2000 = 65, + 25
    details = result.payment_method_details
    assert details is not None and details.card is not None
    assert (details.card.brand, details.card.last4, details.card.country) == (brand, last4, "US")
    assert details.card.fingerprint
    assert result.metadata == {"payment_intent": "pi_1"}

    again = await backend.gateway.retrieve_charge(result.reference)
    assert (again.status, again.amount_received, again.fees) == ("succeeded", 2000, (eur_fee(90),))


@pytest.mark.parametrize(("pm", "code", "decline_code"), DECLINED)
async def test_decline_test_payment_methods_fail_with_stripes_codes_as_data(
    backend: Backend, key: Callable[[], str], pm: str, code: str, decline_code: str | None
) -> None:
    result = await backend.gateway.charge(request(pm, key()))
    assert result.status == "failed"
    assert result.decline is not None and result.decline.message
    assert result.decline.code == code
    if decline_code is not None:  # Stripe repeats the code as decline_code for the others
        assert result.decline.decline_code == decline_code
    assert (result.amount_received, result.fees) == (0, None)
    assert (await backend.gateway.retrieve_charge(result.reference)).status == "failed"


async def test_a_3ds_card_requires_action_with_a_redirect_to_the_challenge(
    backend: Backend, key: Callable[[], str]
) -> None:
    started = await backend.gateway.charge(
        request("pm_card_authenticationRequired", key(), return_url="https://shop.example/back")
    )
    assert started.status == "requires_action"
    assert started.redirect_url is not None and started.reference in started.redirect_url


async def test_off_session_payment_on_a_3ds_card_declines_authentication_required(
    backend: Backend, key: Callable[[], str]
) -> None:
    result = await backend.gateway.charge(
        request("pm_card_authenticationRequired", key(), off_session=True)
    )
    assert result.status == "failed"
    assert result.decline is not None and result.decline.code == "authentication_required"
    set_up = await backend.gateway.charge(
        request("pm_card_authenticationRequiredSetupForOffSession", key(), off_session=True)
    )
    assert set_up.status == "succeeded"


async def test_manual_capture_in_full(backend: Backend, key: Callable[[], str]) -> None:
    auth = await backend.gateway.charge(request("pm_card_de", key(), capture_method="manual"))
    assert (auth.status, auth.amount_capturable, auth.amount_received, auth.fees) == (
        "requires_capture",
        5000,
        0,
        None,
    )
    captured = await backend.gateway.capture(auth.reference, idempotency_key=key())
    assert (captured.status, captured.amount_received, captured.amount_capturable) == (
        "succeeded",
        5000,
        0,
    )
    assert captured.fees == (eur_fee(75 + 25),)  # EEA card: 1.5 % + 0.25
    types = await event_types(backend.gateway)
    assert "payment_intent.amount_capturable_updated" in types
    assert types[-1] == "charge.captured"


async def test_partial_capture_releases_the_rest_and_cannot_exceed_the_authorization(
    backend: Backend, key: Callable[[], str]
) -> None:
    auth = await backend.gateway.charge(request("pm_card_visa", key(), capture_method="manual"))
    with pytest.raises(GatewayInvalidRequest) as too_much:
        await backend.gateway.capture(auth.reference, amount=5001, idempotency_key=key())
    assert too_much.value.code == "amount_too_large"

    captured = await backend.gateway.capture(auth.reference, amount=3000, idempotency_key=key())
    assert (captured.status, captured.amount_received, captured.amount_capturable) == (
        "succeeded",
        3000,
        0,
    )
    with pytest.raises(GatewayInvalidRequest):  # already captured
        await backend.gateway.capture(auth.reference, amount=1000, idempotency_key=key())


async def test_a_hold_on_a_card_flagged_incremental_is_raised_then_captured_at_the_new_total(
    backend: Backend, key: Callable[[], str]
) -> None:
    gateway = backend.gateway
    assert isinstance(gateway, IncrementalAuthorization)
    auth = await gateway.charge(
        request("pm_card_visa_incremental", key(), capture_method="manual", amount=20000)
    )
    raised = await gateway.increment_authorization(
        auth.reference, amount=35000, idempotency_key=key()
    )
    assert (raised.status, raised.amount, raised.amount_capturable, raised.decline) == (
        "requires_capture",
        35000,
        35000,
        None,
    )
    with pytest.raises(GatewayInvalidRequest) as not_above:
        await gateway.increment_authorization(auth.reference, amount=35000, idempotency_key=key())
    assert not_above.value.param == "amount"
    captured = await gateway.capture(auth.reference, amount=29631, idempotency_key=key())
    assert (captured.status, captured.amount_received) == ("succeeded", 29631)
    with pytest.raises(GatewayInvalidRequest) as after_capture:
        await gateway.increment_authorization(auth.reference, amount=40000, idempotency_key=key())
    assert after_capture.value.code == "payment_intent_unexpected_state"


async def test_an_increment_declined_keeps_the_hold_and_other_cards_refuse_increments(
    backend: Backend, key: Callable[[], str]
) -> None:
    gateway = backend.gateway
    assert isinstance(gateway, IncrementalAuthorization)
    auth = await gateway.charge(
        request("pm_card_visa_incrementalDeclined", key(), capture_method="manual")
    )
    declined = await gateway.increment_authorization(
        auth.reference, amount=9000, idempotency_key=key()
    )
    assert (declined.status, declined.amount_capturable) == ("requires_capture", 5000)
    assert declined.decline is not None
    assert (declined.decline.code, declined.decline.decline_code) == (
        "card_declined",
        "insufficient_funds",
    )
    plain = await gateway.charge(request("pm_card_visa", key(), capture_method="manual"))
    with pytest.raises(GatewayInvalidRequest) as refused:
        await gateway.increment_authorization(plain.reference, amount=9000, idempotency_key=key())
    assert refused.value.code == "payment_intent_unexpected_state"


async def test_cancel_releases_an_authorization(backend: Backend, key: Callable[[], str]) -> None:
    auth = await backend.gateway.charge(request("pm_card_visa", key(), capture_method="manual"))
    canceled = await backend.gateway.cancel(auth.reference, idempotency_key=key())
    assert (canceled.status, canceled.amount_capturable, canceled.amount_received) == (
        "canceled",
        0,
        0,
    )
    assert canceled.amount_refunded == 0  # nothing was received, so nothing refunded
    with pytest.raises(GatewayInvalidRequest) as capture_after:
        await backend.gateway.capture(auth.reference, idempotency_key=key())
    assert capture_after.value.code == "payment_intent_unexpected_state"
    paid = await backend.gateway.charge(request("pm_card_visa", key()))
    with pytest.raises(GatewayInvalidRequest):
        await backend.gateway.cancel(paid.reference, idempotency_key=key())


async def test_partial_refunds_cannot_exceed_the_captured_amount(
    backend: Backend, key: Callable[[], str]
) -> None:
    paid = await backend.gateway.charge(request("pm_card_visa", key()))
    first = await backend.gateway.refund(
        paid.reference, amount=2000, idempotency_key=key(), reason="requested_by_customer"
    )
    assert (first.status, first.amount, first.charge) == ("succeeded", 2000, paid.reference)
    assert (first.currency, first.reason) == ("eur", "requested_by_customer")
    with pytest.raises(GatewayInvalidRequest) as too_much:
        await backend.gateway.refund(paid.reference, amount=3001, idempotency_key=key())
    assert too_much.value.code == "amount_too_large"
    rest = await backend.gateway.refund(paid.reference, idempotency_key=key())
    assert rest.amount == 3000
    assert (await backend.gateway.retrieve_charge(paid.reference)).amount_refunded == 5000
    with pytest.raises(GatewayInvalidRequest) as done:
        await backend.gateway.refund(paid.reference, idempotency_key=key())
    assert done.value.code == "charge_already_refunded"


async def test_same_key_same_request_replays_the_stored_result(
    backend: Backend, key: Callable[[], str]
) -> None:
    k = key()
    first = await backend.gateway.charge(request("pm_card_visa", k))
    again = await backend.gateway.charge(request("pm_card_visa", k))
    assert again == first
    assert await backend.count_charges() == 1

    refund_key = key()
    refund = await backend.gateway.refund(first.reference, amount=500, idempotency_key=refund_key)
    replayed = await backend.gateway.refund(first.reference, amount=500, idempotency_key=refund_key)
    assert replayed == refund
    assert (await backend.gateway.retrieve_charge(first.reference)).amount_refunded == 500


async def test_same_key_with_other_parameters_is_an_idempotency_error(
    backend: Backend, key: Callable[[], str]
) -> None:
    k = key()
    first = await backend.gateway.charge(request("pm_card_visa", k))
    with pytest.raises(IdempotencyKeyReused) as caught:
        await backend.gateway.charge(request("pm_card_visa", k, amount=5001))
    assert (caught.value.code, caught.value.error_type) == (
        "idempotency_error",
        "idempotency_error",
    )
    with pytest.raises(IdempotencyKeyReused):
        await backend.gateway.cancel(first.reference, idempotency_key=k)
    assert await backend.count_charges() == 1


async def test_declines_are_replayed_too(backend: Backend, key: Callable[[], str]) -> None:
    k = key()
    declined = await backend.gateway.charge(request("pm_card_visa_chargeDeclined", k))
    assert await backend.gateway.charge(request("pm_card_visa_chargeDeclined", k)) == declined
    assert await backend.count_charges() == 1


async def test_a_transient_refusal_then_the_same_key_charges_exactly_once(
    backend: Backend, key: Callable[[], str]
) -> None:
    await backend.refuse_next("charge")
    k = key()
    try:  # the Stripe SDK retries a lock_timeout itself; the simulator says "not sent"
        result = await backend.gateway.charge(request("pm_card_visa", k))
    except GatewayNotSent:
        result = await backend.gateway.charge(request("pm_card_visa", k))
    assert result.status == "succeeded"
    assert await backend.count_charges() == 1


async def test_a_lost_response_is_an_unknown_outcome_and_the_same_key_returns_the_one_charge(
    backend: Backend, key: Callable[[], str]
) -> None:
    await backend.lose_next_response("charge", None)
    k = key()
    with pytest.raises(GatewayOutcomeUnknown):
        await backend.gateway.charge(request("pm_card_visa", k))
    assert await backend.count_charges() == 1  # processed at the gateway
    recovered = await backend.gateway.charge(request("pm_card_visa", k))
    assert recovered.status == "succeeded"
    assert await backend.count_charges() == 1
    assert (await backend.gateway.retrieve_charge(recovered.reference)) == recovered


async def test_a_lost_capture_response_is_settled_by_retrieving(
    backend: Backend, key: Callable[[], str]
) -> None:
    auth = await backend.gateway.charge(request("pm_card_visa", key(), capture_method="manual"))
    await backend.lose_next_response("capture", auth.reference)
    with pytest.raises(GatewayOutcomeUnknown):
        await backend.gateway.capture(auth.reference, idempotency_key=key())
    assert (await backend.gateway.retrieve_charge(auth.reference)).status == "succeeded"


async def test_unknown_payment_method_is_resource_missing(
    backend: Backend, key: Callable[[], str]
) -> None:
    with pytest.raises(ResourceMissing):
        await backend.gateway.charge(request("pm_does_not_exist", key()))
    with pytest.raises(ResourceMissing):
        await backend.gateway.retrieve_charge("pi_does_not_exist")


async def test_a_card_number_that_is_not_a_published_test_number_is_refused(
    backend: Backend,
) -> None:
    real_looking = "4111111111111111"  # Luhn-valid, not in Stripe's table
    with pytest.raises(PanNotAllowed) as caught:
        await backend.gateway.create_payment_method(
            CardInput(number=real_looking, exp_month=12, exp_year=2030, cvc="123")
        )
    assert caught.value.code == "pan_not_allowed"
    assert real_looking not in str(caught.value)


async def test_amount_below_the_currency_minimum_and_unknown_currencies_are_refused(
    backend: Backend, key: Callable[[], str]
) -> None:
    with pytest.raises(GatewayInvalidRequest) as caught:
        await backend.gateway.charge(request("pm_card_visa", key(), amount=10))
    assert (caught.value.code, caught.value.param) == ("amount_too_small", "amount")
    with pytest.raises(GatewayInvalidRequest) as bad_currency:
        await backend.gateway.charge(request("pm_card_visa", key(), currency="xyz"))
    assert bad_currency.value.param == "currency"
    assert await backend.count_charges() == 0


async def test_events_page_oldest_first_from_a_cursor(
    backend: Backend, key: Callable[[], str]
) -> None:
    for _ in range(5):
        await backend.gateway.charge(request("pm_card_visa", key()))
    first = await backend.gateway.list_events(limit=2)
    assert first.has_more and len(first.events) == 2
    second = await backend.gateway.list_events(after=first.next_cursor, limit=10)
    assert not second.has_more and len(second.events) == 3
    events = first.events + second.events
    assert [e.type for e in events] == ["charge.succeeded"] * 5
    assert len({e.id for e in events}) == 5
    assert [e.created for e in events] == sorted(e.created for e in events)
    references = [e.charge.reference for e in events if e.charge is not None]
    assert len(set(references)) == 5
    empty = await backend.gateway.list_events(after=second.next_cursor)
    assert empty.events == () and empty.next_cursor == second.next_cursor


# --------------------------------------------------------------------------- local methods

BACK = "https://shop.example/paid"


async def test_an_ideal_payment_waits_for_the_customer_at_a_redirect_page(
    backend: Backend, key: Callable[[], str]
) -> None:
    method = await backend.gateway.create_payment_method(LocalMethodInput(type="ideal", bank="ing"))
    assert method.details.type == "ideal"
    assert method.details.ideal is not None and method.details.ideal.bank == "ing"
    started = await backend.gateway.charge(request(method.id, key(), return_url=BACK))
    assert (started.status, started.action_type) == ("requires_action", "redirect_to_url")
    assert started.redirect_url is not None and started.redirect_url.startswith("http")
    assert (started.amount_received, started.fees) == (0, None)
    assert started.payment_method_details is not None
    assert started.payment_method_details.type == "ideal"
    assert (await backend.gateway.retrieve_charge(started.reference)).status == "requires_action"
    assert "payment_intent.requires_action" in await event_types(backend.gateway)


@pytest.mark.parametrize("succeed", [True, False], ids=["authorized", "failed"])
async def test_the_customer_authorizes_or_fails_a_local_payment(
    backend: Backend, key: Callable[[], str], succeed: bool
) -> None:
    method = await backend.gateway.create_payment_method(
        LocalMethodInput(type="bancontact", billing_details=BillingDetails(name="Jan Peeters"))
    )
    started = await backend.gateway.charge(request(method.id, key(), return_url=BACK))
    assert started.status == "requires_action"
    await backend.customer_authorizes(started.reference, succeed)
    after = await backend.gateway.retrieve_charge(started.reference)
    assert after.payment_method_details is not None
    assert after.payment_method_details.type == "bancontact"
    types = await event_types(backend.gateway)
    if succeed:
        assert (after.status, after.amount_received) == ("succeeded", 5000)
        assert after.fees == (eur_fee(95),)  # 1.4 % of 5000 = 70, + 25
        assert types[-1] in ("charge.succeeded", "payment_intent.succeeded")
        assert "charge.succeeded" in types
    else:
        assert after.status == "failed"
        assert after.decline is not None
        assert after.decline.code == "payment_intent_authentication_failure"
        assert "charge.failed" in types


async def test_blik_waits_for_approval_in_the_banking_app(
    backend: Backend, key: Callable[[], str]
) -> None:
    method = await backend.gateway.create_payment_method(LocalMethodInput(type="blik"))
    started = await backend.gateway.charge(
        request(method.id, key(), currency="pln", amount=20000, blik_code="123456")
    )
    assert (started.status, started.action_type) == ("requires_action", "blik_authorize")
    assert started.redirect_url is None
    await backend.customer_authorizes(started.reference, True)
    paid = await backend.gateway.retrieve_charge(started.reference)
    assert (paid.status, paid.currency, paid.amount_received) == ("succeeded", "pln", 20000)


async def test_blik_in_euros_and_a_redirect_without_return_url_are_refused_before_any_charge(
    backend: Backend, key: Callable[[], str]
) -> None:
    blik = await backend.gateway.create_payment_method(LocalMethodInput(type="blik"))
    with pytest.raises(GatewayInvalidRequest) as euros:
        await backend.gateway.charge(request(blik.id, key(), blik_code="123456"))
    assert euros.value.param == "currency"
    with pytest.raises(GatewayInvalidRequest) as no_code:
        await backend.gateway.charge(request(blik.id, key(), currency="pln"))
    assert no_code.value.param == "payment_method_options[blik][code]"
    twint = await backend.gateway.create_payment_method(LocalMethodInput(type="twint"))
    with pytest.raises(GatewayInvalidRequest) as no_return:
        await backend.gateway.charge(request(twint.id, key(), currency="chf"))
    assert (no_return.value.code, no_return.value.param) == ("parameter_missing", "return_url")
    assert await backend.count_charges() == 0


async def test_klarna_with_manual_capture_is_held_then_captured(
    backend: Backend, key: Callable[[], str]
) -> None:
    method = await backend.gateway.create_payment_method(
        LocalMethodInput(
            type="klarna", billing_details=BillingDetails(email="jenny@example.com", country="DE")
        )
    )
    started = await backend.gateway.charge(
        request(method.id, key(), return_url=BACK, capture_method="manual")
    )
    await backend.customer_authorizes(started.reference, True)
    held = await backend.gateway.retrieve_charge(started.reference)
    assert (held.status, held.amount_capturable) == ("requires_capture", 5000)
    captured = await backend.gateway.capture(started.reference, idempotency_key=key())
    assert (captured.status, captured.amount_received) == ("succeeded", 5000)
