"""Storage for idempotency keys; see :mod:`payments.idempotency.service`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from payments.idempotency.tables import idempotency_keys as t
from payments.platform.db.uow import Repository


class IdempotencyRepository(Repository):
    async def try_insert(self, values: dict[str, Any]) -> int | None:
        """Insert a new key; None when (api_key_id, key) already exists."""
        dialect = postgresql if self._conn.dialect.name == "postgresql" else sqlite
        stmt = (
            dialect.insert(t)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["api_key_id", "key"])
            .returning(t.c.id)
        )
        return (await self._conn.execute(stmt)).scalar_one_or_none()

    async def get_for_update(self, api_key_id: str, key: str) -> Any:
        query = sa.select(t).where(t.c.api_key_id == api_key_id, t.c.key == key)
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update()
        return (await self._conn.execute(query)).first()

    async def set_resource(
        self, api_key_id: str, key: str, resource_type: str, resource_id: str
    ) -> None:
        await self._conn.execute(
            t.update()
            .where(t.c.api_key_id == api_key_id, t.c.key == key)
            .values(resource_type=resource_type, resource_id=resource_id)
        )

    async def resource(self, api_key_id: str, key: str, resource_type: str) -> str | None:
        query = sa.select(t.c.resource_id).where(
            t.c.api_key_id == api_key_id, t.c.key == key, t.c.resource_type == resource_type
        )
        return (await self._conn.execute(query)).scalar_one_or_none()

    async def update(self, record_id: int, **values: Any) -> None:
        await self._conn.execute(t.update().where(t.c.id == record_id).values(**values))

    async def renew(self, record_id: int, held_since: datetime, now: datetime) -> bool:
        """Move the lease of an in-progress key from ``held_since`` to ``now``; False when
        it is no longer ours (completed, released, or taken over: ``locked_at`` moved)."""
        result = await self._conn.execute(
            t.update()
            .where(t.c.id == record_id, t.c.status == "in_progress", t.c.locked_at == held_since)
            .values(locked_at=now)
        )
        return bool(result.rowcount == 1)

    async def release(self, record_id: int) -> None:
        """Forget a key whose request did nothing; but a key that recorded an object it
        created keeps it (the recovery point), unlocked, so the retry resumes that object."""
        result = await self._conn.execute(
            t.delete().where(t.c.id == record_id, t.c.resource_id.is_(None))
        )
        if not result.rowcount:
            await self._conn.execute(t.update().where(t.c.id == record_id).values(locked_at=None))

    async def purge_older_than(self, cutoff: datetime) -> int:
        result = await self._conn.execute(t.delete().where(t.c.created < cutoff))
        return int(result.rowcount or 0)
