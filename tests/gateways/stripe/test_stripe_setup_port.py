"""The Stripe adapter's side of the setup port (``PaymentMethodSetup``), against the fake
Stripe built from Stripe's fixtures: one SetupIntent created and confirmed per request,
replayed for a repeated key, declines and 3-D Secure as data, SEPA mandates, cancel."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from payments.gateways.protocol import (
    GatewayInvalidRequest,
    MandateAcceptance,
    PaymentMethodSetup,
    SepaDebitInput,
    SetupRequest,
)
from payments.gateways.stripe import StripeGateway
from support.fake_stripe import FakeStripe


async def test_a_card_is_set_up_once_for_a_repeated_key(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    assert isinstance(stripe_gateway, PaymentMethodSetup)
    request = SetupRequest(payment_method="pm_card_visa", idempotency_key=key())
    first = await stripe_gateway.setup(request)
    assert first.status == "succeeded" and first.reference.startswith("seti_")
    assert first.payment_method is not None and first.decline is None
    again = await stripe_gateway.setup(request)
    assert again.reference == first.reference
    assert fake_stripe.count("setup_intent") == 1
    assert (await stripe_gateway.retrieve_setup(first.reference)).status == "succeeded"


async def test_a_decline_is_a_failed_setup_and_3ds_requires_action(
    stripe_gateway: StripeGateway, key: Callable[[], str]
) -> None:
    declined = await stripe_gateway.setup(
        SetupRequest(payment_method="pm_card_visa_chargeDeclined", idempotency_key=key())
    )
    assert declined.status == "failed" and declined.decline is not None
    assert declined.decline.code == "card_declined"
    challenged = await stripe_gateway.setup(
        SetupRequest(
            payment_method="pm_card_authenticationRequired",
            idempotency_key=key(),
            return_url="https://shop.example/back",
        )
    )
    assert challenged.status == "requires_action"
    assert challenged.redirect_url and challenged.redirect_url.startswith("https://hooks.stripe")
    canceled = await stripe_gateway.cancel_setup(challenged.reference, idempotency_key=key())
    assert canceled.status == "canceled"


async def test_sepa_needs_the_mandate_acceptance(
    stripe_gateway: StripeGateway, key: Callable[[], str]
) -> None:
    method = await stripe_gateway.create_payment_method(
        SepaDebitInput(iban="DE89370400440532013000", account_holder_name="Jenny Rosen")
    )
    with pytest.raises(GatewayInvalidRequest):
        await stripe_gateway.setup(SetupRequest(payment_method=method.id, idempotency_key=key()))
    done = await stripe_gateway.setup(
        SetupRequest(
            payment_method=method.id,
            idempotency_key=key(),
            mandate=MandateAcceptance(ip_address="203.0.113.7", user_agent="Mozilla/5.0"),
        )
    )
    assert done.status == "succeeded" and done.mandate is not None
