"""The event table is also the transactional outbox: events are written in the
same transaction as the state change they describe, and delivered from here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from payments.events.domain import Event
from payments.events.tables import events
from payments.kernel.pagination import Page, PageRequest
from payments.platform.db.fast import Fast
from payments.platform.db.listing import fetch_page
from payments.platform.db.uow import Repository

# built once: building it per call costs more than running it; on PostgreSQL run on the
# driver connection (payments.platform.db.fast)
_INSERT = Fast(events.insert())


def to_event(row: Any) -> Event:
    return Event(
        id=row.id,
        type=row.type,
        object_id=row.object_id,
        data=row.data,
        created=row.created,
        location_id=row.location_id,
        request_id=row.request_id,
        idempotency_key=row.idempotency_key,
        livemode=row.livemode,
    )


class EventRepository(Repository):
    async def add(self, event: Event) -> None:
        await self.add_all([event])

    async def add_all(self, added: list[Event]) -> None:
        """Insert events in one statement (one round trip)."""
        if not added:
            return
        await _INSERT.execute_many(
            self._conn,
            [
                {
                    "id": event.id,
                    "type": event.type,
                    "object_id": event.object_id,
                    "location_id": event.location_id,
                    "data": event.data,
                    "request_id": event.request_id,
                    "idempotency_key": event.idempotency_key,
                    "livemode": event.livemode,
                    "created": event.created,
                }
                for event in added
            ],
        )

    async def get(self, event_id: str) -> Event | None:
        row = (await self._conn.execute(sa.select(events).where(events.c.id == event_id))).first()
        return to_event(row) if row else None

    async def list_page(
        self,
        page: PageRequest,
        *,
        types: list[str] | None = None,
        object_id: str | None = None,
        location_id: str | None = None,
        created_gte: datetime | None = None,
        created_lte: datetime | None = None,
    ) -> Page[Event]:
        where: list[sa.ColumnElement[bool]] = []
        if types:
            where.append(events.c.type.in_(types))
        if object_id:
            where.append(events.c.object_id == object_id)
        if location_id:
            where.append(events.c.location_id == location_id)
        if created_gte:
            where.append(events.c.created >= created_gte)
        if created_lte:
            where.append(events.c.created <= created_lte)
        rows, has_more = await fetch_page(self._conn, events, where, page)
        return Page([to_event(r) for r in rows], has_more)
