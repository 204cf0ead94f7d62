"""Test cards and test PaymentMethod ids behave as in Stripe test mode."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from payments.gateways.protocol import CardInput, ChargeRequest, Fee, GatewayInvalidRequest
from payments.gateways.simulator import SimulatorGateway
from payments.gateways.simulator.fees import fee_for, round_half_up, rule_for
from payments.gateways.simulator.testdata import CARDS, luhn_ok
from payments.gateways.simulator.testibans import IBANS

DECLINED = [
    ("4000000000000002", "pm_card_visa_chargeDeclined", "card_declined", "generic_decline"),
    (
        "4000000000009995",
        "pm_card_visa_chargeDeclinedInsufficientFunds",
        "card_declined",
        "insufficient_funds",
    ),
    ("4000000000009987", "pm_card_chargeDeclinedLostCard", "card_declined", "lost_card"),
    ("4000000000009979", "pm_card_chargeDeclinedStolenCard", "card_declined", "stolen_card"),
    ("4000000000000069", "pm_card_chargeDeclinedExpiredCard", "expired_card", None),
    ("4000000000000127", "pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", None),
    ("4000000000000119", "pm_card_chargeDeclinedProcessingError", "processing_error", None),
    ("4100000000000019", "pm_card_chargeDeclinedFraudulent", "card_declined", "fraudulent"),
]


def request(pm: str, key: str, **kwargs) -> ChargeRequest:
    return ChargeRequest(
        amount=kwargs.pop("amount", 2000),
        currency=kwargs.pop("currency", "eur"),
        payment_method=pm,
        idempotency_key=key,
        **kwargs,
    )


def test_published_test_data_is_well_formed() -> None:
    assert all(luhn_ok(card.number) for card in CARDS)
    assert len({entry.iban for entry in IBANS}) == len(IBANS)


@pytest.mark.parametrize(("number", "pm", "code", "decline_code"), DECLINED)
async def test_decline_cards_fail_with_stripes_codes_as_data(
    gateway: SimulatorGateway,
    key: Callable[[], str],
    number: str,
    pm: str,
    code: str,
    decline_code: str | None,
) -> None:
    card = await gateway.create_payment_method(
        CardInput(number=number, exp_month=12, exp_year=2030, cvc="123")
    )
    for payment_method in (card.id, pm):
        result = await gateway.charge(request(payment_method, key()))
        assert result.status == "failed"
        assert result.decline is not None
        assert (result.decline.code, result.decline.decline_code) == (code, decline_code)
        assert result.decline.message
        assert (result.amount_received, result.fees) == (0, None)


async def test_card_details_keep_no_number_and_fingerprint_equal_numbers_alike(
    gateway: SimulatorGateway,
) -> None:
    first = await gateway.create_payment_method(
        CardInput(number="4242 4242 4242 4242", exp_month=4, exp_year=31, cvc="314")
    )
    second = await gateway.create_payment_method("pm_card_visa")
    other = await gateway.create_payment_method("pm_card_mastercard")

    assert first.id.startswith("pm_sim_") and first.id != second.id
    card = first.details.card
    assert card is not None
    assert (card.last4, card.exp_month, card.exp_year) == ("4242", 4, 2031)
    assert second.details.card is not None and other.details.card is not None
    assert card.fingerprint == second.details.card.fingerprint != other.details.card.fingerprint
    assert "4242424242424242" not in repr(first)
    assert "4242424242424242" not in repr(
        CardInput(number="4242424242424242", exp_month=1, exp_year=30, cvc="1")
    )


@pytest.mark.parametrize(
    ("card", "code"),
    [
        (
            CardInput(number="4242424242424241", exp_month=12, exp_year=2030, cvc="123"),
            "incorrect_number",
        ),
        (CardInput(number="4242", exp_month=12, exp_year=2030, cvc="123"), "invalid_number"),
        (
            CardInput(number="4242424242424242", exp_month=13, exp_year=2030, cvc="123"),
            "invalid_expiry_month",
        ),
        (
            CardInput(number="4242424242424242", exp_month=1, exp_year=2020, cvc="123"),
            "invalid_expiry_year",
        ),
        (
            CardInput(number="4242424242424242", exp_month=12, exp_year=2030, cvc="99"),
            "invalid_cvc",
        ),
        (
            CardInput(number="378282246310005", exp_month=12, exp_year=2030, cvc="123"),
            "invalid_cvc",
        ),
    ],
)
async def test_invalid_card_data_is_an_invalid_request(
    gateway: SimulatorGateway, card: CardInput, code: str
) -> None:
    with pytest.raises(GatewayInvalidRequest) as caught:
        await gateway.create_payment_method(card)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("pm", "wallet", "brand"),
    [
        ("pm_card_visa_applepay", "apple_pay", "visa"),
        ("pm_card_mastercard_applepay", "apple_pay", "mastercard"),
        ("pm_card_visa_googlepay", "google_pay", "visa"),
        ("pm_card_mastercard_googlepay", "google_pay", "mastercard"),
    ],
)
async def test_wallet_payments_are_card_payments_with_wallet_details(
    gateway: SimulatorGateway, key: Callable[[], str], pm: str, wallet: str, brand: str
) -> None:
    result = await gateway.charge(request(pm, key()))
    assert result.status == "succeeded"
    card = result.payment_method_details.card  # type: ignore[union-attr]
    assert card is not None and (card.wallet, card.brand) == (wallet, brand)

    via_input = await gateway.create_payment_method(
        CardInput(
            number="4242424242424242", exp_month=1, exp_year=2030, cvc="123", wallet="apple_pay"
        )
    )
    assert via_input.details.card is not None and via_input.details.card.wallet == "apple_pay"


async def test_eea_cards_pay_the_eea_fee_rounded_half_up(
    gateway: SimulatorGateway, key: Callable[[], str]
) -> None:
    result = await gateway.charge(request("pm_card_de", key(), amount=1999))
    # 1.5 % of 1999 = 29.985 -> 30 (ROUND_HALF_UP), + 25
    assert result.fees == (Fee(amount=55, currency="eur"),)
    gb = await gateway.charge(request("pm_card_gb", key(), amount=1000, currency="gbp"))
    assert gb.fees == (Fee(amount=25 + 25, currency="gbp"),)  # 2.5 %


def test_fee_rounding_is_named_and_integer_only() -> None:
    assert round_half_up(5, 10) == 1 and round_half_up(4, 10) == 0
    assert fee_for(1000, "jpy", rule_for("card", "DE")) == 15  # fixed 0.25 JPY rounds to 0
    assert fee_for(1000, "eur", rule_for("sepa_debit")) == 35
    assert fee_for(1000, "eur", rule_for("customer_balance")) == 0
