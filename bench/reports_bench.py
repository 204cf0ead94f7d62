"""Reports at scale: generate payments, refunds and invoices into a fresh PostgreSQL
database, then time the synchronous reports and a report run of every payment.

1. creates ``reports_bench_<random>`` and migrates it;
2. generates, server-side with ``generate_series`` (``--scale`` multiplies the issue's
   volume: 1,000,000 payments with their charges, 100,000 refunds, 200,000 invoices),
   spread over the 24 months ending 2026-09-30, across 40 shops and 6 currencies (EUR,
   PLN, SEK, CHF, CZK, DKK), 5 % of the charges declined; then ``ANALYZE``;
3. times, in process through the ASGI app (httpx ``ASGITransport``: the whole stack but
   the socket), ``--repeat`` calls each of ``GET /v1/reports/summary`` for one month and
   for 12 months grouped by shop and method, and ``GET /v1/reports/vat`` for a quarter;
4. runs ``payments reports run payments.itemized`` over the 24 months (every captured
   payment) as a subprocess and reports its wall time and peak RSS, and the same for
   one month, to show memory does not grow with the rows;
5. prints ONE JSON line, and drops the database (``--keep-db`` keeps it).

    .venv/bin/python bench/reports_bench.py                 # the issue's volume
    .venv/bin/python bench/reports_bench.py --scale 0.1     # a tenth of it
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

ADMIN_URL = os.environ.get(
    "PAYMENTS_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
START = "2024-10-01"
END = "2026-09-30"

GENERATE = [
    # one seller, 40 shops in 6 currencies, 10,000 customers
    """INSERT INTO legal_entities (id, legal_name, address, iban, invoice_prefix,
         invoice_number_pattern, credit_note_number_pattern, retention_years, metadata,
         livemode, created)
       VALUES ('le_bench', 'MyComputer Bench GmbH', '{"country": "DE"}', 'DE89370400440532013000',
         'B', '{prefix}-{year}-{number:06}', '{prefix}-CN-{year}-{number:06}', 10, '{}', false, now())""",
    """INSERT INTO locations (id, name, address, country, default_currency, timezone,
         payment_method_types, currencies, metadata, livemode, created, legal_entity_id)
       SELECT 'loc_' || lpad(i::text, 26, '0'), 'Shop ' || i, '{"country": "DE"}', 'DE',
         (ARRAY['eur','pln','sek','chf','czk','dkk'])[1 + i % 6], 'Europe/Berlin',
         '["card"]', '["eur"]', '{}', false, now(), 'le_bench'
       FROM generate_series(0, 39) AS i""",
    """INSERT INTO customers (id, name, email, address, preferred_locales, metadata,
         livemode, created, tax_exempt)
       SELECT 'cus_' || lpad(i::text, 26, '0'), NULL, NULL, NULL,  -- personal data is
         '[]', '{}', false, now(), 'none'                          -- encrypted: left out
       FROM generate_series(0, 9999) AS i""",
    # payments: created spread evenly over the 24 months
    """INSERT INTO payment_intents (id, location_id, customer_id, amount, currency, status,
         capture_method, payment_method_types, amount_capturable, amount_received,
         latest_charge_id, metadata, livemode, created)
       SELECT 'pi_' || lpad(i::text, 26, '0'), 'loc_' || lpad((i % 40)::text, 26, '0'),
         'cus_' || lpad((i % 10000)::text, 26, '0'), 1000 + (i * 37) % 90000,
         (ARRAY['eur','pln','sek','chf','czk','dkk'])[1 + (i % 40) % 6],
         CASE WHEN (i / 40) % 20 = 7 THEN 'requires_payment_method' ELSE 'succeeded' END,
         'automatic', '["card"]', 0,
         CASE WHEN (i / 40) % 20 = 7 THEN 0 ELSE 1000 + (i * 37) % 90000 END,
         'ch_' || lpad(i::text, 26, '0'), '{}', false,
         CAST(:start_ts AS timestamptz) + (i::float8 / CAST(:n AS int)) * (CAST(:end_ts AS timestamptz) - CAST(:start_ts AS timestamptz))
       FROM generate_series(0, CAST(:n AS int) - 1) AS i""",
    """INSERT INTO charges (id, payment_intent_id, location_id, customer_id, amount, currency,
         status, captured, amount_captured, amount_refunded, amount_authorized, fee,
         payment_method_details, failure_code, decline_code, gateway, disputed, livemode,
         created)
       SELECT 'ch_' || substr(p.id, 4), p.id, p.location_id, p.customer_id, p.amount,
         p.currency, CASE WHEN p.amount_received = 0 THEN 'failed' ELSE 'succeeded' END,
         p.amount_received > 0, p.amount_received, 0, p.amount_received,
         CASE WHEN p.amount_received = 0 THEN NULL ELSE (p.amount * 15) / 1000 + 25 END,
         jsonb_build_object('type', (ARRAY['card','card','card','sepa_debit','klarna'])[1 + (substr(p.id, 20)::bigint / 40) % 5]),
         CASE WHEN p.amount_received = 0 THEN 'card_declined' END,
         CASE WHEN p.amount_received = 0 THEN (ARRAY['insufficient_funds','do_not_honor','expired_card'])[1 + (substr(p.id, 20)::bigint / 40) % 3] END,
         'simulator', false, false, p.created
       FROM payment_intents p""",
    # refunds: every 9.5th succeeded payment, a day later, half the amount
    """INSERT INTO refunds (id, charge_id, payment_intent_id, location_id, amount, currency,
         status, gateway, requested_by, requested_by_name, metadata, livemode, created)
       SELECT 're_' || substr(c.id, 4), c.id, c.payment_intent_id, c.location_id,
         c.amount_captured / 2, c.currency, 'succeeded', 'simulator', 'key_bench', 'bench',
         '{}', false, c.created + interval '1 day'
       FROM charges c
       WHERE c.status = 'succeeded' AND substr(c.id, 4)::bigint % 19 IN (1, 10)
         AND c.created < CAST(:end_ts AS timestamptz) - interval '1 day'
       LIMIT CAST(:refunds AS int)""",
    # invoices: finalized, one VAT group each (19 % or 7 %), tax point spread evenly
    """INSERT INTO invoices (id, number, status, location_id, legal_entity_id, customer_id,
         currency, collection_method, days_until_due, due_date, subtotal, subtotal_excluding_tax,
         tax, total, total_excluding_tax, amount_due, amount_paid, amount_remaining,
         pre_payment_credit_notes_amount, post_payment_credit_notes_amount, tax_breakdown,
         tax_notes, seller, customer_country, customer_tax_ids, issue_date, tax_point,
         paid_out_of_band, attempt_count, finalized_at, metadata, livemode, created)
       SELECT 'in_' || lpad(i::text, 26, '0'), 'B-' || i, 'open',
         'loc_' || lpad((i % 40)::text, 26, '0'), 'le_bench',
         'cus_' || lpad((i % 10000)::text, 26, '0'), 'eur', 'send_invoice', 14,
         d + 14, net, net, tax, net + tax, net, net + tax, 0, net + tax, 0, 0,
         jsonb_build_array(jsonb_build_object('category', 'S', 'rate', rate, 'country', 'DE',
           'taxable_amount', net, 'amount', tax, 'exemption_reason', NULL,
           'exemption_reason_code', NULL)),
         '[]', '{"address": {"country": "DE"}}',
         (ARRAY['DE','DE','DE','FR','AT','NL'])[1 + i % 6],  -- the address is encrypted
         '[]', d, d, false, 0, d::timestamptz, '{}', false, d::timestamptz
       FROM (
         SELECT i, net, CASE WHEN i % 5 = 0 THEN '7' ELSE '19' END AS rate,
           CASE WHEN i % 5 = 0 THEN (net * 7 + 50) / 100 ELSE (net * 19 + 50) / 100 END AS tax,
           (CAST(:start_d AS date) + ((i::float8 / CAST(:invoices AS int)) * (CAST(:end_d AS date) - CAST(:start_d AS date)))::int) AS d
         FROM (SELECT i, 2000 + (i * 53) % 50000 AS net
               FROM generate_series(0, CAST(:invoices AS int) - 1) AS i) AS base
       ) AS g""",
]


async def _admin(sql: str) -> None:
    engine = create_async_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(sa.text(sql))
    finally:
        await engine.dispose()


async def _generate(url: str, n: int, refunds: int, invoices: int) -> dict[str, float]:
    engine = create_async_engine(url)
    timings: dict[str, float] = {}
    params = {
        "start_ts": datetime.combine(date.fromisoformat(START), datetime.min.time(), UTC),
        "end_ts": datetime.combine(date.fromisoformat(END), datetime.min.time(), UTC),
        "start_d": date.fromisoformat(START),
        "end_d": date.fromisoformat(END),
        "n": n,
        "refunds": refunds,
        "invoices": invoices,
    }
    try:
        for sql in GENERATE:
            started = time.perf_counter()
            async with engine.begin() as conn:
                stmt = sa.text(sql)
                used = {k: v for k, v in params.items() if f":{k}" in sql}
                await conn.execute(stmt, used)
            table = sql.split("INSERT INTO ", 1)[1].split()[0]
            timings[table] = round(time.perf_counter() - started, 1)
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(sa.text("ANALYZE"))
    finally:
        await engine.dispose()
    return timings


async def _time_reports(url: str, repeat: int) -> dict[str, Any]:
    from payments.apikeys.service import create_api_key
    from payments.app.bootstrap import build_container
    from payments.app.http import create_app
    from payments.kernel.access import Role
    from payments.platform.config import Settings

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=url,
        rate_limit_per_second=0,
        embedded_worker=False,
        seed_sample_data=False,
        log_level="WARNING",
    )
    container = build_container(settings)
    await container.prepare()
    key = await create_api_key(
        role=Role.finance,
        name="bench",
        location_id=None,
        uow_factory=container.uow_factory,
        clock=container.clock,
    )
    headers = {"Authorization": f"Bearer {key.secret}"}
    app = create_app(settings, container=container, embedded=False)
    cases = {
        "summary_month_by_shop_and_method": (
            "/v1/reports/summary",
            {"from": "2026-06-01", "to": "2026-06-30", "group_by": "location,payment_method_type"},
        ),
        "summary_12_months_by_shop_and_method": (
            "/v1/reports/summary",
            {"from": "2025-10-01", "to": "2026-09-30", "group_by": "location,payment_method_type"},
        ),
        "vat_quarter": ("/v1/reports/vat", {"from": "2026-04-01", "to": "2026-06-30"}),
    }
    out: dict[str, Any] = {}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, (path, params) in cases.items():
                times = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    response = await client.get(path, params=params, headers=headers, timeout=120)
                    times.append((time.perf_counter() - started) * 1000)
                    if response.status_code != 200:
                        raise SystemExit(f"{name}: {response.status_code} {response.text[:300]}")
                body = response.json()
                out[name] = {
                    "median_ms": round(statistics.median(times), 1),
                    "min_ms": round(min(times), 1),
                    "max_ms": round(max(times), 1),
                    "groups": len(body.get("groups", [])),
                }
    finally:
        await container.close()
    return out


_MEASURED = """
import resource, runpy, sys
sys.argv = ["payments", *sys.argv[1:]]
try:
    runpy.run_module("payments.app.cli", run_name="__main__")
finally:
    print("MAXRSS_KIB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def _report_run(url: str, start: str, end: str, out: Path) -> dict[str, Any]:
    """``payments reports run`` in a child process that reports its own peak RSS."""
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _MEASURED,
            "reports",
            "run",
            "payments.itemized",
            "--from",
            start,
            "--to",
            end,
            "-o",
            str(out),
        ],
        env=os.environ | {"PAYMENTS_DATABASE_URL": url, "PAYMENTS_LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"report run failed: {done.stderr[-2000:]}")
    peak_kib = int(done.stderr.rsplit("MAXRSS_KIB", 1)[1].split()[0])
    with out.open("rb") as f:
        rows = sum(1 for _ in f) - 1
    return {
        "rows": rows,
        "seconds": round(wall, 1),
        "rows_per_s": round(rows / wall),
        "bytes": out.stat().st_size,
        "peak_rss_mib": round(peak_kib / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    n = int(1_000_000 * args.scale)
    refunds = int(100_000 * args.scale)
    invoices = int(200_000 * args.scale)
    name = f"reports_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    result: dict[str, Any] = {
        "database": name,
        "payments": n,
        "refunds": refunds,
        "invoices": invoices,
    }
    try:
        from payments.platform.db import migrate

        migrate.upgrade(url)
        started = time.perf_counter()
        result["generate_s"] = _ = asyncio.run(_generate(url, n, refunds, invoices))
        result["generate_total_s"] = round(time.perf_counter() - started, 1)
        result["reports"] = asyncio.run(_time_reports(url, args.repeat))
        with tempfile.TemporaryDirectory() as tmp:
            result["run_one_month"] = _report_run(
                url, "2026-06-01", "2026-06-30", Path(tmp) / "m.csv"
            )
            result["run_all"] = _report_run(url, START, END, Path(tmp) / "all.csv")
        result["machine"] = {
            "cpus": os.cpu_count(),
            "load_avg": os.getloadavg(),
            "python": platform.python_version(),
        }
    finally:
        if not args.keep_db:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
