"""The JSON of a part, for responses and event payloads alike."""

from __future__ import annotations

from typing import Any

from payments.kernel.clock import to_unix
from payments.parts.domain import Part


def part_object(p: Part) -> dict[str, Any]:
    return {
        "id": p.id,
        "object": "part",
        "sku": p.sku,
        "description": p.description,
        "unit_amount": p.unit_amount,
        "currency": p.currency,
        "tax_category": p.tax_category,
        "active": p.active,
        "metadata": dict(p.metadata),
        "created": to_unix(p.created),
        "updated": to_unix(p.updated),
        "livemode": False,
    }
