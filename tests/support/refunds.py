"""Helpers for refund and dispute tests: a paid PaymentIntent, keys by role, a worker round."""

from __future__ import annotations

from typing import Any

import httpx
import sqlalchemy as sa

from payments.app.bootstrap import Container
from payments.app.capabilities import run_once, verify_ledger
from payments.gateway_events.tables import gateway_cursors
from payments.gateways.simulator import SimulatorGateway
from payments.gateways.simulator.events import format_cursor
from payments.gateways.simulator.store import events as simulator_events
from support.app import Api


async def skip_past_gateway_events(container: Container) -> None:
    """Start our event cursor at the simulator's newest event: its database outlives each
    test's tables, and earlier tests' events would otherwise be read first."""
    gateway: Any = container.gateway
    if not isinstance(gateway, SimulatorGateway):
        return  # another gateway's events are its own (the fake Stripe's start empty)
    async with gateway.store.transaction() as conn:
        newest = (await conn.execute(sa.select(sa.func.max(simulator_events.c.seq)))).scalar()
    async with container.engine.begin() as conn:
        await conn.execute(sa.delete(gateway_cursors))
        await conn.execute(
            gateway_cursors.insert().values(
                gateway=gateway.name,
                cursor=format_cursor(newest) if newest else None,
                updated=container.clock.now(),
            )
        )


async def shop(api: Api) -> tuple[dict[str, str], dict[str, Any]]:
    """An admin key and a shop (Berlin, EUR); the gateway's older events are skipped."""
    await skip_past_gateway_events(api.container)
    admin = await api.key("admin")
    return admin, await api.location(admin)


async def paid(
    api: Api,
    headers: dict[str, str],
    location: str,
    *,
    amount: int = 10000,
    method: str = "pm_card_visa",
    **fields: Any,
) -> dict[str, Any]:
    """A PaymentIntent paid (captured at once) with ``method``."""
    response = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": amount,
            "location": location,
            "payment_method": method,
            "confirm": True,
            **fields,
        },
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def refund(api: Api, headers: dict[str, str], **body: Any) -> httpx.Response:
    return await api.client.post("/v1/refunds", json=body, headers=headers)


async def charge_of(api: Api, headers: dict[str, str], pi: dict[str, Any]) -> dict[str, Any]:
    response = await api.client.get(f"/v1/charges/{pi['latest_charge']}", headers=headers)
    return response.json()  # type: ignore[no-any-return]


async def ledger_kinds(api: Api, headers: dict[str, str], source: str) -> list[str]:
    response = await api.client.get(
        "/v1/ledger/transactions", params={"source": source, "limit": 100}, headers=headers
    )
    return sorted(t["kind"] for t in response.json()["data"])


async def event_types(api: Api, headers: dict[str, str]) -> list[str]:
    response = await api.client.get("/v1/events", params={"limit": 100}, headers=headers)
    return [e["type"] for e in response.json()["data"]]


async def poll_gateway(container: Container) -> int:
    """Run the gateway event poller until it is idle, as a worker would; events handled."""
    handled = 0
    while n := (await run_once(container, only={"poll_gateway_events"}))["poll_gateway_events"]:
        handled += n
    return handled


async def verified(api: Api) -> None:
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []
