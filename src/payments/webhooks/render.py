"""The API shape of webhook endpoints and deliveries (Stripe style).

Kept beside :mod:`payments.services.objects`; the endpoint renderer is also the
``data.object`` of ``webhook_endpoint.*`` events. Neither ever includes a secret:
the signing secret is added to the create and rotate responses alone.
"""

from __future__ import annotations

from typing import Any

from payments.kernel.clock import to_unix
from payments.webhooks.domain.delivery import WebhookDelivery
from payments.webhooks.domain.endpoint import WebhookEndpoint


def webhook_endpoint_object(ep: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": ep.id,
        "object": "webhook_endpoint",
        "url": ep.url,
        "enabled_events": ep.enabled_events,
        "description": ep.description,
        "metadata": ep.metadata,
        "status": ep.status.value,
        "location": ep.location_id,
        "created": to_unix(ep.created),
        "livemode": ep.livemode,
    }


def deleted_webhook_endpoint_object(ep: WebhookEndpoint) -> dict[str, Any]:
    return {"id": ep.id, "object": "webhook_endpoint", "deleted": True}


def webhook_delivery_object(d: WebhookDelivery) -> dict[str, Any]:
    error = {"code": d.error_code, "message": d.error_message} if d.error_code else None
    return {
        "id": d.id,
        "object": "webhook_delivery",
        "webhook_endpoint": d.endpoint_id,
        "event": d.event_id,
        "event_type": d.event_type,
        "status": d.status.value,
        "attempts": d.attempts,
        "redelivery": d.sequence > 0,
        "last_response": {
            "status_code": d.response_status,
            "latency_ms": d.latency_ms,
            "body": d.response_body,
        }
        if d.attempts
        else None,
        "last_error": error,
        "created": to_unix(d.created),
        "last_attempt_at": to_unix(d.last_attempt_at) if d.last_attempt_at else None,
        "next_attempt_at": to_unix(d.next_attempt_at) if d.next_attempt_at else None,
    }
