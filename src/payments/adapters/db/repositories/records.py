"""A repository for record dataclasses whose field names equal their table's columns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, fields
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.adapters.db.repositories.base import fetch_page
from payments.domain.pagination import Page, PageRequest

R = TypeVar("R")


class RecordRepository(Generic[R]):
    table: sa.Table
    record: type[R]

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._names = [f.name for f in fields(self.record)]  # type: ignore[arg-type]

    def _from_row(self, row: Any) -> R:
        mapping = row._mapping
        return self.record(**{n: mapping[n] for n in self._names})

    async def add(self, obj: R) -> None:
        await self._conn.execute(self.table.insert().values(**asdict(obj)))  # type: ignore[call-overload]

    async def save(self, obj: R) -> None:
        values = asdict(obj)  # type: ignore[call-overload]
        await self._conn.execute(
            self.table.update().where(self.table.c.id == values.pop("id")).values(**values)
        )

    async def get(self, object_id: str, *, for_update: bool = False) -> R | None:
        query = sa.select(self.table).where(self.table.c.id == object_id)
        if for_update and self._conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return self._from_row(row) if row else None

    async def find(
        self, *where: sa.ColumnElement[bool], order_by: Any = None, limit: int | None = None
    ) -> list[R]:
        query = sa.select(self.table).where(*where)
        if order_by is not None:
            query = query.order_by(order_by)
        if limit is not None:
            query = query.limit(limit)
        return [self._from_row(r) for r in (await self._conn.execute(query)).all()]

    async def page(self, page: PageRequest, where: Sequence[sa.ColumnElement[bool]]) -> Page[R]:
        rows, has_more = await fetch_page(self._conn, self.table, where, page)
        return Page([self._from_row(r) for r in rows], has_more)
