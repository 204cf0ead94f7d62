"""Time a year of monthly renewals on a test clock: N subscriptions, one advance.

In one process, against a fresh database (SQLite by default, ``--postgres`` for a fresh
PostgreSQL database), with the simulator gateway:

1. migrates, creates an admin key, a seller and its shop, a monthly 9.90 EUR price,
   a test clock, and ``--subscriptions`` customers on that clock, each subscribed
   (10 x 9.90 EUR, ``pm_card_visa``; the first invoice is made and charged at creation);
2. advances the clock by ``--days`` (default 366: 12 monthly renewals each), timed:
   every renewal is a real invoice of the invoices service (VAT, number, posting),
   charged off-session through a PaymentIntent at the simulator;
3. checks that every subscription has 1 + 12 paid invoices and that
   ``payments ledger verify`` finds nothing, and prints ONE JSON line.

Usage::

    .venv/bin/python bench/billing_bench.py                      # 1000 subscriptions
    .venv/bin/python bench/billing_bench.py --subscriptions 100 --postgres
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from payments.app.bootstrap import build_container
from payments.app.capabilities import verify_ledger
from payments.app.http import create_app
from payments.invoices.tables import invoices
from payments.kernel.clock import FrozenClock
from payments.platform.db import migrate
from support.app import Api, make_settings
from support.invoices import ADA, SELLERS, SHOPS

START = int(datetime(2026, 1, 15, 9, 0, tzinfo=UTC).timestamp())
DAY = 86400


async def run(url: str, subscriptions: int, days: int) -> dict[str, Any]:
    await migrate.upgrade_async(url)
    # no request time limit: one advance runs every renewal of the year (the API's 60 s
    # limit would answer 503 while the advance goes on)
    settings = make_settings(url, request_timeout_seconds=0)
    container = build_container(settings, clock=FrozenClock())
    await container.prepare()
    app = create_app(container.settings, container=container, embedded=False)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=None) as client,
    ):
        api = Api(client=client, container=container)
        admin = await api.key("admin")

        async def ok(path: str, **body: Any) -> dict[str, Any]:
            response = await client.post(path, json=body, headers=admin)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code} {response.text}")
            return response.json()  # type: ignore[no-any-return]

        entity = await ok("/v1/legal_entities", **SELLERS["DE"])
        shop = await ok("/v1/locations", **SHOPS["DE"], legal_entity=entity["id"])
        product = await ok("/v1/products", name="Laptop maintenance")
        price = await ok(
            "/v1/prices",
            product=product["id"],
            currency="eur",
            unit_amount=990,
            recurring={"interval": "month"},
        )
        clock = await ok("/v1/test_helpers/test_clocks", frozen_time=START)
        setup_started = time.perf_counter()
        for _ in range(subscriptions):
            cus = await ok("/v1/customers", **ADA, location=shop["id"], test_clock=clock["id"])
            await ok(
                "/v1/subscriptions",
                customer=cus["id"],
                items=[{"price": price["id"], "quantity": 10}],
                default_payment_method="pm_card_visa",
            )
        setup_s = time.perf_counter() - setup_started
        load_before = os.getloadavg()[0]
        started, cpu_started = time.perf_counter(), time.process_time()
        done = await ok(
            f"/v1/test_helpers/test_clocks/{clock['id']}/advance",
            frozen_time=START + days * DAY,
        )
        advance_s = time.perf_counter() - started
        advance_cpu_s = time.process_time() - cpu_started  # every thread of this process
        load_after = os.getloadavg()[0]
    async with container.engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(invoices.c.status, sa.func.count()).group_by(invoices.c.status)
            )
        ).all()
    by_status = {str(status): int(n) for status, n in rows}
    problems = await verify_ledger(uow_factory=container.uow_factory)
    await container.close()
    renewals = by_status.get("paid", 0) - subscriptions
    return {
        "bench": "billing_test_clock_year",
        "database": url.split(":", 1)[0],
        "subscriptions": subscriptions,
        "days": days,
        "clock_status": done["status"],
        "renewals": renewals,
        "invoices": by_status,
        "setup_s": round(setup_s, 1),
        "advance_s": round(advance_s, 1),
        "renewals_per_s": round(renewals / advance_s, 1) if advance_s else None,
        "ms_per_renewal": round(1000 * advance_s / renewals, 1) if renewals else None,
        # CPU time of this process (all its threads: the event loop, the database driver's
        # thread, the simulator) during the advance: less sensitive to the machine's load
        "advance_cpu_s": round(advance_cpu_s, 1),
        "cpu_ms_per_renewal": round(1000 * advance_cpu_s / renewals, 1) if renewals else None,
        "load_average_1m": [round(load_before, 2), round(load_after, 2)],
        "ledger_problems": len(problems),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--days", type=int, default=366)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    if args.postgres:
        name = f"billing_bench_{uuid.uuid4().hex[:8]}"

        async def admin(sql: str) -> None:
            conn = await asyncpg.connect(args.admin_url)
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        asyncio.run(admin(f"CREATE DATABASE {name}"))
        base = args.admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        url = f"{base}/{name}"
        try:
            result = asyncio.run(run(url, args.subscriptions, args.days))
        finally:
            asyncio.run(admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
            result = asyncio.run(run(url, args.subscriptions, args.days))
    print(json.dumps(result))
    unpaid = sum(n for status, n in result["invoices"].items() if status != "paid")
    return 0 if result["ledger_problems"] == 0 and unpaid == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
