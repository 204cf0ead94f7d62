"""All SQL of the parts catalogue."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from payments.kernel.pagination import Page, PageRequest
from payments.parts.domain import Part
from payments.parts.tables import parts
from payments.platform.db.listing import fetch_page
from payments.platform.db.uow import Repository


def _part(row: Any) -> Part:
    return Part(
        id=row.id,
        sku=row.sku,
        currency=row.currency,
        description=row.description,
        unit_amount=row.unit_amount,
        tax_category=row.tax_category,
        active=row.active,
        metadata=row.metadata,
        created=row.created,
        updated=row.updated,
    )


def _values(part: Part) -> dict[str, Any]:
    return {
        "id": part.id,
        "sku": part.sku,
        "currency": part.currency,
        "description": part.description,
        "unit_amount": part.unit_amount,
        "tax_category": part.tax_category,
        "active": part.active,
        "metadata": dict(part.metadata),
        "created": part.created,
        "updated": part.updated,
    }


class PartRepository(Repository):
    async def add(self, part: Part) -> None:
        await self._conn.execute(parts.insert().values(**_values(part)))

    async def save(self, part: Part) -> None:
        await self._conn.execute(
            parts.update().where(parts.c.id == part.id).values(**_values(part))
        )

    async def get(self, part_id: str, *, for_update: bool = False) -> Part | None:
        query = sa.select(parts).where(parts.c.id == part_id)
        if for_update and self.dialect == "postgresql":
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return _part(row) if row else None

    async def by_sku(self, sku: str, currency: str) -> Part | None:
        row = (
            await self._conn.execute(
                sa.select(parts).where(parts.c.sku == sku, parts.c.currency == currency)
            )
        ).first()
        return _part(row) if row else None

    async def list_page(
        self,
        page: PageRequest,
        *,
        sku: str | None = None,
        currency: str | None = None,
        active: bool | None = None,
    ) -> Page[Part]:
        where: list[sa.ColumnElement[bool]] = []
        if sku:
            where.append(parts.c.sku == sku)
        if currency:
            where.append(parts.c.currency == currency)
        if active is not None:
            where.append(parts.c.active == active)
        rows, has_more = await fetch_page(self._conn, parts, where, page)
        return Page([_part(r) for r in rows], has_more)
