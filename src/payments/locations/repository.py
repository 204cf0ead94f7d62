"""All SQL of the shops."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

from payments.kernel.pagination import Page, PageRequest
from payments.locations.domain import Location
from payments.locations.tables import locations
from payments.platform.db.listing import fetch_page
from payments.platform.db.uow import Repository

SYNC_LOCK_KEY = 0x4C_4F_43_53  # "LOCS": pg_advisory_xact_lock key of payments locations sync


def _to_location(row: Any) -> Location:
    return Location(
        id=row.id,
        name=row.name,
        address=row.address,
        default_currency=row.default_currency,
        timezone=row.timezone,
        payment_method_types=list(row.payment_method_types),
        currencies=list(row.currencies),
        created=row.created,
        metadata=dict(row.metadata),
        livemode=row.livemode,
        legal_entity_id=row.legal_entity_id,
        active=row.active,
        external_id=row.external_id,
        price_list=row.price_list,
        tax_region=row.tax_region,
        overridden=tuple(row.overridden or ()),
        upstream=row.upstream,
    )


def _values(location: Location) -> dict[str, Any]:
    return {
        "name": location.name,
        "address": location.address,
        "country": location.country,
        "default_currency": location.default_currency,
        "timezone": location.timezone,
        "payment_method_types": location.payment_method_types,
        "currencies": location.currencies,
        "metadata": location.metadata,
        "legal_entity_id": location.legal_entity_id,
        "active": location.active,
        "external_id": location.external_id,
        "price_list": location.price_list,
        "tax_region": location.tax_region,
        "overridden": list(location.overridden),
        "upstream": dict(location.upstream) if location.upstream is not None else None,
    }


CACHE_SECONDS = 2.0
"""How long :meth:`LocationRepository.get_cached` reuses a location it read: an update
made by another process shows within this time (this process's own writes at once)."""

_CACHE: dict[tuple[str, str], tuple[float, Location]] = {}
_GET = sa.select(locations).where(locations.c.id == sa.bindparam("id"))


class LocationRepository(Repository):
    def _cache_key(self, location_id: str) -> tuple[str, str]:
        return (str(self._conn.engine.url), location_id)

    async def get_cached(self, location_id: str) -> Location | None:
        """:meth:`get`, reusing a read of the last :data:`CACHE_SECONDS` (the payment path
        reads the shop of every payment; shops change rarely)."""
        key = self._cache_key(location_id)
        hit = _CACHE.get(key)
        now = time.monotonic()
        if hit is not None and hit[0] > now:
            return hit[1]
        location = await self.get(location_id)
        if location is not None:
            if len(_CACHE) > 10_000:  # a bound, not an LRU: shops are few
                _CACHE.clear()
            _CACHE[key] = (now + CACHE_SECONDS, location)
        return location

    async def add(self, location: Location) -> None:
        await self._conn.execute(
            locations.insert().values(
                id=location.id,
                livemode=location.livemode,
                created=location.created,
                **_values(location),
            )
        )

    async def save(self, location: Location) -> None:
        _CACHE.pop(self._cache_key(location.id), None)
        await self._conn.execute(
            locations.update().where(locations.c.id == location.id).values(**_values(location))
        )

    async def get(self, location_id: str) -> Location | None:
        row = (await self._conn.execute(_GET, {"id": location_id})).first()
        return _to_location(row) if row else None

    async def by_external_id(self, external_id: str) -> Location | None:
        row = (
            await self._conn.execute(
                sa.select(locations).where(locations.c.external_id == external_id)
            )
        ).first()
        return _to_location(row) if row else None

    async def lock_for_sync(self) -> None:
        """One sync at a time: on PostgreSQL a transaction-scoped advisory lock (a second
        sync waits, then finds the first one's work done); SQLite has one writer anyway."""
        if self.dialect == "postgresql":
            await self._conn.execute(sa.select(sa.func.pg_advisory_xact_lock(SYNC_LOCK_KEY)))

    async def linked(self) -> list[Location]:
        """Every shop linked to the Locations Service, locked for the sync on PostgreSQL."""
        query = (
            sa.select(locations)
            .where(locations.c.external_id.is_not(None))
            .order_by(locations.c.id)
        )
        if self.dialect == "postgresql":
            query = query.with_for_update()
        return [_to_location(r) for r in (await self._conn.execute(query)).all()]

    async def all(self) -> list[Location]:
        rows = await self._conn.execute(sa.select(locations).order_by(locations.c.id))
        return [_to_location(r) for r in rows.all()]

    async def unlinked(self) -> list[Location]:
        """Shops without a legal entity."""
        rows = await self._conn.execute(
            sa.select(locations).where(locations.c.legal_entity_id.is_(None))
        )
        return [_to_location(r) for r in rows.all()]

    async def count(self) -> int:
        return int(
            (await self._conn.execute(sa.select(sa.func.count(locations.c.id)))).scalar_one()
        )

    async def list_page(
        self,
        page: PageRequest,
        *,
        only_id: str | None = None,
        active: bool | None = None,
        external_id: str | None = None,
    ) -> Page[Location]:
        where: list[sa.ColumnElement[bool]] = [locations.c.id == only_id] if only_id else []
        if active is not None:
            where.append(locations.c.active == active)
        if external_id is not None:
            where.append(locations.c.external_id == external_id)
        rows, has_more = await fetch_page(self._conn, locations, where, page)
        return Page([_to_location(r) for r in rows], has_more)
