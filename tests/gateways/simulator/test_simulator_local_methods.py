"""The simulator runs the local methods as Stripe test mode does: the payment waits for
the customer (a redirect, the BLIK banking app, the Swish app), who authorizes or fails it;
authorized, it is processing and settles by the injected clock; each change is an event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from payments.gateways.protocol import (
    BillingDetails,
    ChargeRequest,
    Fee,
    GatewayInvalidRequest,
    IdempotencyKeyReused,
    LocalMethodInput,
)
from payments.gateways.simulator import SimulatorGateway
from payments.kernel.clock import FrozenClock

BACK = "https://shop.example/paid"


def request(pm: str, key: str, *, currency: str = "eur", **kwargs) -> ChargeRequest:
    return ChargeRequest(
        amount=kwargs.pop("amount", 10_000),
        currency=currency,
        payment_method=pm,
        idempotency_key=key,
        **kwargs,
    )


async def _method(gateway: SimulatorGateway, kind, **kwargs) -> str:
    return (await gateway.create_payment_method(LocalMethodInput(type=kind, **kwargs))).id


async def test_an_ideal_payment_waits_for_the_bank_page_then_settles_after_the_delay(
    gateway: SimulatorGateway, key: Callable[[], str], clock: FrozenClock
) -> None:
    method = await gateway.create_payment_method(LocalMethodInput(type="ideal", bank="rabobank"))
    ideal = method.details.ideal
    assert method.details.type == "ideal"
    assert ideal is not None and (ideal.bank, ideal.bic) == ("rabobank", "RABONL2U")

    started = await gateway.charge(request(method.id, key(), return_url=BACK))
    assert (started.status, started.action_type) == ("requires_action", "redirect_to_url")
    assert started.redirect_url == f"{gateway.settings.pages_url_base}/ideal/{started.reference}"
    assert started.fees is None and started.amount_received == 0

    authorized = await gateway.authorize_payment(started.reference)
    assert (authorized.status, authorized.redirect_url) == ("processing", None)
    clock.advance(gateway.settings.local_settlement_delay - timedelta(milliseconds=1))
    assert (await gateway.retrieve_charge(started.reference)).status == "processing"
    clock.advance(timedelta(milliseconds=1))
    settled = await gateway.retrieve_charge(started.reference)
    assert (settled.status, settled.amount_received) == ("succeeded", 10_000)
    assert settled.fees == (Fee(amount=29, currency="eur"),)  # iDEAL: 0.29 a payment
    types = [e.type for e in (await gateway.list_events()).events]
    assert types == [
        "payment_intent.requires_action",
        "payment_intent.processing",
        "charge.succeeded",
    ]

    with pytest.raises(GatewayInvalidRequest):  # answered already
        await gateway.authorize_payment(started.reference)


async def test_a_failed_authorization_fails_the_payment_at_once(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    pm = await _method(gateway, "twint")
    started = await gateway.charge(request(pm, key(), currency="chf", return_url=BACK))
    failed = await gateway.authorize_payment(started.reference, succeed=False)
    assert failed.status == "failed"
    assert failed.decline is not None
    assert failed.decline.code == "payment_intent_authentication_failure"
    assert (await gateway.list_events()).events[-1].type == "charge.failed"


async def test_a_redirect_method_needs_a_return_url_and_nothing_is_stored_without(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    pm = await _method(gateway, "bancontact", billing_details=BillingDetails(name="Jan"))
    with pytest.raises(GatewayInvalidRequest) as caught:
        await gateway.charge(request(pm, key()))
    assert (caught.value.code, caught.value.param) == ("parameter_missing", "return_url")
    assert (await gateway.list_events()).events == ()


@pytest.mark.parametrize(
    ("kind", "currency"), [("blik", "eur"), ("twint", "eur"), ("swish", "eur"), ("ideal", "pln")]
)
async def test_a_method_in_a_currency_it_does_not_take_is_refused(
    gateway: SimulatorGateway, key: Callable[[], str], kind, currency: str
) -> None:
    pm = await _method(gateway, kind)
    with pytest.raises(GatewayInvalidRequest) as caught:
        await gateway.charge(
            request(pm, key(), currency=currency, return_url=BACK, blik_code="123456")
        )
    assert caught.value.param == "currency"
    assert f"({currency})" in caught.value.message


async def test_blik_waits_for_approval_in_the_banking_app_found_by_its_code(
    gateway: SimulatorGateway, key: Callable[[], str], clock: FrozenClock
) -> None:
    pm = await _method(gateway, "blik")
    with pytest.raises(GatewayInvalidRequest) as no_code:
        await gateway.charge(request(pm, key(), currency="pln"))
    assert no_code.value.param == "payment_method_options[blik][code]"

    started = await gateway.charge(request(pm, key(), currency="pln", blik_code="777123"))
    assert (started.status, started.action_type) == ("requires_action", "blik_authorize")
    assert started.redirect_url is None  # nothing to open: the customer has the app
    assert await gateway.pending_blik_payment("000000") is None
    waiting = await gateway.pending_blik_payment("777123")
    assert waiting is not None and waiting.reference == started.reference

    approved = await gateway.authorize_payment(started.reference)
    assert approved.status == "processing"
    assert await gateway.pending_blik_payment("777123") is None


async def test_blik_not_approved_within_a_minute_fails(
    gateway: SimulatorGateway, key: Callable[[], str], clock: FrozenClock
) -> None:
    pm = await _method(gateway, "blik")
    started = await gateway.charge(request(pm, key(), currency="pln", blik_code="123456"))
    clock.advance(gateway.settings.blik_approval_window)
    expired = await gateway.retrieve_charge(started.reference)
    assert expired.status == "failed"
    assert expired.decline is not None and "in time" in expired.decline.message
    assert await gateway.pending_blik_payment("123456") is None


async def test_the_blik_code_is_part_of_the_idempotent_request(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    pm = await _method(gateway, "blik")
    k = key()
    first = await gateway.charge(request(pm, k, currency="pln", blik_code="123456"))
    assert await gateway.charge(request(pm, k, currency="pln", blik_code="123456")) == first
    with pytest.raises(IdempotencyKeyReused):
        await gateway.charge(request(pm, k, currency="pln", blik_code="654321"))


async def test_swish_shows_its_instructions_page(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    pm = await _method(gateway, "swish")
    started = await gateway.charge(request(pm, key(), currency="sek"))
    assert started.action_type == "swish_handle_redirect_or_display_qr_code"
    assert started.redirect_url is not None and "/swish/" in started.redirect_url


async def test_klarna_with_manual_capture_is_held_once_authorized(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    pm = await _method(
        gateway, "klarna", billing_details=BillingDetails(email="a@example.com", country="de")
    )
    started = await gateway.charge(request(pm, key(), return_url=BACK, capture_method="manual"))
    held = await gateway.authorize_payment(started.reference)
    assert (held.status, held.amount_capturable) == ("requires_capture", 10_000)
    captured = await gateway.capture(started.reference, amount=6000, idempotency_key=key())
    assert (captured.status, captured.amount_received) == ("succeeded", 6000)
    details = captured.payment_method_details
    assert details is not None and details.klarna is not None and details.klarna.country == "DE"


async def test_what_a_local_method_cannot_do_is_refused(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    pm = await _method(gateway, "ideal")
    with pytest.raises(GatewayInvalidRequest) as manual:
        await gateway.charge(request(pm, key(), return_url=BACK, capture_method="manual"))
    assert manual.value.param == "capture_method"
    with pytest.raises(GatewayInvalidRequest) as off_session:
        await gateway.charge(request(pm, key(), return_url=BACK, off_session=True))
    assert off_session.value.param == "off_session"
    with pytest.raises(GatewayInvalidRequest) as code:
        await gateway.charge(request(pm, key(), return_url=BACK, blik_code="123456"))
    assert code.value.param == "payment_method_options[blik][code]"
    with pytest.raises(GatewayInvalidRequest) as bank:
        await gateway.create_payment_method(LocalMethodInput(type="twint", bank="ubs"))
    assert bank.value.param == "bank"
    started = await gateway.charge(request(pm, key(), return_url=BACK))
    with pytest.raises(GatewayInvalidRequest):  # not a 3-D Secure challenge
        await gateway.complete_action(started.reference)
    canceled = await gateway.cancel(started.reference, idempotency_key=key())
    assert canceled.status == "canceled"
