"""The Stripe-style JSON of an event."""

from __future__ import annotations

from typing import Any

from payments.events.domain import Event
from payments.kernel.clock import to_unix
from payments.kernel.version import API_VERSION


def event_object(e: Event) -> dict[str, Any]:
    return {
        "id": e.id,
        "object": "event",
        "type": e.type,
        "data": e.data,
        "created": to_unix(e.created),
        "livemode": e.livemode,
        "request": {"id": e.request_id, "idempotency_key": e.idempotency_key},
        "api_version": API_VERSION,
    }
