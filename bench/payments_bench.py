#!/usr/bin/env python3
"""Confirmed payments per second, end to end, on PostgreSQL.

Starts the service under uvicorn (``--workers N``) against a fresh PostgreSQL
database with the simulator gateway, creates an admin key and a shop, then drives
``--concurrency`` clients for ``--duration`` seconds through real sockets
(``httpx.AsyncClient``, keep-alive). Each request creates and confirms a
PaymentIntent in one call (``POST /v1/payment_intents`` with
``payment_method=pm_card_visa``, ``confirm=true``, automatic capture).

Prints ONE JSON line (payments/s, latency percentiles in ms, errors, and the CPU
time per payment of the server processes, of the PostgreSQL backends and of this load
generator, read from ``/proc``: robust to other load on the machine), then runs
``payments ledger verify`` against the database (exit 1 if it fails) and drops it.
The load generator runs on the same machine and shares its cores with the server.

    .venv/bin/python bench/payments_bench.py --workers 2 --concurrency 32 --duration 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx

DEFAULT_ADMIN_URL = os.environ.get(
    "PAYMENTS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (2)")
    p.add_argument("--concurrency", type=int, default=32, help="concurrent clients (32)")
    p.add_argument("--duration", type=float, default=20.0, help="measured seconds (20)")
    p.add_argument(
        "--warmup",
        type=float,
        default=5.0,
        help="unmeasured seconds first, while each connection prepares its statements (5)",
    )
    p.add_argument(
        "--admin-url",
        default=DEFAULT_ADMIN_URL,
        help="PostgreSQL server (its admin database); a Unix socket: "
        "postgresql://postgres@/postgres?host=/var/run/postgresql",
    )
    p.add_argument("--loop", default="uvloop", help="uvicorn --loop (uvloop)")
    p.add_argument("--http", default="httptools", help="uvicorn --http (httptools)")
    p.add_argument("--server-log", type=Path, default=None, help="write the server's output")
    p.add_argument("--keep-db", action="store_true", help="do not drop the database")
    return p.parse_args(argv)


# --------------------------------------------------------------------------- plumbing


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _admin(admin_url: str, sql: str) -> None:
    conn = await asyncpg.connect(_dsn(admin_url), timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def fresh_database(admin_url: str, keep: bool) -> Iterator[str]:
    name = f"payments_bench_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    server, _, query = _dsn(admin_url).partition("?")  # keep ?host=/socket/dir unencoded
    url = f"postgresql+asyncpg://{server.split('://', 1)[1].rsplit('/', 1)[0]}/{name}"
    try:
        yield f"{url}?{query}" if query else url
    finally:
        if keep:
            print(f"kept database {name}", file=sys.stderr)
        else:
            asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _env(database_url: str) -> dict[str, str]:
    return os.environ | {
        "PAYMENTS_DATABASE_URL": database_url,
        "PAYMENTS_GATEWAY": "simulator",
        "PAYMENTS_ENVIRONMENT": "development",
        "PAYMENTS_RATE_LIMIT_PER_SECOND": "0",
        "PAYMENTS_LOG_LEVEL": "WARNING",
        "PAYMENTS_EMBEDDED_WORKER": "false",
        "PAYMENTS_SEED_SAMPLE_DATA": "false",
    }


def _cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "payments.app.cli", *args],
        env=_env(database_url),
        capture_output=True,
        text=True,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu(pid: int) -> tuple[int, float]:
    """(process group, user+system CPU seconds) of a process, from /proc; (-1, 0) if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return -1, 0.0
    return int(fields[2]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def group_cpu(pgid: int) -> float:
    """CPU seconds used so far by the live processes of a process group (the server)."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            group, seconds = _cpu(int(entry))
            total += seconds if group == pgid else 0.0
    return total


async def backend_cpu(database_url: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving the benchmark database."""
    conn = await asyncpg.connect(_dsn(database_url), timeout=10)
    try:
        pids = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        )
    finally:
        await conn.close()
    return {r["pid"]: _cpu(r["pid"])[1] for r in pids}


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def server(args: argparse.Namespace, database_url: str) -> Iterator[tuple[str, int]]:
    port = _free_port()
    log = open(args.server_log or os.devnull, "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "payments.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--loop",
            args.loop,
            "--http",
            args.http,
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=_env(database_url),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the server exited with {proc.returncode}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start within 60 s")
            time.sleep(0.1)
        yield base, proc.pid
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


# --------------------------------------------------------------------------- load


def _percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return 0.0
    index = min(len(sorted_ms) - 1, max(0, round(q * len(sorted_ms)) - 1))
    return round(sorted_ms[index], 2)


async def drive(
    args: argparse.Namespace, base: str, pgid: int, database_url: str, secret: str
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {secret}"}
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    async with httpx.AsyncClient(
        base_url=base, limits=limits, timeout=60, headers=headers
    ) as client:
        shop = await client.post(
            "/v1/locations",
            json={
                "name": "Bench Shop",
                "address": {"line1": "Torstrasse 1", "city": "Berlin", "country": "DE"},
                "timezone": "Europe/Berlin",
            },
        )
        shop.raise_for_status()
        body = {
            "amount": 2599,
            "location": shop.json()["id"],
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
        latencies: list[float] = []
        errors: Counter[str] = Counter()
        loop = asyncio.get_running_loop()
        start = loop.time()
        measure_from = start + args.warmup
        stop_at = measure_from + args.duration

        async def client_loop() -> None:
            while (now := loop.time()) < stop_at:
                began = time.perf_counter()
                try:
                    response = await client.post("/v1/payment_intents", json=body)
                    ok = response.status_code == 200 and response.json()["status"] == "succeeded"
                    kind = "ok" if ok else f"http_{response.status_code}"
                except httpx.HTTPError as exc:
                    kind = type(exc).__name__
                elapsed_ms = (time.perf_counter() - began) * 1000
                if now < measure_from or loop.time() > stop_at:
                    continue  # warm-up, or finished after the window closed
                if kind == "ok":
                    latencies.append(elapsed_ms)
                else:
                    errors[kind] += 1

        async def measure_cpu() -> dict[str, float]:
            await asyncio.sleep(max(0.0, measure_from - loop.time()))
            before = (group_cpu(pgid), await backend_cpu(database_url), client_cpu())
            await asyncio.sleep(max(0.0, stop_at - loop.time()))
            after = (group_cpu(pgid), await backend_cpu(database_url), client_cpu())
            db = sum(s - before[1].get(pid, 0.0) for pid, s in after[1].items())
            return {"server": after[0] - before[0], "postgres": db, "client": after[2] - before[2]}

        cpu, *_ = await asyncio.gather(
            measure_cpu(), *(client_loop() for _ in range(args.concurrency))
        )
    latencies.sort()
    per_payment = {
        f"{who}_cpu_ms_per_payment": round(seconds * 1000 / max(len(latencies), 1), 2)
        for who, seconds in cpu.items()
    }
    return {
        "payments_per_s": round(len(latencies) / args.duration, 1),
        "p50_ms": _percentile(latencies, 0.50),
        "p95_ms": _percentile(latencies, 0.95),
        "p99_ms": _percentile(latencies, 0.99),
        "payments": len(latencies),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "workers": args.workers,
        "concurrency": args.concurrency,
        "duration_s": args.duration,
        "cpus": os.cpu_count(),
    } | per_payment


def _run(coro: Any) -> Any:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        return asyncio.run(coro)
    return uvloop.run(coro)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with fresh_database(args.admin_url, args.keep_db) as database_url:
        migrated = _cli(database_url, "migrate")
        if migrated.returncode != 0:
            print(migrated.stderr, file=sys.stderr)
            return 1
        created = _cli(database_url, "apikeys", "create", "--role", "admin", "--name", "bench")
        if created.returncode != 0:
            print(created.stderr, file=sys.stderr)
            return 1
        secret = created.stdout.strip().splitlines()[-1]
        with server(args, database_url) as (base, pgid):
            result = _run(drive(args, base, pgid, database_url, secret))
        print(json.dumps(result), flush=True)
        verified = _cli(database_url, "ledger", "verify")
        print(verified.stdout.strip() or verified.stderr.strip(), file=sys.stderr)
        if verified.returncode != 0:
            print(verified.stderr, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
