"""Fraud prevention's test helpers: a shop with an admin key, and a confirmed payment."""

from __future__ import annotations

from typing import Any

import httpx

from .app import Api


async def admin_and_shop(api: Api) -> tuple[dict[str, str], dict[str, Any]]:
    admin = await api.key("admin")
    return admin, await api.location(admin)


async def pay(
    api: Api, headers: dict[str, str], shop: dict[str, Any], pm: str, **extra: Any
) -> httpx.Response:
    """A PaymentIntent of 49.99 created and confirmed with ``pm`` (``extra``: more fields)."""
    return await api.client.post(
        "/v1/payment_intents",
        json={"amount": 4999, "location": shop["id"], "payment_method": pm, "confirm": True}
        | extra,
        headers=headers,
    )
