"""The Stripe-style JSON of a location, for responses and event payloads alike."""

from __future__ import annotations

from typing import Any

from payments.kernel.clock import to_unix
from payments.locations.domain import Location
from payments.locations.domain.sync import API_NAMES


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
        "active": loc.active,
        "external_id": loc.external_id,
        "price_list": loc.price_list,
        "tax_region": loc.tax_region,
        # the fields set through our API that a sync from the Locations Service keeps
        "overrides": {API_NAMES[f]: _value(loc, f) for f in loc.overridden},
        "metadata": loc.metadata,
        "created": to_unix(loc.created),
        "livemode": loc.livemode,
    }


def _value(loc: Location, field: str) -> Any:
    value = getattr(loc, field)
    return list(value) if isinstance(value, list) else value
