"""The audit log: append under the chain-head lock, read in chain order, page for the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import asdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.audit.domain import GENESIS_HASH, AuditRecord
from payments.audit.tables import audit_chain, audit_log
from payments.kernel.pagination import Created, Page, PageRequest
from payments.platform.db.listing import fetch_page, list_filters
from payments.platform.db.uow import Repository

HEAD_ID = 1


def _record(row: Any) -> AuditRecord:
    m = row._mapping
    return AuditRecord(**{name: m[name] for name in AuditRecord.__dataclass_fields__})


class AuditRepository(Repository):
    def __init__(self, conn: AsyncConnection) -> None:
        super().__init__(conn)
        self._dialect = postgresql if conn.dialect.name == "postgresql" else sqlite

    async def lock_head(self, now: datetime) -> tuple[int, str]:
        """Lock the chain head (creating it on first use) and return (seq, hash) of the
        newest record. The lock is held until the transaction ends, so appends from
        several processes queue here (SQLite serialises writers anyway)."""
        stmt = self._dialect.insert(audit_chain).values(
            id=HEAD_ID, seq=0, hash=GENESIS_HASH, updated=now
        )
        row = (
            await self._conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["id"], set_={"updated": stmt.excluded.updated}
                ).returning(audit_chain.c.seq, audit_chain.c.hash)
            )
        ).one()
        return int(row.seq), str(row.hash)

    async def append(self, record: AuditRecord) -> None:
        """Insert ``record`` and move the head to it (call with the head locked)."""
        await self._conn.execute(audit_log.insert().values(**asdict(record)))
        await self._conn.execute(
            audit_chain.update()
            .where(audit_chain.c.id == HEAD_ID)
            .values(seq=record.seq, hash=record.hash, updated=record.created)
        )

    async def head(self) -> tuple[int, str] | None:
        row = (
            await self._conn.execute(
                sa.select(audit_chain.c.seq, audit_chain.c.hash).where(audit_chain.c.id == HEAD_ID)
            )
        ).first()
        return (int(row.seq), str(row.hash)) if row else None

    async def max_seq(self) -> int:
        query = sa.select(sa.func.coalesce(sa.func.max(audit_log.c.seq), 0))
        return int((await self._conn.execute(query)).scalar_one())

    async def in_chain_order(
        self, *, upto: int | None = None, batch: int = 1000
    ) -> AsyncIterator[list[AuditRecord]]:
        """Every record by ascending ``seq`` (up to ``upto`` if given), in batches."""
        after = -1
        while True:
            query = sa.select(audit_log).where(audit_log.c.seq > after)
            if upto is not None:
                query = query.where(audit_log.c.seq <= upto)
            rows = (await self._conn.execute(query.order_by(audit_log.c.seq).limit(batch))).all()
            if not rows:
                return
            records = [_record(r) for r in rows]
            yield records
            after = records[-1].seq

    async def list_page(
        self,
        page: PageRequest,
        *,
        object_id: str | None = None,
        actor_id: str | None = None,
        action: str | None = None,
        created: Created | None = None,
        location_id: str | None = None,
    ) -> Page[AuditRecord]:
        """Newest first; each filter given (not None or "") must match."""
        where = list_filters(
            audit_log,
            equals={"object_id": object_id, "actor_id": actor_id, "action": action},
            created=created,
            location_id=location_id,
        )
        rows, has_more = await fetch_page(self._conn, audit_log, where, page)
        return Page([_record(r) for r in rows], has_more)
