"""Stripe objects (Stripe's own fixtures) map to the port's results as documented."""

from __future__ import annotations

import pytest

from payments.gateways.protocol import Fee
from payments.gateways.stripe import mapping
from support.fake_stripe_objects import template


def intent(status: str, **fields: object) -> dict[str, object]:
    values: dict[str, object] = {"last_payment_error": None, "next_action": None, **fields}
    return template("payment_intent", status=status, **values)


@pytest.mark.parametrize(
    ("stripe_status", "fields", "ours"),
    [
        ("succeeded", {"amount_received": 1099}, "succeeded"),
        ("requires_capture", {"amount_capturable": 1099}, "requires_capture"),
        ("processing", {}, "processing"),
        ("canceled", {}, "canceled"),
        ("requires_action", {"next_action": {"type": "use_stripe_sdk"}}, "requires_action"),
        ("requires_payment_method", {}, "requires_action"),  # the customer has not paid yet
        ("requires_confirmation", {}, "requires_action"),
        (
            "requires_payment_method",
            {"last_payment_error": {"type": "card_error", "code": "card_declined"}},
            "failed",
        ),
    ],
)
def test_payment_intent_statuses_map_to_charge_statuses(
    stripe_status: str, fields: dict[str, object], ours: str
) -> None:
    result = mapping.charge_result(intent(stripe_status, **fields))
    assert result.status == ours
    assert (result.decline is not None) == (ours == "failed")


def test_a_fixture_charge_maps_with_safe_card_details_and_no_unknown_wallet() -> None:
    charge = template("charge", payment_intent="pi_1", captured=True, amount_captured=100)
    result = mapping.charge_result_from_charge(charge)
    assert (result.reference, result.status, result.amount_received) == ("pi_1", "succeeded", 100)
    card = result.payment_method_details.card  # type: ignore[union-attr]
    assert card is not None
    assert (card.brand, card.last4, card.country, card.fingerprint) == (
        "visa",
        "4242",
        "US",
        "AOB934RVNwzk6xtn",
    )
    assert card.wallet is None  # Stripe's fixture says "link", which is not a card wallet of ours


def test_apple_pay_and_google_pay_wallets_are_kept() -> None:
    charge = template("charge", payment_intent="pi_1")
    charge["payment_method_details"]["card"]["wallet"] = {"type": "apple_pay", "apple_pay": {}}
    card = mapping.charge_result_from_charge(charge).payment_method_details.card  # type: ignore[union-attr]
    assert card is not None and card.wallet == "apple_pay"


def test_the_fee_is_read_from_the_expanded_balance_transaction_in_its_own_currency() -> None:
    txn = template("balance_transaction", fee=61, currency="usd", fee_details=[])
    latest = template("charge", balance_transaction=txn, amount_refunded=0)
    pi = intent("succeeded", currency="usd", amount_received=1099, latest_charge=latest)
    assert mapping.charge_result(pi).fees == (Fee(amount=61, currency="usd"),)
    # settled in another currency: the fee is in that currency, not dropped
    latest["balance_transaction"] = {**txn, "currency": "eur", "fee": 57}
    assert mapping.charge_result(pi).fees == (Fee(amount=57, currency="eur"),)
    latest["balance_transaction"] = {**txn, "fee": 0}  # known: no fee
    assert mapping.charge_result(pi).fees == ()
    latest["balance_transaction"] = txn["id"]  # not expanded: not known
    assert mapping.charge_result(pi).fees is None


def test_fee_details_give_each_part_of_the_fee_its_currency() -> None:
    detail = {"application": None, "description": "", "type": "stripe_fee"}
    txn = template(
        "balance_transaction",
        currency="eur",
        fee=90,
        fee_details=[
            {**detail, "amount": 60, "currency": "eur"},
            {**detail, "amount": 30, "currency": "eur", "type": "tax"},
            {**detail, "amount": 500, "currency": "isk"},  # Stripe's ISK unit: 5 króna
        ],
    )
    assert mapping.fees(txn) == (Fee(amount=90, currency="eur"), Fee(amount=5, currency="isk"))


def test_icelandic_krona_amounts_come_back_in_whole_krona() -> None:
    pi = intent("succeeded", currency="isk", amount=50_000, amount_received=50_000)
    result = mapping.charge_result(pi)
    assert (result.amount, result.amount_received, result.currency) == (500, 500, "isk")


def test_a_released_authorization_is_not_a_refund() -> None:
    latest = template("charge", amount_refunded=1099, refunded=True, balance_transaction=None)
    result = mapping.charge_result(intent("canceled", amount_received=0, latest_charge=latest))
    assert result.amount_refunded == 0


def test_bank_transfer_instructions_make_a_processing_charge() -> None:
    action = {
        "type": "display_bank_transfer_instructions",
        "display_bank_transfer_instructions": {
            "amount_remaining": 1099,
            "currency": "eur",
            "reference": "REF123",
            "type": "eu_bank_transfer",
            "financial_addresses": [
                {
                    "type": "iban",
                    "iban": {
                        "iban": "DE00123",
                        "bic": "BIC",
                        "account_holder_name": "Stripe",
                        "country": "DE",
                    },
                }
            ],
        },
    }
    result = mapping.charge_result(intent("requires_action", currency="eur", next_action=action))
    assert result.status == "processing"
    assert result.bank_transfer is not None
    assert (result.bank_transfer.iban, result.bank_transfer.reference) == ("DE00123", "REF123")


def test_refund_dispute_and_event_fixtures_map() -> None:
    refund = mapping.refund_result(template("refund", payment_intent="pi_1"))
    assert (refund.reference, refund.charge, refund.amount, refund.status) == (
        "re_1Pgc72B7WZ01zgkWqPvrRrPE",
        "pi_1",
        100,
        "succeeded",
    )
    dispute = mapping.dispute(template("dispute", payment_intent="pi_1"))
    assert (dispute.charge, dispute.amount, dispute.status) == (
        "pi_1",
        1000,
        "warning_needs_response",
    )
    event = mapping.gateway_event(template("event"))  # a plan.created event: no object of ours
    assert (event.type, event.charge, event.refund, event.dispute) == (
        "plan.created",
        None,
        None,
        None,
    )
    assert event.cursor == event.id


def test_radars_outcome_of_a_charge_is_kept_for_the_charge_to_show() -> None:
    radar = {
        "network_status": "not_sent_to_network",
        "reason": "highest_risk_level",
        "risk_level": "highest",
        "risk_score": 91,
        "rule": {"id": "rule_123", "action": "block", "predicate": ":risk_level: = 'highest'"},
        "seller_message": "Stripe blocked this payment as too risky.",
        "type": "blocked",
    }
    charge = template("charge", payment_intent="pi_1", status="failed", outcome=radar)
    result = mapping.charge_result_from_charge(charge)
    assert result.gateway_outcome == {**radar, "rule": "rule_123"}
    latest = template("charge", outcome=radar | {"rule": None})
    from_intent = mapping.charge_result(intent("succeeded", latest_charge=latest))
    assert from_intent.gateway_outcome is not None
    assert from_intent.gateway_outcome["risk_score"] == 91
