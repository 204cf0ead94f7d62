"""Repositories for refunds and disputes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from payments.adapters.db.repositories.records import RecordRepository
from payments.adapters.db.tables import disputes, refunds
from payments.domain.disputes import Dispute
from payments.domain.refunds import Refund, RefundStatus

_NOT_COUNTING = (RefundStatus.FAILED.value, RefundStatus.CANCELED.value)


class RefundRepository(RecordRepository[Refund]):
    table = refunds
    record = Refund

    async def reserved_for(self, charge_id: str) -> int:
        """What the charge's refunds that are not failed or canceled take, in minor units.
        Read it with the charge locked, so that concurrent requests see each other."""
        query = sa.select(sa.func.coalesce(sa.func.sum(refunds.c.amount), 0)).where(
            refunds.c.charge_id == charge_id, refunds.c.status.not_in(_NOT_COUNTING)
        )
        return int((await self._conn.execute(query)).scalar_one())

    async def by_gateway_ref(self, gateway: str, ref: str) -> Refund | None:
        found = await self.find(refunds.c.gateway == gateway, refunds.c.gateway_ref == ref)
        return found[0] if found else None


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
