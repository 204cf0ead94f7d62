"""The Stripe-style JSON of a customer, for responses and event payloads alike."""

from __future__ import annotations

from typing import Any

from payments.customers.domain import Customer
from payments.kernel.clock import to_unix


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
