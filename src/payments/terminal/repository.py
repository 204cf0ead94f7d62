"""Readers and reader actions."""

from __future__ import annotations

from payments.platform.db.records import RecordRepository
from payments.terminal.domain import ActionStatus, Reader, ReaderAction
from payments.terminal.tables import terminal_reader_actions, terminal_readers


class ReaderRepository(RecordRepository[Reader]):
    table = terminal_readers
    record = Reader

    async def by_gateway_ref(self, gateway: str, ref: str) -> Reader | None:
        t = terminal_readers.c
        found = await self.find(t.gateway == gateway, t.gateway_ref == ref)
        return found[0] if found else None


class ReaderActionRepository(RecordRepository[ReaderAction]):
    table = terminal_reader_actions
    record = ReaderAction

    async def in_progress(
        self, *, reader_id: str, type: str, gateway_ref: str | None = None
    ) -> ReaderAction | None:
        """The reader's action of ``type`` still in progress (with ``gateway_ref``)."""
        t = terminal_reader_actions.c
        where = [
            t.reader_id == reader_id,
            t.type == type,
            t.status == ActionStatus.in_progress.value,
        ]
        if gateway_ref is not None:
            where.append(t.gateway_ref == gateway_ref)
        found = await self.find(*where, order_by=t.id.desc(), limit=1)
        return found[0] if found else None

    async def in_progress_unlinked(self, *, reader_id: str, type: str) -> ReaderAction | None:
        """The reader's action of ``type`` in progress whose gateway reference we never
        learned (the gateway's answer to starting it was lost)."""
        t = terminal_reader_actions.c
        found = await self.find(
            t.reader_id == reader_id,
            t.type == type,
            t.status == ActionStatus.in_progress.value,
            t.gateway_ref.is_(None),
            order_by=t.id.desc(),
            limit=1,
        )
        return found[0] if found else None

    async def open_for_intent(self, payment_intent_id: str) -> ReaderAction | None:
        t = terminal_reader_actions.c
        found = await self.find(
            t.payment_intent_id == payment_intent_id,
            t.status == ActionStatus.in_progress.value,
            limit=1,
        )
        return found[0] if found else None

    async def of_charge(self, charge_id: str) -> list[ReaderAction]:
        """The actions that made or refunded ``charge_id``, oldest first."""
        t = terminal_reader_actions.c
        return await self.find(t.charge_id == charge_id, order_by=t.id)
