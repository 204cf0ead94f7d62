"""Renewals by two real worker processes on PostgreSQL: every period invoiced and
charged once, whichever worker claims the subscription."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from payments.app.capabilities import verify_ledger
from payments.billing.tables import subscriptions
from payments.intents.tables import payment_intents
from payments.invoices.tables import invoices
from support.app import Api
from support.billing import billing_setup, ok
from support.workers import worker_processes

pytestmark = pytest.mark.slow

SUBSCRIPTIONS = 6


async def test_two_worker_processes_renew_each_period_exactly_once(api: Api, tmp_path: Any) -> None:
    if api.container.engine.dialect.name != "postgresql":
        pytest.skip("multi-process claims (SKIP LOCKED) are proven on PostgreSQL")
    admin, _shop, price, cus, _ = await billing_setup(api, with_clock=False)
    # created at the frozen 2026-01-15: months of renewals are due on the wall clock
    subs = [
        await ok(
            api,
            "/v1/subscriptions",
            admin,
            customer=cus["id"],
            items=[{"price": price["id"], "quantity": 1 + n}],
            default_payment_method="pm_card_visa",
        )
        for n in range(SUBSCRIPTIONS)
    ]
    wall = datetime.now(UTC)
    engine = api.container.engine
    with worker_processes(api.container.settings.database_url, 2, log_dir=tmp_path):
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            async with engine.connect() as conn:
                behind = (
                    await conn.execute(
                        sa.select(sa.func.count()).where(
                            subscriptions.c.current_period_end <= wall,
                        )
                    )
                ).scalar_one()
                pending = (
                    await conn.execute(
                        sa.select(
                            subscriptions.c.pending_invoice, subscriptions.c.charge_invoice_id
                        )
                    )
                ).all()
            busy = sum(1 for spec, charge in pending if spec is not None or charge is not None)
            if behind == 0 and busy == 0:
                break
            await asyncio.sleep(1)
        else:
            async with engine.connect() as conn:
                state = (
                    await conn.execute(
                        sa.select(
                            subscriptions.c.status,
                            subscriptions.c.current_period_end,
                            subscriptions.c.next_action_at,
                            subscriptions.c.lease_until,
                        )
                    )
                ).all()
            logs = "".join(p.read_text()[-2000:] for p in tmp_path.glob("worker-*.log"))
            raise AssertionError(f"{state}\n{logs}")
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(
                    invoices.c.subscription_id,
                    invoices.c.subscription_period,
                    invoices.c.status,
                    invoices.c.id,
                )
            )
        ).all()
        charged = (
            await conn.execute(
                sa.select(payment_intents.c.invoice_id, sa.func.count())
                .where(payment_intents.c.status == "succeeded")
                .group_by(payment_intents.c.invoice_id)
            )
        ).all()
    months = (wall.year - 2026) * 12 + wall.month - 1 - (1 if wall.day < 15 else 0)
    for sub in subs:
        periods = [r.subscription_period for r in rows if r.subscription_id == sub["id"]]
        assert len(periods) == len(set(periods)) == 1 + months
    assert {r.status for r in rows} == {"paid"}
    assert all(n == 1 for _, n in charged)
    assert len(charged) == len(rows)
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []
