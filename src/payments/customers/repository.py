from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from payments.customers.domain import Customer
from payments.customers.tables import customers
from payments.kernel.pagination import Page, PageRequest
from payments.platform.db.listing import fetch_page
from payments.platform.db.uow import Repository


def _to_customer(row: Any) -> Customer:
    return Customer(
        id=row.id,
        created=row.created,
        name=row.name,
        email=row.email,
        phone=row.phone,
        address=row.address,
        preferred_locales=list(row.preferred_locales),
        metadata=dict(row.metadata),
        location_id=row.location_id,
        livemode=row.livemode,
        deleted_at=row.deleted_at,
    )


def _values(c: Customer) -> dict[str, Any]:
    return {
        "name": c.name,
        "email": c.email,
        "phone": c.phone,
        "address": c.address,
        "preferred_locales": c.preferred_locales,
        "metadata": c.metadata,
        "location_id": c.location_id,
        "deleted_at": c.deleted_at,
    }


class CustomerRepository(Repository):
    async def add(self, customer: Customer) -> None:
        await self._conn.execute(
            customers.insert().values(
                id=customer.id,
                created=customer.created,
                livemode=customer.livemode,
                **_values(customer),
            )
        )

    async def save(self, customer: Customer) -> None:
        await self._conn.execute(
            customers.update().where(customers.c.id == customer.id).values(**_values(customer))
        )

    async def get(self, customer_id: str) -> Customer | None:
        row = (
            await self._conn.execute(sa.select(customers).where(customers.c.id == customer_id))
        ).first()
        return _to_customer(row) if row else None

    async def list_page(
        self,
        page: PageRequest,
        *,
        email: str | None = None,
        location_id: str | None = None,
        created_gte: datetime | None = None,
        created_lte: datetime | None = None,
    ) -> Page[Customer]:
        where: list[sa.ColumnElement[bool]] = [customers.c.deleted_at.is_(None)]
        if email is not None:
            where.append(customers.c.email == email)
        if created_gte is not None:
            where.append(customers.c.created >= created_gte)
        if created_lte is not None:
            where.append(customers.c.created <= created_lte)
        if location_id is not None:
            where.append(customers.c.location_id == location_id)
        rows, has_more = await fetch_page(self._conn, customers, where, page)
        return Page([_to_customer(r) for r in rows], has_more)
