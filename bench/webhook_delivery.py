"""Webhook delivery throughput: deliveries per second from N ``payments worker`` processes.

    .venv/bin/python bench/webhook_delivery.py --events 20000 --workers 3

What it does, all on this machine (loopback only):

1. creates a fresh PostgreSQL database (``--admin-url``) and migrates it;
2. starts a minimal HTTP/1.1 receiver on 127.0.0.1 in its own process (answers 200,
   counts requests) and registers one webhook endpoint for it;
3. starts ``--workers`` real ``payments worker`` processes (they idle);
4. commits ``--events`` events in one transaction and starts the clock;
5. stops the clock when every delivery is ``succeeded`` in the database.

The figure is end to end: fan-out from the outbox, claiming with SKIP LOCKED,
signing, the HTTP round trip, and recording each outcome. Stops by itself after
``--timeout`` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
RESPONSE = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"


def _receiver(port_out: multiprocessing.Queue, count: multiprocessing.Value) -> None:  # type: ignore[type-arg]
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        pass

    class Http(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport
            self.buffer = b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
                head = self.buffer[:end].lower()
                at = head.find(b"content-length:")
                length = int(head[at + 15 :].split(b"\r\n", 1)[0]) if at >= 0 else 0
                if len(self.buffer) < end + 4 + length:
                    return
                self.buffer = self.buffer[end + 4 + length :]
                count.value += 1
                self.transport.write(RESPONSE)  # type: ignore[attr-defined]

    async def serve() -> None:
        server = await asyncio.get_running_loop().create_server(Http, "127.0.0.1", 0)
        port_out.put(server.sockets[0].getsockname()[1])
        await asyncio.Event().wait()

    asyncio.run(serve())


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _prepare(database_url: str, receiver_url: str) -> None:
    from payments.app.bootstrap import build_container
    from payments.kernel.context import SYSTEM
    from payments.platform.config import Settings
    from payments.webhooks.service.endpoints import create_webhook_endpoint

    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    container = build_container(settings)
    try:
        await create_webhook_endpoint(
            {"url": receiver_url, "enabled_events": ["customer.created"]},
            uow_factory=container.uow_factory,
            clock=container.clock,
            ctx=SYSTEM,
            allowed_hosts=frozenset({"127.0.0.1"}),
        )
    finally:
        await container.close()


async def _insert_events(database_url: str, n: int) -> None:
    from payments.events.tables import events
    from payments.kernel.ids import id_for
    from payments.platform.db.engine import create_engine

    engine = create_engine(database_url)
    now = datetime.now(UTC)
    rows = []
    for i in range(n):
        cus = id_for("customer")
        obj = {"id": cus, "object": "customer", "name": f"Customer {i}", "livemode": False}
        rows.append(
            {
                "id": id_for("event"),
                "type": "customer.created",
                "object_id": cus,
                "location_id": None,
                "data": {"object": obj},
                "request_id": None,
                "idempotency_key": None,
                "livemode": False,
                "created": now,
            }
        )
    async with engine.begin() as conn:
        await conn.execute(events.insert(), rows)
    await engine.dispose()


async def _succeeded(engine: sa.ext.asyncio.AsyncEngine) -> int:
    async with engine.connect() as conn:
        query = sa.text("SELECT count(*) FROM webhook_deliveries WHERE status = 'succeeded'")
        return int((await conn.execute(query)).scalar_one())


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument(
        "--admin-url",
        default=os.environ.get(
            "PAYMENTS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from payments.platform.db import migrate
    from payments.platform.db.engine import create_engine

    name = f"payments_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(args.admin_url, f'CREATE DATABASE "{name}"'))
    base = args.admin_url.rsplit("/", 1)[0].split("://", 1)[1]
    database_url = f"postgresql+asyncpg://{base}/{name}"
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    count = multiprocessing.Value("q", 0, lock=False)
    receiver = multiprocessing.Process(target=_receiver, args=(ports, count), daemon=True)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        migrate.upgrade(database_url)
        receiver.start()
        receiver_url = f"http://127.0.0.1:{ports.get(timeout=10)}/hooks"
        asyncio.run(_prepare(database_url, receiver_url))
        env = os.environ | {
            "PAYMENTS_DATABASE_URL": database_url,
            "PAYMENTS_WEBHOOK_ALLOW_HTTP_HOSTS": "127.0.0.1",
            "PAYMENTS_WEBHOOK_BATCH_SIZE": str(args.batch_size),
            "PAYMENTS_WEBHOOK_CONCURRENCY": str(args.concurrency),
            "PAYMENTS_LOG_LEVEL": "WARNING",
            "PAYMENTS_SEED_SAMPLE_DATA": "false",
        }
        for _ in range(args.workers):
            workers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "payments.app.cli", "worker"],
                    env=env,
                    start_new_session=True,
                )
            )
        time.sleep(3)  # let the workers import and connect before the clock starts

        async def run() -> float:
            engine = create_engine(database_url)
            try:
                await _insert_events(database_url, args.events)
                started = time.perf_counter()
                deadline = started + args.timeout
                while await _succeeded(engine) < args.events:
                    if time.perf_counter() > deadline:
                        raise SystemExit(f"timed out after {args.timeout:g} s")
                    await asyncio.sleep(0.05)
                return time.perf_counter() - started
            finally:
                await engine.dispose()

        load_before = os.getloadavg()[0]
        pids = [p.pid for p in workers]
        cpu_before = sum(_cpu_seconds(pid) for pid in pids)
        elapsed = asyncio.run(run())
        worker_cpu = sum(_cpu_seconds(pid) for pid in pids) - cpu_before
        rate = args.events / elapsed
        print(f"machine:    {_machine()}")
        print(
            f"setup:      {args.workers} worker processes, batch {args.batch_size}, "
            f"concurrency {args.concurrency}, PostgreSQL"
        )
        print(f"delivered:  {args.events} webhooks in {elapsed:.2f} s ({count.value} received)")
        print(f"throughput: {rate:,.0f} deliveries/s")
        per_delivery = worker_cpu / args.events * 1000
        print(f"worker CPU: {per_delivery:.2f} ms per delivery (all worker processes)")
        print(f"load:       1-min load average {load_before:.2f} when the clock started")
        return 0
    finally:
        for proc in workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in workers:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if receiver.is_alive():
            receiver.terminate()
            receiver.join(5)
        asyncio.run(_admin(args.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    raise SystemExit(main())
