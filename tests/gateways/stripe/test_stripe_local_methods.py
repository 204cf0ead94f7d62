"""The Stripe adapter and the local methods: our ``payment_method_data`` becomes a Stripe
PaymentMethod of the same type, the confirm carries ``return_url`` and BLIK's
``payment_method_options[blik][code]``, and Stripe's ``next_action``s and
``payment_method_details`` come back as the port's results (against the fake Stripe,
whose objects are Stripe's fixtures)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from payments.gateways.protocol import BillingDetails, ChargeRequest, LocalMethodInput
from payments.gateways.stripe import StripeGateway, mapping
from support.fake_stripe import FakeStripe
from support.fake_stripe_objects import template

BACK = "https://shop.example/paid?order=7"


def _request(pm: str, key: str, **kwargs: Any) -> ChargeRequest:
    return ChargeRequest(
        amount=kwargs.pop("amount", 5000),
        currency=kwargs.pop("currency", "eur"),
        payment_method=pm,
        idempotency_key=key,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("source", "sent"),
    [
        (
            LocalMethodInput(type="ideal", bank="ing"),
            {"type": "ideal", "ideal": {"bank": "ing"}},
        ),
        (
            LocalMethodInput(type="bancontact", billing_details=BillingDetails(name="Jan")),
            {"type": "bancontact", "billing_details": {"name": "Jan"}},
        ),
        (
            LocalMethodInput(
                type="p24", bank="mbank", billing_details=BillingDetails(email="jan@example.pl")
            ),
            {
                "type": "p24",
                "p24": {"bank": "mbank"},
                "billing_details": {"email": "jan@example.pl"},
            },
        ),
        (
            LocalMethodInput(
                type="klarna",
                billing_details=BillingDetails(email="jenny@example.com", country="de"),
            ),
            {
                "type": "klarna",
                "billing_details": {"email": "jenny@example.com", "address": {"country": "DE"}},
            },
        ),
        (LocalMethodInput(type="twint"), {"type": "twint"}),
    ],
)
async def test_a_local_method_becomes_a_stripe_payment_method_of_its_type(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, source: LocalMethodInput, sent: dict
) -> None:
    method = await stripe_gateway.create_payment_method(source, idempotency_key="pm_key_1")
    assert method.id.startswith("pm_") and method.details.type == source.type
    (call,) = fake_stripe.calls("POST", "/v1/payment_methods")
    assert call.params == sent
    assert call.headers["idempotency-key"] == "pm_key_1"


async def test_a_blik_confirm_sends_the_code_as_stripes_payment_method_options(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    blik = await stripe_gateway.create_payment_method(LocalMethodInput(type="blik"))
    started = await stripe_gateway.charge(
        _request(blik.id, key(), currency="pln", blik_code="123456")
    )
    assert (started.status, started.action_type) == ("requires_action", "blik_authorize")
    (call,) = fake_stripe.calls("POST", "/v1/payment_intents")
    assert call.params["payment_method_types"] == ["blik"]
    assert call.params["payment_method_options"] == {"blik": {"code": "123456"}}
    assert call.params["confirm"] == "true"
    assert "mandate_data" not in call.params and "return_url" not in call.params


async def test_a_redirect_confirm_sends_the_return_url_and_gets_stripes_redirect(
    stripe_gateway: StripeGateway, fake_stripe: FakeStripe, key: Callable[[], str]
) -> None:
    ideal = await stripe_gateway.create_payment_method(LocalMethodInput(type="ideal", bank="ing"))
    started = await stripe_gateway.charge(_request(ideal.id, key(), return_url=BACK))
    (call,) = fake_stripe.calls("POST", "/v1/payment_intents")
    assert (call.params["payment_method_types"], call.params["return_url"]) == (["ideal"], BACK)
    assert "payment_method_options" not in call.params and "mandate_data" not in call.params
    assert started.action_type == "redirect_to_url"
    assert started.redirect_url is not None
    assert started.redirect_url.startswith("https://pm-redirects.stripe.com/")

    fake_stripe.authorize_local(started.reference)
    paid = await stripe_gateway.retrieve_charge(started.reference)
    assert (paid.status, paid.amount_received) == ("succeeded", 5000)
    details = paid.payment_method_details
    assert details is not None and details.ideal is not None
    assert (details.type, details.ideal.bank, details.ideal.bic) == ("ideal", "ing", "INGBNL2A")


def _waiting(action: dict[str, Any]) -> dict[str, Any]:
    return template(
        "payment_intent", status="requires_action", next_action=action, last_payment_error=None
    )


def test_stripes_next_actions_map_to_what_the_customer_does() -> None:
    redirect = mapping.charge_result(
        _waiting(
            {
                "type": "redirect_to_url",
                "redirect_to_url": {"url": "https://pm-redirects.stripe.com/x", "return_url": BACK},
            }
        )
    )
    assert (redirect.action_type, redirect.redirect_url) == (
        "redirect_to_url",
        "https://pm-redirects.stripe.com/x",
    )
    blik = mapping.charge_result(_waiting({"type": "blik_authorize", "blik_authorize": {}}))
    assert (blik.status, blik.action_type, blik.redirect_url) == (
        "requires_action",
        "blik_authorize",
        None,
    )
    swish = mapping.charge_result(
        _waiting(
            {
                "type": "swish_handle_redirect_or_display_qr_code",
                "swish_handle_redirect_or_display_qr_code": {
                    "hosted_instructions_url": "https://payments.stripe.com/swish/x",
                    "mobile_auth_url": "swish://paymentrequest?token=x",
                    "qr_code": {
                        "data": "x",
                        "expires_at": 1,
                        "image_url_png": "",
                        "image_url_svg": "",
                    },
                },
            }
        )
    )
    assert swish.action_type == "swish_handle_redirect_or_display_qr_code"
    assert swish.redirect_url == "https://payments.stripe.com/swish/x"


@pytest.mark.parametrize(
    ("kind", "details", "bank"),
    [
        ("ideal", {"bank": "rabobank", "bic": "RABONL2U", "iban_last4": "5264"}, "rabobank"),
        (
            "bancontact",
            {"bank_code": "VAPE", "bank_name": "VAN DE PUT & CO", "bic": "VAPEBE22"},
            None,
        ),
        ("eps", {"bank": "bank_austria", "verified_name": "Anna"}, "bank_austria"),
        ("p24", {"bank": "mbank", "reference": "P24-1"}, "mbank"),
        ("blik", {"buyer_id": None}, None),
        ("twint", {}, None),
        ("swish", {"fingerprint": "x", "payment_reference": "y"}, None),
        ("klarna", {"payment_method_category": "pay_later", "preferred_locale": "de-DE"}, None),
    ],
)
def test_a_local_charge_keeps_its_payment_method_type(
    kind: str, details: dict[str, Any], bank: str | None
) -> None:
    charge = template(
        "charge",
        payment_intent="pi_1",
        captured=True,
        amount_captured=1000,
        payment_method_details={"type": kind, kind: details},
    )
    result = mapping.charge_result_from_charge(charge)
    assert result.payment_method_details is not None
    assert result.payment_method_details.type == kind
    inner = getattr(result.payment_method_details, kind)
    assert inner is not None and getattr(inner, "bank", None) == bank
