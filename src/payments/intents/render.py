"""The Stripe-style JSON of payment methods, charges and PaymentIntents, for HTTP
responses and event payloads alike (one renderer per object)."""

from __future__ import annotations

from typing import Any

from payments.intents.domain.model import Charge, PaymentIntent, PaymentMethod
from payments.intents.domain.setup_intent import SetupIntent
from payments.kernel.clock import to_unix


def payment_method_object(pm: PaymentMethod) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": pm.id,
        "object": "payment_method",
        "type": pm.type,
        "customer": pm.customer_id,
        "billing_details": pm.billing_details,
        "metadata": pm.metadata,
        "created": to_unix(pm.created),
        "livemode": pm.livemode,
    }
    obj[pm.type] = _shown(pm.details)
    return obj


# the simulator's hint for fraud prevention (Radar's test cards), never shown
_HIDDEN = frozenset({"test_risk"})


def _shown(details: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in details.items() if k not in _HIDDEN}


def _shown_method_details(details: dict[str, Any] | None) -> dict[str, Any] | None:
    card = (details or {}).get("card")
    if details is None or not isinstance(card, dict):
        return details
    return {**details, "card": _shown(card)}


_NOT_ASSESSED: dict[str, Any] = {
    "network_status": "approved_by_network",
    "reason": None,
    "risk_level": "not_assessed",
    "risk_score": None,
    "rule": None,
    "seller_message": "Payment complete.",
    "type": "authorized",
}


def charge_outcome(ch: Charge) -> dict[str, Any]:
    """Stripe's ``outcome``: the risk assessment's decision, with the issuer's decline laid
    over it when the gateway declined a payment the assessment let through."""
    outcome = {**_NOT_ASSESSED, **(ch.outcome or {})}
    gateway = (ch.risk or {}).get("gateway") or {}
    if ch.status == "failed" and gateway.get("type") == "blocked":  # the gateway's Radar blocked it
        outcome.update({k: v for k, v in gateway.items() if v is not None})
        return outcome
    if ch.status == "failed" and outcome["type"] != "blocked":
        outcome.update(
            type="issuer_declined",
            network_status="declined_by_network",
            reason=ch.decline_code,
            seller_message="The bank did not return any further details with this decline.",
        )
    return outcome


def charge_object(ch: Charge) -> dict[str, Any]:
    return {
        "id": ch.id,
        "object": "charge",
        "amount": ch.amount,
        "amount_captured": ch.amount_captured,
        "amount_refunded": ch.amount_refunded,
        "currency": ch.currency,
        "status": ch.status,
        "paid": ch.status == "succeeded",
        "captured": ch.captured,
        "refunded": ch.refunded,
        "disputed": ch.disputed,
        "payment_intent": ch.payment_intent_id,
        "customer": ch.customer_id,
        "location": ch.location_id,
        "payment_method": ch.payment_method_id,
        "payment_method_details": _shown_method_details(ch.payment_method_details),
        "failure_code": ch.failure_code,
        "failure_message": ch.failure_message,
        "outcome": charge_outcome(ch),
        "risk": ch.risk,
        "fee": ch.fee,
        "created": to_unix(ch.created),
        "livemode": ch.livemode,
    }


def payment_intent_object(pi: PaymentIntent, *, client_secret: bool = False) -> dict[str, Any]:
    """``client_secret`` only for API responses to keys that may act on payments (as
    Stripe shows it to secret keys); never in event payloads."""
    return {
        "id": pi.id,
        "object": "payment_intent",
        "client_secret": pi.client_secret if client_secret else None,
        "amount": pi.amount,
        "amount_capturable": pi.amount_capturable,
        "amount_received": pi.amount_received,
        "currency": pi.currency,
        "status": pi.status,
        "capture_method": pi.capture_method,
        "customer": pi.customer_id,
        "invoice": pi.invoice_id,
        "location": pi.location_id,
        "payment_method": pi.payment_method_id,
        "payment_method_types": pi.payment_method_types,
        "latest_charge": pi.latest_charge_id,
        "last_payment_error": pi.last_payment_error,
        "next_action": pi.next_action,
        "setup_future_usage": pi.setup_future_usage,
        "description": pi.description,
        "receipt_email": pi.receipt_email,
        "cancellation_reason": pi.cancellation_reason,
        "canceled_at": to_unix(pi.canceled_at) if pi.canceled_at else None,
        "metadata": pi.metadata,
        "created": to_unix(pi.created),
        "livemode": pi.livemode,
    }


def setup_intent_object(si: SetupIntent, *, client_secret: bool = False) -> dict[str, Any]:
    """Stripe's SetupIntent; ``client_secret`` only for API responses (as for intents)."""
    return {
        "id": si.id,
        "object": "setup_intent",
        "status": si.status.value,
        "customer": si.customer_id,
        "location": si.location_id,
        "payment_method": si.payment_method_id,
        "payment_method_types": si.payment_method_types,
        "usage": si.usage,
        "client_secret": si.client_secret if client_secret else None,
        "last_setup_error": si.last_setup_error,
        "next_action": si.next_action,
        "mandate": si.mandate,
        "cancellation_reason": si.cancellation_reason,
        "latest_attempt": si.latest_attempt_id,
        "metadata": si.metadata,
        "created": to_unix(si.created),
        "livemode": si.livemode,
    }
