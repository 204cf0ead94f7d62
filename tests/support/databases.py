"""Fresh databases for a test run: a SQLite file, and a PostgreSQL database when reachable.

On CI (``CI=true``) PostgreSQL is required: a run that cannot reach it fails
instead of silently testing SQLite alone.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

POSTGRES_ADMIN_URL = os.environ.get(
    "PAYMENTS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("PAYMENTS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _pg_reachable() -> bool:
    try:
        conn = await asyncpg.connect(_dsn(POSTGRES_ADMIN_URL), timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await conn.close()
    return True


def postgres_available() -> bool:
    return asyncio.run(_pg_reachable())


def redis_available() -> bool:
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
        client.close()
    except redis.RedisError:
        return False
    return True


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(_dsn(POSTGRES_ADMIN_URL), timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def postgres_database(label: str = "payments_test") -> Iterator[str]:
    """Create a uniquely named database; yield its asyncpg URL; drop it afterwards."""
    name = f"{label}_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    base = _dsn(POSTGRES_ADMIN_URL).rsplit("/", 1)[0]
    try:
        yield f"postgresql+asyncpg://{base.split('://', 1)[1]}/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def sqlite_database(directory: Path) -> Iterator[str]:
    path = directory / f"payments-{uuid.uuid4().hex[:8]}.sqlite3"
    yield f"sqlite+aiosqlite:///{path}"


RABBITMQ_URL = os.environ.get("PAYMENTS_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")


def rabbitmq_available() -> bool:
    """Whether the AMQP port answers (CI starts RabbitMQ first; .ci/run)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(RABBITMQ_URL)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5672), 3):
            return True
    except OSError:
        return False
