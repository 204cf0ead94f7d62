"""The Stripe-shaped JSON of readers (``terminal.reader``) and connection tokens."""

from __future__ import annotations

from typing import Any

from payments.kernel.clock import to_unix
from payments.terminal.domain import ActionType, Reader, ReaderAction


def action_object(action: ReaderAction) -> dict[str, Any]:
    """Stripe's reader ``action``: type, status, failure and the type's own hash."""
    body: dict[str, Any]
    match action.type:
        case ActionType.process_payment_intent:
            body = {"payment_intent": action.payment_intent_id}
        case ActionType.refund_payment:
            body = {
                "amount": action.amount,
                "charge": action.charge_id,
                "payment_intent": action.payment_intent_id,
                "refund": action.refund_id,
                "reason": action.details.get("reason"),
                "metadata": {},
            }
        case ActionType.set_reader_display:
            body = {"type": "cart", "cart": action.details.get("cart")}
    return {
        "id": action.id,
        "type": action.type.value,
        "status": action.status.value,
        "failure_code": action.failure_code,
        "failure_message": action.failure_message,
        action.type.value: body,
    }


def reader_object(reader: Reader, action: ReaderAction | None) -> dict[str, Any]:
    return {
        "id": reader.id,
        "object": "terminal.reader",
        "action": action_object(action) if action is not None else None,
        "device_sw_version": None,
        "device_type": reader.device_type,
        "ip_address": None,
        "label": reader.label,
        "location": reader.location_id,
        "serial_number": reader.serial_number,
        "status": reader.status.value,
        "metadata": reader.metadata,
        "created": to_unix(reader.created),
        "livemode": reader.livemode,
    }


def connection_token_object(secret: str, location: str | None) -> dict[str, Any]:
    return {"object": "terminal.connection_token", "secret": secret, "location": location}
