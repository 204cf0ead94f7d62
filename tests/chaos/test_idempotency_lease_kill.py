"""A server SIGKILLed while it holds an idempotency key does not block the key for long.

A real uvicorn server holds key K for a create+confirm whose charge the simulator
delays (a second server stands by, as behind a load balancer). While the holder lives, it renews its lease: a retry after more than one lease
term still gets 409 ``idempotency_key_in_use``. Then the whole server process group is
SIGKILLed; the integrator's retry with K, on the other server, takes the key over as soon
as the dead holder's lease lapses (here 2 s, by setting; 10 s by default: well within
15 s), and resumes the first run's PaymentIntent instead of creating a second one. The
recovery job then settles the charge in doubt: one intent, one charge at the gateway.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from datetime import timedelta
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
from payments.gateways.simulator.store import faults as sim_faults
from payments.intents.tables import gateway_attempts, payment_intents
from payments.kernel.access import Role
from support.chaos import settle_attempts
from support.server import server_process

pytestmark = pytest.mark.slow

LEASE_SECONDS = 2
LEASE_ENV = {
    "PAYMENTS_IDEMPOTENCY_LOCK_SECONDS": str(LEASE_SECONDS),
    "PAYMENTS_IDEMPOTENCY_LEASE_RENEW_SECONDS": "0.4",
}
HOLD_MS = 60_000  # the simulator holds the charge far longer than the test runs
WAIT = 30.0  # bound of every wait for a child process
START = {"startup_timeout": 120.0}  # a loaded machine starts a server slowly


async def _until(probe: Any, what: str) -> Any:
    deadline = time.monotonic() + WAIT
    while (found := await probe()) is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)  # a child process making progress
    return found


async def _started_attempt(container: Container) -> Any:
    async with container.engine.connect() as conn:
        row = (
            await conn.execute(
                sa.select(gateway_attempts).where(gateway_attempts.c.status == "started")
            )
        ).first()
    return row


async def _fault_taken(sim: SimulatorGateway, fault_id: int) -> bool | None:
    async with sim.store.transaction() as conn:
        left = (
            await conn.execute(sa.select(sim_faults.c.remaining).where(sim_faults.c.id == fault_id))
        ).scalar_one()
    return True if left == 0 else None


async def test_a_key_held_by_a_killed_server_is_taken_over_within_15_seconds(
    container: Container, tmp_path: Path
) -> None:
    sim = container.gateway
    assert isinstance(sim, SimulatorGateway)
    key = await create_api_key(
        role=Role.admin,
        name="lease",
        location_id=None,
        uow_factory=container.uow_factory,
        clock=container.clock,
    )
    auth = {"Authorization": f"Bearer {key.secret}"}
    workers = 2 if container.engine.dialect.name == "postgresql" else 1
    url = container.settings.database_url
    log = tmp_path / "server.log"
    with (
        server_process(url, workers=1, extra_env=LEASE_ENV, log_path=log, **START) as standby,
        server_process(url, workers=workers, extra_env=LEASE_ENV, log_path=log, **START) as server,
    ):
        async with httpx.AsyncClient(base_url=server.base_url, timeout=WAIT) as client:
            shop = await client.post(
                "/v1/locations",
                json={
                    "name": "Lease Shop",
                    "address": {"line1": "Torstrasse 1", "city": "Berlin", "country": "DE"},
                    "timezone": "Europe/Berlin",
                },
                headers=auth,
            )
            assert shop.status_code == 200, shop.text
            body = {
                "amount": 2_500,
                "location": shop.json()["id"],
                "payment_method": "pm_card_visa",
                "confirm": True,
            }
            headers = auth | {"Idempotency-Key": "till-3-sale-77"}
            fault = await sim.set_fault("latency", operation="charge", latency_ms=HOLD_MS)
            first = asyncio.create_task(
                client.post("/v1/payment_intents", json=body, headers=headers)
            )
            await _until(lambda: _started_attempt(container), "the attempt to be recorded")
            await _until(lambda: _fault_taken(sim, fault), "the charge call to start")

            # the holder lives: three lease terms later its key is still in use
            claimed = time.monotonic()
            while time.monotonic() - claimed < 3 * LEASE_SECONDS:
                busy = await client.post("/v1/payment_intents", json=body, headers=headers)
                assert busy.status_code == 409, busy.text
                assert busy.json()["error"]["code"] == "idempotency_key_in_use"
                await asyncio.sleep(0.5)  # the holder's renewals are real-time
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=WAIT)
            killed = time.monotonic()
            with pytest.raises(httpx.TransportError):
                await first
        # the load balancer sends the integrator's retries to the other server
        async with httpx.AsyncClient(base_url=standby.base_url, timeout=WAIT) as client:
            while True:  # the integrator's retry loop, same key
                retried = await client.post("/v1/payment_intents", json=body, headers=headers)
                if retried.status_code != 409:
                    break
                assert time.monotonic() - killed < 15, "the key stayed blocked"
                await asyncio.sleep(0.2)
            took_over = time.monotonic() - killed
    assert retried.status_code == 200, retried.text
    assert took_over < 15
    pi = retried.json()
    assert pi["status"] == "processing"  # the first run's charge is in doubt: not re-sent
    async with container.engine.connect() as conn:
        intents = (await conn.execute(sa.select(payment_intents.c.id))).scalars().all()
    assert intents == [pi["id"]]  # resumed, not created again

    await settle_attempts(container, ahead=timedelta(hours=1))
    async with container.engine.connect() as conn:
        status = (
            await conn.execute(
                sa.select(payment_intents.c.status).where(payment_intents.c.id == pi["id"])
            )
        ).scalar_one()
    async with sim.store.transaction() as conn:
        charged = [
            r
            for r in (await conn.execute(sa.select(sim_charges))).all()
            if r.meta.get("payment_intent") == pi["id"]
        ]
    assert status == "succeeded"
    assert [(c.status, c.amount_received) for c in charged] == [("succeeded", 2_500)]
    assert await verify_ledger(uow_factory=container.uow_factory) == []
