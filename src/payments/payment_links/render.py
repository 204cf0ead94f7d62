"""The JSON of a payment link (Stripe's ``payment_link`` object, scoped to an invoice)."""

from __future__ import annotations

from typing import Any

from payments.kernel.clock import to_unix
from payments.payment_links.domain import PaymentLink


def payment_link_object(link: PaymentLink, url: str | None = None) -> dict[str, Any]:
    return {
        "id": link.id,
        "object": "payment_link",
        "active": link.active,
        "url": url,
        "invoice": link.invoice_id,
        "share": link.share_id,
        "customer": link.customer_id,
        "location": link.location_id,
        "amount": link.amount,
        "currency": link.currency,
        "expires_at": to_unix(link.expires_at),
        "deactivated_at": to_unix(link.deactivated_at) if link.deactivated_at else None,
        "created": to_unix(link.created),
        "livemode": link.livemode,
        "metadata": link.metadata,
    }
