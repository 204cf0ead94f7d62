"""All SQL of refunds."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.records import RecordRepository
from payments.refunds.domain.refund import Refund, RefundStatus
from payments.refunds.tables import refunds

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

    async def ledger_view(self) -> list[tuple[str, str, str, int, str, bool]]:
        """(id, charge id, status, amount, currency, sent) of every refund, for
        ``payments ledger verify``."""
        r = refunds.c
        query = sa.select(r.id, r.charge_id, r.status, r.amount, r.currency, r.sent_at)
        return [
            (rid, charge_id, status, amount, currency, sent_at is not None)
            for rid, charge_id, status, amount, currency, sent_at in (
                await self._conn.execute(query)
            ).all()
        ]
