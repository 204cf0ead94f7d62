"""The API shape of each object (Stripe style), used by HTTP responses and event payloads.

One renderer per object, so that ``GET /v1/customers/{id}`` and the
``data.object`` of ``customer.updated`` are the same document.
"""

from __future__ import annotations

from typing import Any

from payments.clock import to_unix
from payments.domain.customer import Customer
from payments.domain.events import Event
from payments.domain.location import Location


def location_object(loc: Location) -> dict[str, Any]:
    return {
        "id": loc.id,
        "object": "location",
        "name": loc.name,
        "address": loc.address,
        "default_currency": loc.default_currency,
        "timezone": loc.timezone,
        "payment_method_types": loc.payment_method_types,
        "metadata": loc.metadata,
        "created": to_unix(loc.created),
        "livemode": loc.livemode,
    }


def customer_object(c: Customer) -> dict[str, Any]:
    if c.deleted:
        return {"id": c.id, "object": "customer", "deleted": True}
    return {
        "id": c.id,
        "object": "customer",
        "name": c.name,
        "email": c.email,
        "phone": c.phone,
        "address": c.address,
        "preferred_locales": c.preferred_locales,
        "location": c.location_id,
        "metadata": c.metadata,
        "created": to_unix(c.created),
        "livemode": c.livemode,
    }


def event_object(e: Event) -> dict[str, Any]:
    return {
        "id": e.id,
        "object": "event",
        "type": e.type,
        "data": e.data,
        "created": to_unix(e.created),
        "livemode": e.livemode,
        "request": {"id": e.request_id, "idempotency_key": e.idempotency_key},
        "api_version": "2024-06-20",
    }


def list_object(url: str, data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {"object": "list", "url": url, "has_more": has_more, "data": data}
