"""A repository for record dataclasses whose field names equal their table's columns.

Fields typed with an enum (``status: PaymentIntentStatus``) hold the enum member: the
column stores its value and rows are converted back on the way out, so records hold
enums end to end.

The statements of ``add``, ``save`` and ``get`` are built once per table and executed
with parameters: building a statement per call (``insert().values(**row)``) costs
SQLAlchemy several times the CPU of executing it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, fields, is_dataclass
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar, get_args, get_type_hints

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.kernel.pagination import Created, Page, PageRequest
from payments.platform.db.fast import Fast
from payments.platform.db.listing import fetch_page, list_filters
from payments.platform.db.uow import Repository

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


@cache
def _statements(table: sa.Table) -> tuple[Fast, Fast, Fast, Fast]:
    """(insert, update by ``_id``, select by ``_id``, select by ``_id`` for update), run
    on the driver connection on PostgreSQL (:mod:`payments.platform.db.fast`)."""
    by_id = table.c.id == sa.bindparam("_id")
    select = sa.select(table).where(by_id)
    return (
        Fast(table.insert()),
        Fast(table.update().where(by_id)),
        Fast(select),
        Fast(select.with_for_update()),
    )


def _enum_fields(record: type) -> dict[str, type[Enum]]:
    """The record's fields typed with an enum (or an optional one), and that enum."""
    hints = get_type_hints(record)
    found: dict[str, type[Enum]] = {}
    for f in fields(record):
        for candidate in (hints[f.name], *get_args(hints[f.name])):
            if isinstance(candidate, type) and issubclass(candidate, Enum):
                found[f.name] = candidate
    return found


class RecordRepository(Repository, Generic[R]):
    table: sa.Table
    record: type[R]
    _enums: dict[str, type[Enum]] = {}  # set per subclass (its record), never mutated

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "record" in cls.__dict__:
            cls._enums = _enum_fields(cls.record)

    def __init__(self, conn: AsyncConnection) -> None:
        super().__init__(conn)
        self._names = [f.name for f in fields(self.record)]

    def _from_row(self, row: Any) -> R:
        mapping = row._mapping
        values = {n: mapping[n] for n in self._names}
        for name, enum in self._enums.items():
            if values[name] is not None:
                values[name] = enum(values[name])
        return self.record(**values)

    def _values(self, obj: R) -> dict[str, Any]:
        values = {n: getattr(obj, n) for n in self._names}
        for name, value in values.items():
            if is_dataclass(value) and not isinstance(value, type):
                values[name] = asdict(value)
        return values

    async def add(self, obj: R) -> None:
        await _statements(self.table)[0].execute(self._conn, self._values(obj))

    async def save(self, obj: R) -> None:
        values = self._values(obj)
        values["_id"] = values.pop("id")  # the SET clause is every other column
        await _statements(self.table)[1].execute(self._conn, values)

    async def get(self, object_id: str, *, for_update: bool = False) -> R | None:
        lock = for_update and self._conn.dialect.name == "postgresql"
        query = _statements(self.table)[3 if lock else 2]
        row = await query.first(self._conn, {"_id": object_id})
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

    async def list_page(
        self,
        page: PageRequest,
        *,
        equals: Mapping[str, object] | None = None,
        created: Created | None = None,
        location_id: str | None = None,
    ) -> Page[R]:
        """A Stripe-style list, newest first, filtered by plain values: ``equals`` maps
        record fields to the value they must have (None or "": not filtered), ``created``
        bounds the creation time, ``location_id`` keeps one shop's records only."""
        unknown = sorted(set(equals or {}) - set(self._names))
        if unknown:
            raise ValueError(f"{self.record.__name__} has no field {unknown[0]!r} to filter on")
        where = list_filters(self.table, equals=equals, created=created, location_id=location_id)
        return await self.page(page, where)
