"""The charge's Stripe outcome: our decision, the issuer's decline over it, Radar's block."""

from __future__ import annotations

from datetime import UTC, datetime

from payments.intents.domain.model import Charge, ChargeStatus
from payments.intents.render import charge_outcome


def _charge(status: ChargeStatus, **fields: object) -> Charge:
    return Charge(
        id="ch_1",
        payment_intent_id="pi_1",
        location_id="loc_1",
        amount=1000,
        currency="eur",
        status=status,
        gateway="stripe",
        created=datetime(2026, 1, 1, tzinfo=UTC),
        **fields,  # type: ignore[arg-type]
    )


OURS = {
    "type": "authorized",
    "network_status": "approved_by_network",
    "reason": None,
    "risk_level": "normal",
    "risk_score": 12,
    "rule": None,
    "seller_message": "Payment complete.",
}


def test_a_charge_made_before_assessment_is_not_assessed() -> None:
    outcome = charge_outcome(_charge(ChargeStatus.succeeded))
    assert (outcome["type"], outcome["risk_level"], outcome["risk_score"]) == (
        "authorized",
        "not_assessed",
        None,
    )


def test_an_issuer_decline_is_laid_over_our_authorization_keeping_the_risk() -> None:
    ch = _charge(ChargeStatus.failed, outcome=OURS, decline_code="insufficient_funds")
    outcome = charge_outcome(ch)
    assert (outcome["type"], outcome["reason"], outcome["risk_score"]) == (
        "issuer_declined",
        "insufficient_funds",
        12,
    )


def test_our_block_stays_a_block() -> None:
    blocked = OURS | {"type": "blocked", "reason": "rule", "rule": "rule_1"}
    ch = _charge(ChargeStatus.failed, outcome=blocked, decline_code="fraudulent")
    assert charge_outcome(ch)["type"] == "blocked"


def test_radars_block_on_stripe_is_shown_as_radar_said() -> None:
    radar = {
        "type": "blocked",
        "reason": "highest_risk_level",
        "risk_level": "highest",
        "risk_score": 91,
        "seller_message": "Stripe blocked this payment as too risky.",
    }
    ch = _charge(
        ChargeStatus.failed, outcome=OURS, risk={"gateway": radar}, decline_code="fraudulent"
    )
    outcome = charge_outcome(ch)
    assert (outcome["type"], outcome["reason"], outcome["risk_level"]) == (
        "blocked",
        "highest_risk_level",
        "highest",
    )
