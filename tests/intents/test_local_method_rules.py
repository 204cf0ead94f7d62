"""What a PaymentIntent asks of a local method before any attempt, and the ``next_action``
each one answers with (pure rules, no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from payments.gateways.protocol import (
    AppMethodDetails,
    BankRedirectDetails,
    ChargeResult,
    PaymentMethodDetails,
)
from payments.intents.domain.charge_result import details_dict, next_action, reconcile_charge
from payments.intents.domain.local_methods import (
    BLIK_CODE_PARAM,
    check_confirm,
    check_currency,
    check_intent_options,
    check_return_url,
    fits_currency,
)
from payments.intents.domain.model import Charge, ChargeStatus, PaymentIntent
from payments.intents.domain.payment_intent import CaptureMethod, PaymentIntentStatus
from payments.kernel.errors import InvalidRequest

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
BACK = "https://shop.example/paid"


def _refusal(call: Any, **kwargs: Any) -> tuple[str, str | None]:
    with pytest.raises(InvalidRequest) as caught:
        call(**kwargs)
    return caught.value.code, caught.value.param


def test_blik_in_euros_is_refused_naming_the_currency() -> None:
    assert _refusal(check_currency, kind="blik", currency="eur") == (
        "payment_intent_incompatible_payment_method",
        "currency",
    )
    check_currency("blik", "pln")
    check_currency("card", "jpy")  # only the local methods are bound to a currency
    assert not fits_currency("twint", "eur") and fits_currency("p24", "eur")


@pytest.mark.parametrize("kind", ["ideal", "bancontact", "eps", "p24", "twint", "klarna"])
def test_a_redirect_method_is_confirmed_only_with_a_return_url(kind: str) -> None:
    assert _refusal(
        check_confirm, kind=kind, return_url=None, blik_code=None, off_session=False
    ) == ("parameter_missing", "return_url")
    check_confirm(kind, return_url=BACK, blik_code=None, off_session=False)


def test_blik_needs_its_code_and_no_return_url_and_only_blik_takes_a_code() -> None:
    check_confirm("blik", return_url=None, blik_code="123456", off_session=False)
    assert _refusal(
        check_confirm, kind="blik", return_url=None, blik_code=None, off_session=False
    ) == ("parameter_missing", BLIK_CODE_PARAM)
    for kind in ("ideal", "card"):
        assert _refusal(
            check_confirm, kind=kind, return_url=BACK, blik_code="123456", off_session=False
        ) == ("parameter_unknown", BLIK_CODE_PARAM)
    check_confirm("swish", return_url=None, blik_code=None, off_session=False)


def test_a_local_method_needs_the_customer_there() -> None:
    assert _refusal(
        check_confirm, kind="swish", return_url=None, blik_code=None, off_session=True
    ) == ("payment_intent_invalid_parameter", "off_session")
    check_confirm("card", return_url=None, blik_code=None, off_session=True)


def test_only_klarna_is_captured_later_and_no_local_method_is_saved() -> None:
    check_intent_options("klarna", capture_method=CaptureMethod.MANUAL, setup_future_usage=None)
    assert _refusal(
        check_intent_options,
        kind="ideal",
        capture_method=CaptureMethod.MANUAL,
        setup_future_usage=None,
    ) == ("payment_intent_invalid_parameter", "capture_method")
    assert _refusal(
        check_intent_options,
        kind="bancontact",
        capture_method=CaptureMethod.AUTOMATIC,
        setup_future_usage="off_session",
    ) == ("payment_intent_invalid_parameter", "setup_future_usage")
    check_intent_options(
        "card", capture_method=CaptureMethod.MANUAL, setup_future_usage="off_session"
    )


@pytest.mark.parametrize("url", [BACK, "myshopapp://paid", None])
def test_a_return_url_is_absolute(url: str | None) -> None:
    check_return_url(url)


@pytest.mark.parametrize("url", ["/paid", "shop.example/paid", "https://"])
def test_a_relative_return_url_is_refused(url: str) -> None:
    assert _refusal(check_return_url, url=url) == ("url_invalid", "return_url")


def _result(**fields: Any) -> ChargeResult:
    values: dict[str, Any] = {
        "reference": "ch_sim_1",
        "status": "requires_action",
        "amount": 5000,
        "currency": "pln",
        "created": NOW,
    }
    return ChargeResult(**(values | fields))


def test_each_customer_action_is_stripes_next_action() -> None:
    redirect = _result(redirect_url="https://sim.example/ideal/ch_sim_1")
    assert next_action(redirect, BACK) == {
        "type": "redirect_to_url",
        "redirect_to_url": {"url": "https://sim.example/ideal/ch_sim_1", "return_url": BACK},
    }
    assert next_action(_result(action_type="blik_authorize"), None) == {
        "type": "blik_authorize",
        "blik_authorize": {},
    }
    swish = _result(
        action_type="swish_handle_redirect_or_display_qr_code",
        redirect_url="https://sim.example/swish/ch_sim_1",
    )
    assert next_action(swish, None)["swish_handle_redirect_or_display_qr_code"] == {
        "hosted_instructions_url": "https://sim.example/swish/ch_sim_1",
        "mobile_auth_url": "https://sim.example/swish/ch_sim_1",
    }


def test_a_local_charge_carries_its_payment_method_type_for_reports() -> None:
    ideal = PaymentMethodDetails.local("ideal", BankRedirectDetails(bank="ing", bic="INGBNL2A"))
    assert details_dict(ideal) == {"type": "ideal", "ideal": {"bank": "ing", "bic": "INGBNL2A"}}
    blik = PaymentMethodDetails.local("blik", AppMethodDetails())
    assert details_dict(blik) == {"type": "blik", "blik": {"country": None}}

    pi = PaymentIntent(
        id="pi_1",
        location_id="loc_1",
        amount=5000,
        currency="pln",
        status=PaymentIntentStatus.PROCESSING,
        capture_method=CaptureMethod.AUTOMATIC,
        payment_method_types=["blik"],
        created=NOW,
        latest_charge_id="ch_1",
    )
    charge = Charge(
        id="ch_1",
        payment_intent_id="pi_1",
        location_id="loc_1",
        amount=5000,
        currency="pln",
        status=ChargeStatus.pending,
        gateway="simulator",
        created=NOW,
    )
    waiting = reconcile_charge(
        pi, charge, _result(action_type="blik_authorize", payment_method_details=blik), now=NOW
    )
    assert not isinstance(waiting, str)
    assert waiting.intent.status == PaymentIntentStatus.REQUIRES_ACTION
    assert waiting.intent.next_action == {"type": "blik_authorize", "blik_authorize": {}}
    assert waiting.charge.payment_method_details == {"type": "blik", "blik": {"country": None}}
    assert [e.type for e in waiting.events] == ["payment_intent.requires_action"]
    assert waiting.journal == ()  # nothing moves until it settles
