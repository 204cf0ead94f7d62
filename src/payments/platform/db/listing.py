"""Shared repository mechanics: cursor pagination over prefixed, sortable ids, and the
filters of Stripe-style lists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.kernel.pagination import Created, PageRequest


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
    equals: Mapping[str, object] | None = None,
    created: Created | None = None,
    location_id: str | None = None,
) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses of a Stripe-style list: equality filters that were given (None
    or "" means "not filtered"), a ``created`` range, and a location-restricted key's shop."""
    where = [table.c[name] == value for name, value in (equals or {}).items() if value]
    if created is not None and created.gte is not None:
        where.append(table.c.created >= created.gte)
    if created is not None and created.lte is not None:
        where.append(table.c.created <= created.lte)
    if location_id is not None:
        where.append(table.c.location_id == location_id)
    return where
