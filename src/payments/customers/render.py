"""The Stripe-style JSON of a customer, for responses and event payloads alike."""

from __future__ import annotations

from typing import Any

from payments.customers.domain import Customer, CustomerTaxId
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
        "tax_exempt": c.tax_exempt.value,
        "external_id": c.external_id,
        "test_clock": c.test_clock,
        "created": to_unix(c.created),
        "livemode": c.livemode,
    }


def tax_id_object(t: CustomerTaxId) -> dict[str, Any]:
    """Stripe's ``tax_id``; ``verification`` adds ``checked_at`` (unix) and ``source``
    (``offline`` or ``vies``) and ``reference`` (the VIES consultation number), the proof."""
    if t.deleted:
        return {"id": t.id, "object": "tax_id", "deleted": True}
    v = t.verification
    return {
        "id": t.id,
        "object": "tax_id",
        "country": t.country,
        "created": to_unix(t.created),
        "customer": t.customer_id,
        "livemode": t.livemode,
        "owner": {"type": "customer", "customer": t.customer_id},
        "type": t.type.value,
        "value": t.value,
        "verification": {
            "status": v.status.value,
            "verified_name": v.verified_name,
            "verified_address": v.verified_address,
            "checked_at": to_unix(v.checked_at) if v.checked_at else None,
            "source": v.source,
            "reference": v.reference,
        },
    }
