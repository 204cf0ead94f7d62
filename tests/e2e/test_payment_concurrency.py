"""Many simultaneous confirms (or captures) of ONE PaymentIntent, spread over two uvicorn
server processes on PostgreSQL through real sockets, move money exactly once: one
request wins, every other is refused with ``payment_intent_unexpected_state``.

The winner's gateway call is held by a latency fault so that the others arrive while it
is in flight (refused because an attempt is open) as well as after it (refused by the
intent's status).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from payments.apikeys.service import create_api_key
from payments.app.bootstrap import Container
from payments.app.capabilities import verify_ledger
from payments.gateways.simulator import SimulatorGateway
from payments.gateways.simulator.store import charges as sim_charges
from payments.gateways.simulator.store import events as sim_events
from payments.intents.repository import ChargeRepository
from payments.kernel.access import Role
from payments.ledger.tables import ledger_transactions
from support.server import running_server

pytestmark = pytest.mark.slow

REQUESTS = 24
LATENCY_MS = 300


@pytest.fixture
def servers(container: Container, tmp_path: Path) -> Iterator[list[str]]:
    """Two independent server processes (each its own uvicorn) on one PostgreSQL database."""
    if container.engine.dialect.name != "postgresql":
        pytest.skip("multi-process payment concurrency is proven on PostgreSQL")
    with ExitStack() as stack:
        yield [
            stack.enter_context(
                running_server(
                    container.settings.database_url,
                    workers=1,
                    log_path=tmp_path / f"server-{n}.log",
                )
            )
            for n in range(2)
        ]


async def _fire(
    servers: list[str], path: str, headers: dict[str, str], n: int = REQUESTS
) -> list[httpx.Response]:
    """``n`` POSTs at once, alternating between the servers, each on its own connection."""
    clients = [
        httpx.AsyncClient(base_url=base, timeout=30, limits=httpx.Limits(max_connections=n))
        for base in servers
    ]
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [
                group.create_task(clients[i % len(clients)].post(path, headers=headers))
                for i in range(n)
            ]
        return [t.result() for t in tasks]
    finally:
        for client in clients:
            await client.aclose()


def _one_winner(responses: list[httpx.Response], status: str) -> dict[str, Any]:
    won = [r for r in responses if r.status_code == 200]
    lost = [r for r in responses if r.status_code != 200]
    assert len(won) == 1, [(r.status_code, r.text[:120]) for r in responses]
    assert won[0].json()["status"] == status
    assert {r.status_code for r in lost} == {400}, [r.text for r in lost]
    assert {r.json()["error"]["code"] for r in lost} == {"payment_intent_unexpected_state"}
    return won[0].json()  # type: ignore[no-any-return]


async def _sim_charges(sim: SimulatorGateway, pi_id: str) -> list[Any]:
    async with sim.store.transaction() as conn:
        rows = (await conn.execute(sa.select(sim_charges))).all()
    return [r for r in rows if r.meta.get("payment_intent") == pi_id]


async def _sim_events(sim: SimulatorGateway, reference: str, event_type: str) -> int:
    async with sim.store.transaction() as conn:
        rows = (
            await conn.execute(sa.select(sim_events.c.data).where(sim_events.c.type == event_type))
        ).all()
    return sum(1 for (data,) in rows if (data.get("charge") or {}).get("reference") == reference)


async def _postings(container: Container, charge_id: str) -> list[str]:
    async with container.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(ledger_transactions.c.kind).where(
                ledger_transactions.c.source_id == charge_id
            )
        )
        return sorted(kind for (kind,) in rows.all())


async def _setup(container: Container, base: str) -> tuple[dict[str, str], str]:
    key = await create_api_key(
        role=Role.admin,
        name="concurrency",
        location_id=None,
        uow_factory=container.uow_factory,
        clock=container.clock,
    )
    headers = {"Authorization": f"Bearer {key.secret}"}
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        shop = await client.post(
            "/v1/locations",
            json={
                "name": "Busy Shop",
                "address": {"line1": "Torstrasse 1", "city": "Berlin", "country": "DE"},
                "timezone": "Europe/Berlin",
            },
            headers=headers,
        )
    assert shop.status_code == 200, shop.text
    return headers, shop.json()["id"]


async def _create(base: str, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        created = await client.post("/v1/payment_intents", json=fields, headers=headers)
    assert created.status_code == 200, created.text
    return created.json()  # type: ignore[no-any-return]


async def test_simultaneous_confirms_of_one_intent_charge_once(
    container: Container, servers: list[str]
) -> None:
    sim = container.gateway
    assert isinstance(sim, SimulatorGateway)
    headers, shop = await _setup(container, servers[0])
    pi = await _create(
        servers[0], headers, amount=7_500, location=shop, payment_method="pm_card_visa"
    )
    assert pi["status"] == "requires_confirmation"
    await sim.set_fault("latency", operation="charge", latency_ms=LATENCY_MS)

    responses = await _fire(servers, f"/v1/payment_intents/{pi['id']}/confirm", headers)

    won = _one_winner(responses, "succeeded")
    [charged] = await _sim_charges(sim, pi["id"])
    assert (charged.status, charged.amount_received) == ("succeeded", 7_500)
    async with container.uow_factory() as uow:
        ours = await uow.repo(ChargeRepository).find(
            uow.repo(ChargeRepository).table.c.payment_intent_id == pi["id"]
        )
    assert [(c.id, c.status, c.gateway_ref) for c in ours] == [
        (won["latest_charge"], "succeeded", charged.id)
    ]
    assert await _postings(container, ours[0].id) == ["charge.fee", "charge.succeeded"]
    assert await verify_ledger(uow_factory=container.uow_factory) == []


async def test_simultaneous_captures_of_one_authorization_capture_once(
    container: Container, servers: list[str]
) -> None:
    sim = container.gateway
    assert isinstance(sim, SimulatorGateway)
    headers, shop = await _setup(container, servers[0])
    pi = await _create(
        servers[1],
        headers,
        amount=30_000,
        location=shop,
        payment_method="pm_card_mastercard",
        capture_method="manual",
        confirm=True,
    )
    assert pi["status"] == "requires_capture"
    await sim.set_fault("latency", operation="capture", latency_ms=LATENCY_MS)

    responses = await _fire(servers, f"/v1/payment_intents/{pi['id']}/capture", headers)

    won = _one_winner(responses, "succeeded")
    assert won["amount_received"] == 30_000
    [charged] = await _sim_charges(sim, pi["id"])
    assert (charged.status, charged.amount_received) == ("succeeded", 30_000)
    assert await _sim_events(sim, charged.id, "charge.captured") == 1
    assert await _postings(container, won["latest_charge"]) == [
        "charge.authorized",
        "charge.captured",
        "charge.fee",
    ]
    assert await verify_ledger(uow_factory=container.uow_factory) == []
