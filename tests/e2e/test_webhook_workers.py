"""Three worker processes deliver webhooks from one PostgreSQL database to a real
receiver: every event arrives exactly once, none is lost, none is sent twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from payments.app.bootstrap import Container
from payments.customers.service import create_customer
from payments.kernel.clock import FrozenClock
from payments.kernel.context import SYSTEM
from payments.webhooks.service.endpoints import create_webhook_endpoint
from payments.webhooks.tables import webhook_deliveries
from support.receiver import running_receiver
from support.workers import worker_processes

pytestmark = pytest.mark.slow

EVENTS = 300
WORKERS = 3


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime.now(UTC))


async def _succeeded(container: Container) -> tuple[int, int]:
    d = webhook_deliveries
    async with container.engine.connect() as conn:
        row = (
            await conn.execute(
                sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(d.c.attempts), 0)).where(
                    d.c.status == "succeeded"
                )
            )
        ).one()
    return int(row[0]), int(row[1])


async def test_three_workers_deliver_every_event_exactly_once(
    container: Container, tmp_path
) -> None:
    if container.engine.dialect.name != "postgresql":
        pytest.skip("several worker processes on several machines means PostgreSQL")
    with running_receiver(latency=(0.0, 0.02)) as receiver:
        await create_webhook_endpoint(
            {"url": receiver.url, "enabled_events": ["customer.created"]},
            uow_factory=container.uow_factory,
            clock=container.clock,
            ctx=SYSTEM,
            allowed_hosts=frozenset({"127.0.0.1"}),
        )
        env = {"PAYMENTS_WEBHOOK_ALLOW_HTTP_HOSTS": "127.0.0.1", "PAYMENTS_WEBHOOK_BATCH_SIZE": "7"}
        with worker_processes(
            container.settings.database_url, WORKERS, extra_env=env, log_dir=tmp_path
        ):
            # events are written while the workers are already fanning out and sending
            for i in range(EVENTS):
                await create_customer(
                    {"name": f"Customer {i}"},
                    uow_factory=container.uow_factory,
                    clock=container.clock,
                    ctx=SYSTEM,
                )
            for _ in range(600):  # at most 2 minutes
                if (await _succeeded(container))[0] >= EVENTS:
                    break
                await asyncio.sleep(0.2)  # waiting for other processes, not for a schedule
            await asyncio.sleep(1.0)  # a late duplicate would arrive in this window
        counts = receiver.counts()
    logs = "\n".join(p.read_text()[-2000:] for p in tmp_path.glob("worker-*.log"))
    succeeded, attempts = await _succeeded(container)
    assert succeeded == EVENTS, logs
    assert attempts == EVENTS  # each delivery took exactly one attempt
    assert len(counts) == EVENTS
    assert set(counts.values()) == {1}, [k for k, v in counts.items() if v > 1]
    assert "Traceback" not in logs, logs
