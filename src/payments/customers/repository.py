from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from payments.customers.domain import Customer, CustomerTaxId
from payments.customers.tables import customer_tax_ids, customers
from payments.kernel.pagination import Page, PageRequest
from payments.platform.db.listing import fetch_page
from payments.platform.db.uow import Repository
from payments.tax.domain.model import TaxExempt
from payments.tax.domain.vat_ids import TaxIdType
from payments.tax.domain.verification import VatIdVerification, VerificationStatus


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
        tax_exempt=TaxExempt(row.tax_exempt),
        external_id=row.external_id,
        test_clock=row.test_clock,
    )


def _values(c: Customer) -> dict[str, Any]:
    return {
        "name": c.name,
        "email": c.email,
        "email_bidx": c.email,  # BlindIndex: hashed on the way in
        "phone": c.phone,
        "address": c.address,
        "preferred_locales": c.preferred_locales,
        "metadata": c.metadata,
        "location_id": c.location_id,
        "deleted_at": c.deleted_at,
        "tax_exempt": c.tax_exempt.value,
        "external_id": c.external_id,
        "test_clock": c.test_clock,
    }


class CustomerRepository(Repository):
    async def add(self, customer: Customer) -> bool:
        """Insert; False (nothing written) when another customer holds its external_id."""
        insert = (postgresql if self.dialect == "postgresql" else sqlite).insert(customers)
        done = await self._conn.execute(
            insert.values(
                id=customer.id,
                created=customer.created,
                livemode=customer.livemode,
                **_values(customer),
            ).on_conflict_do_nothing(index_elements=["external_id"])
        )
        return bool(done.rowcount)

    async def save(self, customer: Customer) -> None:
        await self._conn.execute(
            customers.update().where(customers.c.id == customer.id).values(**_values(customer))
        )

    async def by_external_id(self, external_id: str) -> Customer | None:
        row = (
            await self._conn.execute(
                sa.select(customers).where(customers.c.external_id == external_id)
            )
        ).first()
        return _to_customer(row) if row else None

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
            where.append(customers.c.email_bidx == email)
        if created_gte is not None:
            where.append(customers.c.created >= created_gte)
        if created_lte is not None:
            where.append(customers.c.created <= created_lte)
        if location_id is not None:
            where.append(customers.c.location_id == location_id)
        rows, has_more = await fetch_page(self._conn, customers, where, page)
        return Page([_to_customer(r) for r in rows], has_more)


def _to_tax_id(row: Any) -> CustomerTaxId:
    return CustomerTaxId(
        id=row.id,
        customer_id=row.customer_id,
        type=TaxIdType(row.type),
        value=row.value,
        country=row.country,
        created=row.created,
        verification=VatIdVerification(
            status=VerificationStatus(row.verification_status),
            checked_at=row.checked_at,
            source=row.verification_source,
            verified_name=row.verified_name,
            verified_address=row.verified_address,
            reference=row.verification_reference,
            detail=row.verification_detail,
        ),
        livemode=row.livemode,
        deleted_at=row.deleted_at,
    )


class TaxIdRepository(Repository):
    async def add(self, tax_id: CustomerTaxId) -> None:
        v = tax_id.verification
        await self._conn.execute(
            customer_tax_ids.insert().values(
                id=tax_id.id,
                customer_id=tax_id.customer_id,
                type=tax_id.type.value,
                value=tax_id.value,
                country=tax_id.country,
                verification_status=v.status.value,
                verification_source=v.source,
                verified_name=v.verified_name,
                verified_address=v.verified_address,
                verification_reference=v.reference,
                verification_detail=v.detail,
                checked_at=v.checked_at,
                livemode=tax_id.livemode,
                created=tax_id.created,
                deleted_at=tax_id.deleted_at,
            )
        )

    async def get(self, customer_id: str, tax_id: str) -> CustomerTaxId | None:
        row = (
            await self._conn.execute(
                sa.select(customer_tax_ids).where(
                    customer_tax_ids.c.id == tax_id,
                    customer_tax_ids.c.customer_id == customer_id,
                    customer_tax_ids.c.deleted_at.is_(None),
                )
            )
        ).first()
        return _to_tax_id(row) if row else None

    async def mark_deleted(self, tax_id: CustomerTaxId) -> None:
        await self._conn.execute(
            customer_tax_ids.update()
            .where(customer_tax_ids.c.id == tax_id.id)
            .values(deleted_at=tax_id.deleted_at)
        )

    async def all_for(self, customer_id: str) -> list[CustomerTaxId]:
        """Every tax id of the customer that is not deleted, oldest first."""
        rows = await self._conn.execute(
            sa.select(customer_tax_ids)
            .where(
                customer_tax_ids.c.customer_id == customer_id,
                customer_tax_ids.c.deleted_at.is_(None),
            )
            .order_by(customer_tax_ids.c.id)
        )
        return [_to_tax_id(r) for r in rows]

    async def list_page(self, customer_id: str, page: PageRequest) -> Page[CustomerTaxId]:
        where = [
            customer_tax_ids.c.customer_id == customer_id,
            customer_tax_ids.c.deleted_at.is_(None),
        ]
        rows, has_more = await fetch_page(self._conn, customer_tax_ids, where, page)
        return Page([_to_tax_id(r) for r in rows], has_more)
