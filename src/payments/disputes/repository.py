"""All SQL of disputes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from payments.disputes.domain import Dispute
from payments.disputes.tables import disputes
from payments.platform.db.records import RecordRepository


class DisputeRepository(RecordRepository[Dispute]):
    table = disputes
    record = Dispute

    async def by_gateway_ref(
        self, gateway: str, ref: str, *, for_update: bool = False
    ) -> Dispute | None:
        query = sa.select(disputes).where(
            disputes.c.gateway == gateway, disputes.c.gateway_ref == ref
        )
        if for_update and self._conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return self._from_row(row) if row else None

    async def claim_near_deadline(
        self, statuses: list[str], *, now: datetime, warn_from: datetime, limit: int
    ) -> list[Dispute]:
        """Lock disputes in ``statuses`` that are due by ``warn_from`` and not flagged yet,
        or past due and not marked so (``SKIP LOCKED``: several workers share the work)."""
        t = disputes
        query = (
            sa.select(t)
            .where(
                t.c.status.in_(statuses),
                sa.or_(
                    sa.and_(t.c.deadline_flagged_at.is_(None), t.c.due_by <= warn_from),
                    sa.and_(t.c.past_due.is_(False), t.c.due_by <= now),
                ),
            )
            .order_by(t.c.due_by)
            .limit(limit)
        )
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [self._from_row(r) for r in (await self._conn.execute(query)).all()]

    async def ledger_view(self) -> list[tuple[str, str, int, str, int, bool]]:
        """(id, status, amount, currency, fee, funds_withdrawn) of every dispute, for
        ``payments ledger verify``."""
        d = disputes.c
        query = sa.select(d.id, d.status, d.amount, d.currency, d.fee, d.funds_withdrawn)
        return [tuple(row) for row in (await self._conn.execute(query)).all()]
