"""The server process dies while a charge is in flight at the gateway; recovery settles it.

A real uvicorn server (PostgreSQL: two processes; SQLite: one) confirms a PaymentIntent
while the simulator holds the charge call with a latency fault. Once our attempt row is
``started`` and the fault has been consumed (the call is in flight), the whole server
process group gets SIGKILL. The recovery then repeats the call with the attempt's
idempotency key, either in this process with a clock past ``recovery_stale_seconds`` or
in a real ``payments worker`` process: the customer is charged exactly once, and our
charge, intent and ledger agree with the gateway.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import sqlalchemy as sa

from payments.apikeys.service import create_api_key
from payments.app.bootstrap import Container
from payments.app.capabilities import verify_ledger
from payments.gateways.simulator import SimulatorGateway
from payments.gateways.simulator.store import charges as sim_charges
from payments.gateways.simulator.store import faults as sim_faults
from payments.intents.repository import ChargeRepository
from payments.intents.service.recovery import recover_attempts
from payments.intents.tables import gateway_attempts, payment_intents
from payments.kernel.access import Role
from payments.kernel.clock import FrozenClock
from support.server import server_process

pytestmark = pytest.mark.slow

T = TypeVar("T")
LATENCY_MS = 8_000  # how long the simulator holds the charge: the kill lands well inside it
WAIT = 20.0  # bound of every wait for a child process


async def _eventually(probe: Callable[[], Awaitable[T | None]], what: str) -> T:
    """Poll ``probe`` until it returns something (a child process is making progress)."""
    deadline = time.monotonic() + WAIT
    while True:
        found = await probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def _attempt(container: Container, pi_id: str) -> Any:
    async with container.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(gateway_attempts).where(gateway_attempts.c.payment_intent_id == pi_id)
        )
        found = rows.all()
    assert len(found) <= 1, found
    return found[0] if found else None


async def _intent_status(container: Container, pi_id: str) -> str:
    async with container.engine.connect() as conn:
        return str(
            (
                await conn.execute(
                    sa.select(payment_intents.c.status).where(payment_intents.c.id == pi_id)
                )
            ).scalar_one()
        )


async def _sim_charges(sim: SimulatorGateway, pi_id: str) -> list[Any]:
    async with sim.store.transaction() as conn:
        rows = (await conn.execute(sa.select(sim_charges))).all()
    return [r for r in rows if r.meta.get("payment_intent") == pi_id]


async def _fault_consumed(sim: SimulatorGateway, fault_id: int) -> bool | None:
    async with sim.store.transaction() as conn:
        remaining = (
            await conn.execute(sa.select(sim_faults.c.remaining).where(sim_faults.c.id == fault_id))
        ).scalar_one()
    return True if remaining == 0 else None


def _run_worker(database_url: str, log_path: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "PAYMENTS_DATABASE_URL": database_url,
        "PAYMENTS_RECOVERY_STALE_SECONDS": "1",
        "PAYMENTS_LOG_LEVEL": "WARNING",
        "PAYMENTS_RATE_LIMIT_PER_SECOND": "0",
    }
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "payments.app.cli", "worker"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.parametrize("recovery", ["in_process", "worker_process"])
async def test_a_server_killed_mid_charge_is_recovered_with_exactly_one_charge(
    container: Container, tmp_path: Path, recovery: str
) -> None:
    settings = container.settings
    sim = container.gateway
    assert isinstance(sim, SimulatorGateway)  # on the server's simulator database
    key = await create_api_key(
        role=Role.admin,
        name="crash",
        location_id=None,
        uow_factory=container.uow_factory,
        clock=container.clock,
    )
    headers = {"Authorization": f"Bearer {key.secret}"}
    workers = 2 if container.engine.dialect.name == "postgresql" else 1
    with server_process(
        settings.database_url, workers=workers, log_path=tmp_path / "server.log"
    ) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=WAIT) as client:
            shop = await client.post(
                "/v1/locations",
                json={
                    "name": "Crash Shop",
                    "address": {"line1": "Torstrasse 1", "city": "Berlin", "country": "DE"},
                    "timezone": "Europe/Berlin",
                },
                headers=headers,
            )
            assert shop.status_code == 200, shop.text
            pi = await client.post(
                "/v1/payment_intents",
                json={
                    "amount": 12_345,
                    "location": shop.json()["id"],
                    "payment_method": "pm_card_visa",
                },
                headers=headers,
            )
            assert pi.status_code == 200, pi.text
            pi_id = pi.json()["id"]
            fault = await sim.set_fault("latency", operation="charge", latency_ms=LATENCY_MS)
            started_at = datetime.now(UTC)
            confirm = asyncio.create_task(
                client.post(f"/v1/payment_intents/{pi_id}/confirm", headers=headers)
            )

            async def started() -> Any:
                attempt = await _attempt(container, pi_id)
                return attempt if attempt is not None and attempt.status == "started" else None

            attempt = await _eventually(started, "the attempt to be recorded")
            await _eventually(lambda: _fault_consumed(sim, fault), "the charge call to start")
            os.killpg(server.process.pid, signal.SIGKILL)  # mid-call: the gateway is sleeping
            server.process.wait(timeout=WAIT)
            with pytest.raises(httpx.TransportError):
                await confirm
        killed_after = datetime.now(UTC) - started_at
    assert killed_after < timedelta(milliseconds=LATENCY_MS), "the kill came too late"

    # the crash left the call unanswered: nothing processed, nothing settled
    assert await _sim_charges(sim, pi_id) == []
    assert (await _attempt(container, pi_id)).status == "started"
    assert await _intent_status(container, pi_id) == "processing"

    if recovery == "in_process":
        later = FrozenClock(
            attempt.created + timedelta(seconds=settings.recovery_stale_seconds + 1)
        )
        async with SimulatorGateway(settings.resolved_simulator_database_url, clock=later) as gw:
            recovered = await recover_attempts(
                uow_factory=container.uow_factory,
                gateway=gw,
                clock=later,
                stale_after=timedelta(seconds=settings.recovery_stale_seconds),
            )
        assert recovered == 1
    else:
        worker = _run_worker(settings.database_url, tmp_path / "worker.log")
        try:

            async def succeeded() -> bool | None:
                if worker.poll() is not None:
                    raise AssertionError(f"the worker exited with {worker.returncode}")
                return True if await _intent_status(container, pi_id) == "succeeded" else None

            await _eventually(succeeded, "the worker to recover the attempt")
        finally:
            _stop(worker)

    [charged] = await _sim_charges(sim, pi_id)
    assert (charged.status, charged.amount_received) == ("succeeded", 12_345)
    assert await _intent_status(container, pi_id) == "succeeded"
    settled = await _attempt(container, pi_id)
    assert settled.status == "done" and settled.result["reference"] == charged.id
    async with container.uow_factory() as uow:
        ours = await uow.repo(ChargeRepository).get(settled.charge_id)
    assert ours is not None
    assert (ours.status, ours.captured, ours.gateway_ref) == ("succeeded", True, charged.id)
    assert await verify_ledger(uow_factory=container.uow_factory) == []
