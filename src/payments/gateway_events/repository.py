"""All SQL of the gateway event queue and the feed cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from payments.gateway_events.tables import gateway_cursors, gateway_events
from payments.platform.db.uow import Repository


class GatewayEventRepository(Repository):
    def _insert(self, table: sa.Table) -> Any:
        return (postgresql if self.dialect == "postgresql" else sqlite).insert(table)

    async def add_once(
        self, *, event_id: str, gateway: str, type: str, payload: Any, received: datetime
    ) -> bool:
        """Store an event by its gateway id; False when it was stored before."""
        inserted = await self._conn.execute(
            self._insert(gateway_events)
            .values(id=event_id, gateway=gateway, type=type, payload=payload, received=received)
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(gateway_events.c.id)
        )
        return inserted.scalar_one_or_none() is not None

    async def received_at(self, event_id: str) -> datetime:
        t = gateway_events
        query = sa.select(t.c.received).where(t.c.id == event_id)
        return (await self._conn.execute(query)).scalar_one()

    async def mark(
        self,
        event_id: str,
        *,
        error: str | None,
        locked_until: datetime | None,
        processed_at: datetime | None = None,
    ) -> None:
        """Record the outcome of applying an event (``processed_at`` None: retry later)."""
        t = gateway_events
        values: dict[str, Any] = {"error": error, "locked_until": locked_until}
        if processed_at is not None:
            values["processed_at"] = processed_at
        await self._conn.execute(t.update().where(t.c.id == event_id).values(**values))

    async def claim_pending(
        self, *, gateway: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[Any]:
        """Lease up to ``limit`` unprocessed events (oldest first) and return their payloads.
        ``SKIP LOCKED`` on PostgreSQL, so several workers never claim one event."""
        t = gateway_events
        query = (
            sa.select(t.c.id)
            .where(
                t.c.processed_at.is_(None),
                t.c.gateway == gateway,
                sa.or_(t.c.locked_until.is_(None), t.c.locked_until < now),
            )
            .order_by(t.c.received)
            .limit(limit)
        )
        if self.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list((await self._conn.execute(query)).scalars())
        if not ids:
            return []
        await self._conn.execute(t.update().where(t.c.id.in_(ids)).values(locked_until=lease_until))
        payloads = await self._conn.execute(
            sa.select(t.c.payload).where(t.c.id.in_(ids)).order_by(t.c.received)
        )
        return list(payloads.scalars().all())

    async def claim_cursor(
        self, *, gateway: str, now: datetime, lease_until: datetime
    ) -> tuple[bool, str | None]:
        """Lease the gateway's feed cursor: (claimed, cursor). One worker reads a feed."""
        c = gateway_cursors
        await self._conn.execute(
            self._insert(c)
            .values(gateway=gateway, cursor=None, updated=now)
            .on_conflict_do_nothing(index_elements=["gateway"])
        )
        claimed = await self._conn.execute(
            c.update()
            .where(
                c.c.gateway == gateway, sa.or_(c.c.locked_until.is_(None), c.c.locked_until < now)
            )
            .values(locked_until=lease_until)
            .returning(c.c.cursor)
        )
        row = claimed.first()
        return (False, None) if row is None else (True, row.cursor)

    async def release_cursor(self, *, gateway: str, cursor: str | None, now: datetime) -> None:
        c = gateway_cursors
        await self._conn.execute(
            c.update()
            .where(c.c.gateway == gateway)
            .values(cursor=cursor, locked_until=None, updated=now)
        )
