"""The outbox as the event bus reads it: unpublished events oldest first, the
publisher's lease, and the marks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from payments.eventbus.tables import event_publishers
from payments.events.domain import Event
from payments.events.repository import to_event
from payments.events.tables import events
from payments.platform.db.uow import Repository


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    backlog: int
    oldest: datetime | None
    holder: str | None
    locked_until: datetime | None
    published_through: str | None


class OutboxRepository(Repository):
    def _insert(self, table: sa.Table) -> Any:
        return (postgresql if self.dialect == "postgresql" else sqlite).insert(table)

    async def claim(self, *, name: str, holder: str, now: datetime, lease_until: datetime) -> bool:
        """Take the publisher's lease unless another holder's is still running."""
        p = event_publishers
        await self._conn.execute(
            self._insert(p)
            .values(name=name, updated=now)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        claimed = await self._conn.execute(
            p.update()
            .where(
                p.c.name == name,
                sa.or_(p.c.locked_until.is_(None), p.c.locked_until < now, p.c.holder == holder),
            )
            .values(holder=holder, locked_until=lease_until, updated=now)
        )
        return bool(claimed.rowcount)

    async def release(
        self, *, name: str, holder: str, now: datetime, published_through: str | None
    ) -> None:
        p = event_publishers
        values: dict[str, object] = {"holder": None, "locked_until": None, "updated": now}
        if published_through is not None:
            values["published_through"] = published_through
        await self._conn.execute(
            p.update().where(p.c.name == name, p.c.holder == holder).values(**values)
        )

    async def unpublished(self, limit: int) -> list[Event]:
        """The oldest events no broker has confirmed yet (ids sort by creation)."""
        rows = await self._conn.execute(
            sa.select(events)
            .where(events.c.published_at.is_(None))
            .order_by(events.c.id)
            .limit(limit)
        )
        return [to_event(r) for r in rows]

    async def mark_published(self, event_ids: Sequence[str], now: datetime) -> None:
        await self._conn.execute(
            events.update().where(events.c.id.in_(list(event_ids))).values(published_at=now)
        )

    async def skip_backlog(self, now: datetime) -> int:
        """Mark every unpublished event as published without sending it."""
        done = await self._conn.execute(
            events.update().where(events.c.published_at.is_(None)).values(published_at=now)
        )
        return int(done.rowcount or 0)

    async def status(self, name: str) -> OutboxStatus:
        count, oldest = (
            await self._conn.execute(
                sa.select(sa.func.count(), sa.func.min(events.c.created)).where(
                    events.c.published_at.is_(None)
                )
            )
        ).one()
        lease = (
            await self._conn.execute(
                sa.select(event_publishers).where(event_publishers.c.name == name)
            )
        ).first()
        return OutboxStatus(
            backlog=int(count),
            oldest=oldest,
            holder=lease.holder if lease else None,
            locked_until=lease.locked_until if lease else None,
            published_through=lease.published_through if lease else None,
        )
