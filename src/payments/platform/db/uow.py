"""The unit of work: one database transaction, rolled back unless committed.

Use cases own the transaction and reach SQL only through repositories::

    async with uow_factory() as uow:
        customers = uow.repo(CustomerRepository)
        customer = await customers.add(...)
        await uow.repo(EventRepository).record(...)
        await uow.commit()

``uow.repo(cls)`` builds the capability's repository on this transaction's connection
(once per unit of work). The unit of work knows no capability: each capability's
``repository`` module defines its repositories as subclasses of :class:`Repository`,
so adding a capability never touches this module. The connection and the dialect are
not exposed to use cases; a repository that needs dialect-specific SQL asks
``self.dialect``.

Helpers and repositories never commit. No gateway call may happen while a unit of
work is open.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class Repository:
    """Base of every repository: holds the unit of work's connection.

    ``before_commit`` runs for every repository used in a unit of work, just before it
    commits (the ledger writes its buffered running balances there)."""

    flush_last = False  # True: its before_commit runs after every other repository's

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    @property
    def dialect(self) -> str:
        return self._conn.dialect.name

    async def before_commit(self) -> None:
        return None


R = TypeVar("R", bound=Repository)


class UnitOfWorkClosed(RuntimeError):
    """A repository was asked for outside ``async with uow_factory() as uow``."""


class UnitOfWork:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None
        self._repos: dict[type[Repository], Repository] = {}
        self._committed = False

    def repo(self, cls: type[R]) -> R:
        """The repository ``cls`` on this unit of work's transaction."""
        found = self._repos.get(cls)
        if found is None:
            if self._conn is None:
                raise UnitOfWorkClosed("the unit of work is not open")
            found = self._repos[cls] = cls(self._conn)
        return cast(R, found)  # the map holds each repository under its own class

    async def __aenter__(self) -> Self:
        self._conn = await self._engine.connect()
        await self._conn.begin()
        self._repos = {}
        self._committed = False
        return self

    async def commit(self) -> None:
        if self._conn is None:
            raise UnitOfWorkClosed("the unit of work is not open")
        # repositories used first flush first; the ledger's running balances are written
        # last because they take the most contended row locks (see LedgerRepository)
        for repo in sorted(self._repos.values(), key=lambda r: r.flush_last):
            await repo.before_commit()
        await self._conn.commit()
        self._committed = True

    async def rollback(self) -> None:
        if self._conn is not None:
            await self._conn.rollback()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        self._repos = {}
        if conn is None:
            return
        try:
            if not self._committed and conn.in_transaction():
                await conn.rollback()
        finally:
            await conn.close()


class UnitOfWorkFactory:
    """Hands out fresh units of work bound to one engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self._engine)

    @property
    def dialect(self) -> str:
        """The database's dialect name (``sqlite``/``postgresql``), for status pages."""
        return self._engine.dialect.name

    async def ping(self) -> None:
        """Raise if the database cannot be reached (readiness probes)."""
        from sqlalchemy import text

        async with self._engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
