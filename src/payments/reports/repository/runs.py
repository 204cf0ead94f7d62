"""Report runs (queued, leased, their progress) and the files they write (in chunks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from payments.kernel.pagination import PageRequest
from payments.platform.db.listing import fetch_page
from payments.platform.db.uow import Repository
from payments.reports.tables import file_chunks, files, report_runs


class ReportRunRepository(Repository):
    async def insert(self, values: dict[str, Any]) -> None:
        await self._conn.execute(report_runs.insert().values(**values))

    async def get(self, run_id: str) -> dict[str, Any] | None:
        row = (
            await self._conn.execute(sa.select(report_runs).where(report_runs.c.id == run_id))
        ).first()
        return dict(row._mapping) if row else None

    async def page(
        self, page: PageRequest, *, location: str | None
    ) -> tuple[list[dict[str, Any]], bool]:
        where = [report_runs.c.location_id == location] if location else []
        rows, more = await fetch_page(self._conn, report_runs, where, page)
        return [dict(r._mapping) for r in rows], more

    async def claim(
        self, now: datetime, *, lease_until: datetime, run_id: str | None = None
    ) -> dict[str, Any] | None:
        """Lock and lease the oldest pending run (or this one) no live worker holds."""
        t = report_runs
        free = sa.or_(t.c.locked_until.is_(None), t.c.locked_until < now)
        only = [t.c.id == run_id] if run_id else []
        query = (
            sa.select(t.c.id)
            .where(t.c.status == "pending", free, *only)
            .order_by(t.c.created)
            .limit(1)
        )
        if self.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        run_id = (await self._conn.execute(query)).scalar()
        if run_id is None:
            return None
        await self._conn.execute(
            t.update()
            .where(t.c.id == run_id)
            .values(locked_until=lease_until, attempts=t.c.attempts + 1, rows_done=0)
        )
        return await self.get(run_id)

    async def update(self, run_id: str, **values: Any) -> None:
        await self._conn.execute(
            report_runs.update().where(report_runs.c.id == run_id).values(**values)
        )


class FileRepository(Repository):
    async def insert(self, values: dict[str, Any]) -> None:
        await self._conn.execute(files.insert().values(**values))

    async def get(self, file_id: str) -> dict[str, Any] | None:
        row = (await self._conn.execute(sa.select(files).where(files.c.id == file_id))).first()
        return dict(row._mapping) if row else None

    async def add_chunk(self, file_id: str, seq: int, data: bytes) -> None:
        await self._conn.execute(file_chunks.insert().values(file_id=file_id, seq=seq, data=data))

    async def drop_chunks(self, file_id: str) -> None:
        await self._conn.execute(file_chunks.delete().where(file_chunks.c.file_id == file_id))

    async def chunks_from(self, file_id: str, seq: int, limit: int) -> list[tuple[int, bytes]]:
        rows = await self._conn.execute(
            sa.select(file_chunks.c.seq, file_chunks.c.data)
            .where(file_chunks.c.file_id == file_id, file_chunks.c.seq >= seq)
            .order_by(file_chunks.c.seq)
            .limit(limit)
        )
        return [(int(s), bytes(d)) for s, d in rows.all()]
