"""The Stripe-style JSON of a location, for responses and event payloads alike."""

from __future__ import annotations

from typing import Any

from payments.kernel.clock import to_unix
from payments.locations.domain import Location


def location_object(loc: Location) -> dict[str, Any]:
    return {
        "id": loc.id,
        "object": "location",
        "name": loc.name,
        "address": loc.address,
        "default_currency": loc.default_currency,
        "currencies": loc.currencies,
        "timezone": loc.timezone,
        "payment_method_types": loc.payment_method_types,
        "legal_entity": loc.legal_entity_id,
        "metadata": loc.metadata,
        "created": to_unix(loc.created),
        "livemode": loc.livemode,
    }
