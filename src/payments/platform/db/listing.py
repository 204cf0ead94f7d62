"""Shared repository mechanics: cursor pagination over prefixed, sortable ids."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.kernel.pagination import PageRequest


async def fetch_page(
    conn: AsyncConnection,
    table: sa.Table,
    where: Sequence[sa.ColumnElement[bool]],
    page: PageRequest,
) -> tuple[list[Row[Any]], bool]:
    """Rows newest first (by id), ``page.limit`` of them, and whether more exist.

    ``starting_after`` pages towards older objects, ``ending_before`` towards newer
    ones; both return the page in newest-first order, as Stripe does.
    """
    id_col = table.c.id
    query = sa.select(table).where(*where)
    if page.ending_before:
        query = query.where(id_col > page.ending_before).order_by(id_col.asc())
    else:
        if page.starting_after:
            query = query.where(id_col < page.starting_after)
        query = query.order_by(id_col.desc())
    rows = list((await conn.execute(query.limit(page.limit + 1))).all())
    has_more = len(rows) > page.limit
    rows = rows[: page.limit]
    if page.ending_before:
        rows.reverse()
    return rows, has_more


def list_filters(
    table: sa.Table,
    *,
    equals: dict[str, Any] | None = None,
    created_gte: Any = None,
    created_lte: Any = None,
    location_id: str | None = None,
) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses of a Stripe-style list: equality filters that were given (None
    means "not filtered"), a ``created`` range, and a location-restricted key's shop."""
    where = [table.c[name] == value for name, value in (equals or {}).items() if value]
    if created_gte is not None:
        where.append(table.c.created >= created_gte)
    if created_lte is not None:
        where.append(table.c.created <= created_lte)
    if location_id is not None:
        where.append(table.c.location_id == location_id)
    return where
