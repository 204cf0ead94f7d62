"""Hot statements run on the asyncpg connection itself (PostgreSQL), SQLAlchemy elsewhere.

A statement through SQLAlchemy's asyncpg adapter costs about 70-120 µs of CPU here
(execution context, cursor adapter, greenlet hand-off, result wrapping); the same
statement on the bare asyncpg connection 20-25 µs. :class:`Fast` wraps a statement
built once (``table.insert()``, an update or a select by key): on PostgreSQL it is
compiled once per set of parameter names by SQLAlchemy's own dialect, and each call
passes the parameters through the same bind processors (JSON encoding, encryption at
rest of :mod:`payments.platform.db.encrypted`, UTC datetimes) and the rows through the
same result processors, then sends the pre-rendered SQL (``$n`` parameters with their
casts) on the driver connection inside the unit of work's transaction. Driver errors
become the same ``sqlalchemy.exc`` errors (``IntegrityError``...).

SQLite, a statement SQLAlchemy would add parameters to (Python-side column defaults
other than constants, ``onupdate``),
an engine with cursor-execute listeners other than the benchmark's statement counter
(tracing), or a connection not yet in a transaction: the SQLAlchemy statement runs,
as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.platform.db import engine as _engine

_NOT_FAST = object()


class _Compiled:
    __slots__ = ("binds", "columns", "counted_as", "sql")

    def __init__(
        self,
        sql: str,
        binds: list[tuple[str | None, Any, Callable[[Any], Any] | None]],
        columns: list[tuple[str, Callable[[Any], Any] | None]] | None,
    ) -> None:
        self.sql = sql
        self.binds = binds  # (parameter name or None: the constant, constant, processor)
        self.columns = columns  # result columns (name, processor), None: no rows
        self.counted_as = " ".join(sql.split())[:80]

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        out = []
        for name, constant, process in self.binds:
            value = constant if name is None else params[name]
            out.append(value if process is None or value is None else process(value))
        return out

    def row(self, record: Any) -> _Row:
        return _Row(
            {
                name: (value if process is None or value is None else process(value))
                for (name, process), value in zip(self.columns or (), record, strict=True)
            }
        )


class _Row:
    """A result row as the repositories read it: ``row._mapping`` and ``row.name``."""

    __slots__ = ("_mapping",)

    def __init__(self, mapping: dict[str, Any]) -> None:
        self._mapping = mapping

    def __getattr__(self, name: str) -> Any:
        try:
            return self._mapping[name]
        except KeyError:
            raise AttributeError(name) from None


def _compile(statement: Any, keys: Sequence[str], dialect: Any) -> _Compiled | None:
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    defaults = {}  # columns left out that have a constant Python-side default: the constant
    for column in compiled.insert_prefetch:
        if column.default is None or not column.default.is_scalar:
            return None
        defaults[column.key] = column.default.arg
    if (
        compiled.update_prefetch
        or compiled.literal_execute_params
        or compiled.post_compile_params
        or compiled.positiontup is None
    ):
        return None
    binds: list[tuple[str | None, Any, Callable[[Any], Any] | None]] = []
    processors = compiled._bind_processors
    known = set(keys)
    for bind_name in compiled.positiontup:
        bind = compiled.binds[bind_name]
        if bind.key in known:
            binds.append((bind.key, None, processors.get(bind_name)))
        elif bind.key in defaults:
            binds.append((None, defaults[bind.key], processors.get(bind_name)))
        elif bind.callable is None and not bind.required:
            binds.append((None, bind.value, processors.get(bind_name)))
        else:
            return None
    columns = None
    if compiled._result_columns:  # a select, or RETURNING
        columns = [
            (c.keyname, c.type._cached_result_processor(dialect, None))
            for c in compiled._result_columns
        ]
    return _Compiled(compiled.string, binds, columns)


class Fast:
    """One statement built once, executed with parameters (see the module)."""

    __slots__ = ("_compiled", "statement")

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        self._compiled: dict[tuple[int, tuple[str, ...]], Any] = {}

    def _for(self, conn: AsyncConnection, keys: tuple[str, ...]) -> Any:
        """(compiled statement, driver adapter), or None: run through SQLAlchemy."""
        sync = conn.sync_connection
        if sync is None or sync.dialect.name != "postgresql" or not sync.in_transaction():
            return None
        dbapi = sync._dbapi_connection
        if dbapi is None or not _quiet(sync.engine):
            return None
        cache_key = (id(sync.dialect), keys)
        compiled = self._compiled.get(cache_key)
        if compiled is None:
            compiled = _compile(self.statement, keys, sync.dialect) or _NOT_FAST
            self._compiled[cache_key] = compiled
        if compiled is _NOT_FAST:
            return None
        return compiled, dbapi.dbapi_connection

    async def execute(self, conn: AsyncConnection, params: Mapping[str, Any]) -> None:
        """Run a statement that returns no rows."""
        found = self._for(conn, tuple(params))
        if found is None:
            await conn.execute(self.statement, dict(params))
            return
        compiled, adapted = found
        await _driver(conn, adapted, compiled, "execute", compiled.args(params))

    async def execute_many(self, conn: AsyncConnection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run a statement that returns no rows once per parameter set (one round trip)."""
        if not rows:
            return
        if len(rows) == 1:
            await self.execute(conn, rows[0])
            return
        found = self._for(conn, tuple(rows[0]))
        if found is None:
            await conn.execute(self.statement, [dict(r) for r in rows])
            return
        compiled, adapted = found
        await _driver(conn, adapted, compiled, "executemany", [compiled.args(r) for r in rows])

    async def all(self, conn: AsyncConnection, params: Mapping[str, Any]) -> list[Any]:
        """Every row: as :meth:`first`'s, or tuples for a textual statement (no columns
        known to SQLAlchemy, so nothing to process)."""
        found = self._for(conn, tuple(params))
        if found is None:
            return list((await conn.execute(self.statement, dict(params))).all())
        compiled, adapted = found
        records = await _driver(conn, adapted, compiled, "fetch", compiled.args(params))
        if compiled.columns is None:
            return [tuple(r) for r in records]
        return [compiled.row(r) for r in records]

    async def first(self, conn: AsyncConnection, params: Mapping[str, Any]) -> Any:
        """The first row (``row._mapping``, ``row.column``), or None."""
        found = self._for(conn, tuple(params))
        if found is None:
            return (await conn.execute(self.statement, dict(params))).first()
        compiled, adapted = found
        record = await _driver(conn, adapted, compiled, "fetchrow", compiled.args(params))
        return None if record is None else compiled.row(record)


def _quiet(engine: sa.Engine) -> bool:
    """No cursor-execute listener but the benchmark's statement counter (tracing has one)."""
    listeners = len(engine.dispatch.before_cursor_execute)
    return listeners == (1 if engine in _engine.COUNTED else 0)


async def _driver(
    conn: AsyncConnection, adapted: Any, compiled: _Compiled, method: str, args: Any
) -> Any:
    """Call the asyncpg connection in the adapter's transaction, as the adapter would;
    a lost connection is invalidated, as SQLAlchemy does, so the pool replaces it."""
    if _engine.COUNTED:
        _engine.STATEMENTS[compiled.counted_as] += 1  # an executemany counts once, as there
    async with adapted._execute_mutex:
        if adapted._transaction is None:
            await adapted._start_transaction()
        call = getattr(adapted._connection, method)
        try:
            if method == "executemany":
                return await call(compiled.sql, args)
            return await call(compiled.sql, *args)
        except Exception as error:
            try:
                adapted._handle_exception(error)  # the adapter's DB-API error
            except adapted.dbapi.Error as dbapi_error:
                failed = (error, dbapi_error)
            else:
                raise
    original, translated = failed
    lost = conn.dialect.is_disconnect(translated, adapted, None)
    if lost:
        await conn.invalidate(translated)
    raise DBAPIError.instance(
        compiled.sql, args, translated, adapted.dbapi.Error, connection_invalidated=lost
    ) from original
