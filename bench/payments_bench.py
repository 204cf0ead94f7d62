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

Also printed: the SQL statements and transactions per payment (every statement the
server processes sent, counted with SQLAlchemy events behind the bench-only setting
``PAYMENTS_BENCH_STATEMENT_COUNTS_DIR``, over the whole run, warm-up included) and the
load average. ``--compare-pgbench`` runs pgbench TPC-B (scale 50, 10 clients, 20 s) on
its own fresh database after the payments and prints ``ratio_to_pgbench`` (payments/s
divided by pgbench's tps), comparable across machines and under other load.
``--gateway-latency-ms`` makes the simulator wait that long on every charge (a
persistent latency fault). ``--scenario capture`` / ``refund`` measures an authorize
then capture / a payment then a full refund per iteration instead.

    .venv/bin/python bench/payments_bench.py --workers 2 --concurrency 32 --duration 20
    .venv/bin/python bench/payments_bench.py --compare-pgbench
    .venv/bin/python bench/payments_bench.py --gateway-latency-ms 300 --concurrency 256
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
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


SHOP = {  # the location every benchmark payment is made at
    "name": "Bench Shop",
    "address": {"line1": "Torstrasse 1", "city": "Berlin", "country": "DE"},
    "timezone": "Europe/Berlin",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (2)")
    p.add_argument("--concurrency", type=int, default=32, help="concurrent clients (32)")
    p.add_argument("--duration", type=float, default=20.0, help="measured seconds (20)")
    p.add_argument(
        "--warmup",
        type=float,
        default=5.0,
        help="unmeasured seconds first, while each connection prepares its statements (5); "
        "what finishes in the measured window counts, wherever it started",
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
    p.add_argument(
        "--scenario",
        choices=("pay", "capture", "refund"),
        default="pay",
        help="pay: create+confirm; capture: authorize, then capture; refund: pay, then "
        "refund it all (one iteration each; pay)",
    )
    p.add_argument(
        "--gateway-latency-ms",
        type=int,
        default=0,
        help="the simulator waits this long on every charge (a persistent latency fault; 0)",
    )
    p.add_argument(
        "--pool-size", type=int, default=None, help="PAYMENTS_DATABASE_POOL_SIZE (default: its own)"
    )
    p.add_argument(
        "--compare-pgbench",
        action="store_true",
        help="also run pgbench TPC-B (scale 50, 10 clients, 20 s) on a fresh database and "
        "print payments/s divided by its tps",
    )
    p.add_argument(
        "--statements",
        action="store_true",
        help="print the statements per payment, most frequent first, to stderr",
    )
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
def fresh_database(admin_url: str, keep: bool, prefix: str = "payments_bench") -> Iterator[str]:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
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


def _env(database_url: str, **extra: str) -> dict[str, str]:
    return (
        os.environ
        | extra
        | {
            "PAYMENTS_DATABASE_URL": database_url,
            "PAYMENTS_GATEWAY": "simulator",
            "PAYMENTS_ENVIRONMENT": "development",
            "PAYMENTS_RATE_LIMIT_PER_SECOND": "0",
            "PAYMENTS_LOG_LEVEL": "WARNING",
            "PAYMENTS_EMBEDDED_WORKER": "false",
            "PAYMENTS_SEED_SAMPLE_DATA": "false",
        }
    )


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


def group_system_cpu(pgid: int) -> tuple[float, float]:
    """(user, system) CPU seconds so far of the live processes of a process group."""
    user = system = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid:
            user += int(fields[11]) / tick
            system += int(fields[12]) / tick
    return user, system


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


def load_average() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def statement_counts(directory: Path) -> Counter[str]:
    """The statements (and ``<transactions>``) the server processes wrote at shutdown."""
    total: Counter[str] = Counter()
    for path in directory.glob("*.json"):
        total.update(json.loads(path.read_text()))
    return total


@contextmanager
def server(
    args: argparse.Namespace, database_url: str, counts_dir: Path
) -> Iterator[tuple[str, int]]:
    port = _free_port()
    extra = {"PAYMENTS_BENCH_STATEMENT_COUNTS_DIR": str(counts_dir)}
    if args.pool_size is not None:
        extra["PAYMENTS_DATABASE_POOL_SIZE"] = str(args.pool_size)
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
        env=_env(database_url, **extra),
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


async def set_gateway_latency(database_url: str, latency_ms: int) -> None:
    """A persistent latency fault on the simulator's charges (it shares the database)."""
    conn = await asyncpg.connect(_dsn(database_url), timeout=10)
    try:
        await conn.execute(
            "INSERT INTO sim_faults (kind, operation, remaining, latency_ms, created) "
            "VALUES ('latency', 'charge', NULL, $1, now())",
            latency_ms,
        )
    finally:
        await conn.close()


def pgbench_tps(admin_url: str) -> float:
    """pgbench TPC-B (scale 50, 10 clients, 2 threads, 20 s) on its own fresh database."""
    if shutil.which("pgbench") is None:
        raise SystemExit("--compare-pgbench needs pgbench on PATH")
    with fresh_database(admin_url, keep=False, prefix="pgbench_bench") as url:
        dsn = _dsn(url.replace("postgresql+asyncpg://", "postgresql://"))
        init = subprocess.run(
            ["pgbench", "-i", "-q", "-s", "50", dsn], capture_output=True, text=True, check=False
        )
        if init.returncode != 0:
            raise SystemExit(f"pgbench -i failed: {init.stderr}")
        run = subprocess.run(
            ["pgbench", "-c", "10", "-j", "2", "-T", "20", dsn],
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0:
            raise SystemExit(f"pgbench failed: {run.stderr}")
    for line in run.stdout.splitlines():
        if line.startswith("tps = "):
            return float(line.split()[2])
    raise SystemExit(f"no tps in pgbench's output: {run.stdout}")


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
            json=SHOP,
        )
        shop.raise_for_status()
        body: dict[str, Any] = {
            "amount": 2599,
            "location": shop.json()["id"],
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
        if args.scenario == "capture":
            body["capture_method"] = "manual"
        latencies: list[float] = []
        errors: Counter[str] = Counter()
        completed = [0]  # every successful iteration, warm-up included (statement counts)
        loop = asyncio.get_running_loop()
        start = loop.time()
        measure_from = start + args.warmup
        stop_at = measure_from + args.duration

        async def iteration() -> str:
            response = await client.post("/v1/payment_intents", json=body)
            if response.status_code != 200:
                return f"http_{response.status_code}"
            pi = response.json()
            wanted = "requires_capture" if args.scenario == "capture" else "succeeded"
            if pi["status"] != wanted:
                return f"status_{pi['status']}"
            if args.scenario == "capture":
                response = await client.post(f"/v1/payment_intents/{pi['id']}/capture")
                if response.status_code != 200:
                    return f"capture_http_{response.status_code}"
                if response.json()["status"] != "succeeded":
                    return f"capture_status_{response.json()['status']}"
            elif args.scenario == "refund":
                response = await client.post("/v1/refunds", json={"payment_intent": pi["id"]})
                if response.status_code != 200:
                    return f"refund_http_{response.status_code}"
                if response.json()["status"] not in ("succeeded", "pending"):
                    return f"refund_status_{response.json()['status']}"
            return "ok"

        async def client_loop() -> None:
            while loop.time() < stop_at:
                began = time.perf_counter()
                try:
                    kind = await iteration()
                except httpx.HTTPError as exc:
                    kind = type(exc).__name__
                elapsed_ms = (time.perf_counter() - began) * 1000
                completed[0] += kind == "ok"
                if not measure_from <= loop.time() <= stop_at:
                    continue  # finished in the warm-up or after the window closed
                if kind == "ok":
                    latencies.append(elapsed_ms)
                else:
                    errors[kind] += 1

        async def measure_cpu() -> dict[str, float]:
            await asyncio.sleep(max(0.0, measure_from - loop.time()))
            before = (group_system_cpu(pgid), await backend_cpu(database_url), client_cpu())
            await asyncio.sleep(max(0.0, stop_at - loop.time()))
            after = (group_system_cpu(pgid), await backend_cpu(database_url), client_cpu())
            db = sum(s - before[1].get(pid, 0.0) for pid, s in after[1].items())
            system = after[0][1] - before[0][1]
            return {
                "server": sum(after[0]) - sum(before[0]),
                "server_system": system,
                "postgres": db,
                "client": after[2] - before[2],
            }

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
        "scenario": args.scenario,
        "gateway_latency_ms": args.gateway_latency_ms,
        "completed_with_warmup": completed[0],
    } | per_payment


def _run(coro: Any) -> Any:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        return asyncio.run(coro)
    return uvloop.run(coro)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_before = load_average()
    counts_dir = Path(tempfile.mkdtemp(prefix="payments_bench_counts_"))
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
        with server(args, database_url, counts_dir) as (base, pgid):
            if args.gateway_latency_ms:
                _run(set_gateway_latency(database_url, args.gateway_latency_ms))
            result = _run(drive(args, base, pgid, database_url, secret))
        result["load_average"] = f"{load_before} -> {load_average()}"
        counts = statement_counts(counts_dir)
        shutil.rmtree(counts_dir, ignore_errors=True)
        done = max(result.pop("completed_with_warmup"), 1)
        transactions = counts.pop("<transactions>", 0)
        result["sql_statements_per_payment"] = round(sum(counts.values()) / done, 2)
        result["sql_transactions_per_payment"] = round(transactions / done, 2)
        if args.statements:
            for statement, n in counts.most_common():
                print(f"{n / done:8.2f}  {statement}", file=sys.stderr)
        verified = _cli(database_url, "ledger", "verify")
        result["ledger_verify"] = "passed" if verified.returncode == 0 else "FAILED"
        if args.compare_pgbench:
            tps = pgbench_tps(args.admin_url)
            result["pgbench_tps"] = round(tps, 1)
            result["ratio_to_pgbench"] = round(result["payments_per_s"] / tps, 4)
            result["load_average"] += f" -> {load_average()}"
        print(json.dumps(result), flush=True)
        print(verified.stdout.strip() or verified.stderr.strip(), file=sys.stderr)
        if verified.returncode != 0:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
