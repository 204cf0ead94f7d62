"""Async engines for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1]
    return None if path in ("", ":memory:") else Path(path)


def json_dumps(value: Any) -> str:
    """JSON columns with orjson (several times faster than the standard library)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


STATEMENTS: Counter[str] = Counter()
"""Statements sent by this process, by their first 80 characters (only when counted)."""


COUNTED: set[Any] = set()
"""Sync engines whose statements are counted (statements sent on the driver connection
by :mod:`payments.platform.db.fast` count themselves)."""


def count_statements(engine: AsyncEngine) -> None:
    """Count every statement and transaction of ``engine`` in :data:`STATEMENTS` (for
    benchmarks: ``PAYMENTS_BENCH_STATEMENT_COUNTS_DIR``); costs a few µs per statement."""
    COUNTED.add(engine.sync_engine)

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _statement(_c: Any, _cur: Any, statement: str, *_args: Any) -> None:
        STATEMENTS[" ".join(statement.split())[:80]] += 1

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(_conn: Any) -> None:
        STATEMENTS["<transactions>"] += 1


def write_statement_counts(directory: Path) -> None:
    """Write :data:`STATEMENTS` to ``directory/<pid>.json`` (at shutdown)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{os.getpid()}.json").write_bytes(orjson.dumps(dict(STATEMENTS)))


def create_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    """Create an engine; on SQLite make the file's folder, use WAL and serialise writers.

    SQLite transactions start with ``BEGIN IMMEDIATE`` so that two writers never
    deadlock on a read-to-write lock upgrade: the second waits (busy timeout)
    instead. On PostgreSQL, rows that coordinate work are locked explicitly
    (``SELECT ... FOR UPDATE``, ``SKIP LOCKED``).
    """
    kwargs: dict[str, Any] = {
        "echo": echo,
        "json_serializer": json_dumps,
        "json_deserializer": orjson.loads,
    }
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30}
        engine = create_async_engine(url, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # connections beyond pool_size are closed when returned (a new one costs a
    # PostgreSQL backend and asyncpg's type set-up): keep the overflow small
    kwargs.update(pool_size=pool_size, max_overflow=pool_size // 2, pool_pre_ping=False)
    return create_async_engine(url, **kwargs)
