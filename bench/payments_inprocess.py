#!/usr/bin/env python3
"""CPU time and SQL statements per confirmed payment, in one process.

The ASGI app and an ``httpx.AsyncClient`` on ``httpx.ASGITransport`` in this process,
against a fresh PostgreSQL database (created, migrated and dropped as in
``payments_bench.py``), with the simulator gateway: ``--warmup`` payments, then
``--payments`` create + confirm requests one after another. Prints ONE JSON line with
the process's CPU ms per payment (client included) and the statements per payment
(counted in this process). Steadier than the end-to-end benchmark on a loaded machine,
and what to run under ``py-spy record`` to profile the request path.

    .venv/bin/python bench/payments_inprocess.py --payments 400
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import httpx
import payments_bench as pb


async def _drive(args: argparse.Namespace, secret: str) -> dict[str, object]:
    from payments.app.http import create_app
    from payments.platform.config import load_settings
    from payments.platform.db.engine import STATEMENTS
    from payments.platform.logs import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
    headers = {"Authorization": f"Bearer {secret}"}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as client,
    ):
        shop = await client.post("/v1/locations", json=pb.SHOP)
        body = {
            "amount": 2599,
            "location": shop.json()["id"],
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
        for _ in range(args.warmup):
            await client.post("/v1/payment_intents", json=body)
        before = dict(STATEMENTS)
        statements = sum(STATEMENTS.values()) - STATEMENTS["<transactions>"]
        started = time.process_time()
        ok = 0
        for _ in range(args.payments):
            response = await client.post("/v1/payment_intents", json=body)
            ok += response.status_code == 200 and response.json()["status"] == "succeeded"
        cpu = time.process_time() - started
        statements = sum(STATEMENTS.values()) - STATEMENTS["<transactions>"] - statements
        transactions = STATEMENTS["<transactions>"] - before.get("<transactions>", 0)
    result: dict[str, object] = {
        "payments": ok,
        "cpu_ms_per_payment": round(cpu * 1000 / args.payments, 2),
        "sql_statements_per_payment": round(statements / args.payments, 2),
        "sql_transactions_per_payment": round(transactions / args.payments, 2),
    }
    if args.statements:
        per = {k: (v - before.get(k, 0)) / args.payments for k, v in STATEMENTS.items()}
        result["statements"] = {
            k: round(v, 2) for k, v in sorted(per.items(), key=lambda kv: -kv[1]) if v
        }
    return result


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--payments", type=int, default=400, help="measured payments (400)")
    p.add_argument("--warmup", type=int, default=50, help="payments first, unmeasured (50)")
    p.add_argument("--statements", action="store_true", help="print statements per payment")
    p.add_argument("--admin-url", default=pb.DEFAULT_ADMIN_URL, help="PostgreSQL server")
    args = p.parse_args()
    load = pb.load_average()
    with pb.fresh_database(args.admin_url, keep=False) as database_url:
        if pb._cli(database_url, "migrate").returncode != 0:
            return 1
        created = pb._cli(database_url, "apikeys", "create", "--role", "admin", "--name", "b")
        secret = created.stdout.strip().splitlines()[-1]
        counts = tempfile.mkdtemp(prefix="payments_inprocess_")
        os.environ.update(pb._env(database_url, PAYMENTS_BENCH_STATEMENT_COUNTS_DIR=counts))
        result = pb._run(_drive(args, secret))
        shutil.rmtree(counts, ignore_errors=True)
    result["load_average"] = f"{load} -> {pb.load_average()}"
    print(json.dumps(result), flush=True)
    return 0 if result["payments"] == args.payments else 1


if __name__ == "__main__":
    sys.exit(main())
