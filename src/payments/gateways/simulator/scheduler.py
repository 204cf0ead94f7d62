"""Scheduled transitions, evaluated against the injected clock.

Nothing happens in the background: SEPA settlements and bounces, authorized local
method payments settling, BLIK approvals running out, disputes and refund status
changes become due at a time, and are applied (each in its own
transaction, with its events) when ``process_due()`` runs -- which
``list_events`` and ``retrieve_charge`` do first. Several processes may run it
at once: each item is re-checked under its row lock and cleared as it is
applied, so it happens exactly once.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from payments.gateways.protocol import Dispute
from payments.kernel.clock import Clock

from . import charges as ch
from . import local_methods as local
from .disputes import dispute_fee
from .early_fraud_warnings import raise_warning, settle_actionable
from .events import EventLog, Outbox
from .operations import load_refund, refund_snapshot
from .settings import SimulatorSettings, new_id
from .store import SimulatorStore, charges, disputes, refunds
from .testibans import SEPA_FAILURES

BATCH = 100


class Scheduler:
    def __init__(
        self, store: SimulatorStore, clock: Clock, settings: SimulatorSettings, event_log: EventLog
    ) -> None:
        self._store = store
        self._clock = clock
        self._settings = settings
        self._events = event_log

    async def process_due(self, *, charge: str | None = None) -> int:
        """Apply every transition due by now (only ``charge``'s if given); return the count."""
        applied = 0
        while True:
            now = self._clock.now()
            progressed = 0
            for charge_id in await self._due(charges.c.settle_at, charges.c.id, now, charge):
                progressed += await self._settle_charge(charge_id, now)
            for charge_id in await self._due(charges.c.dispute_at, charges.c.id, now, charge):
                progressed += await self._dispute(charge_id, now)
            for refund_id in await self._due(refunds.c.settle_at, refunds.c.id, now, charge):
                progressed += await self._settle_refund(refund_id, now)
            applied += progressed
            if not progressed:
                return applied

    async def _due(
        self, when: sa.Column, ident: sa.Column, now: datetime, charge: str | None
    ) -> list[str]:
        query = sa.select(ident).where(when.is_not(None), when <= now).order_by(when).limit(BATCH)
        if charge is not None:
            owner = refunds.c.charge_id if ident.table is refunds else charges.c.id
            query = query.where(owner == charge)
        async with self._store.transaction() as conn:
            return list((await conn.execute(query)).scalars())

    async def _settle_charge(self, charge_id: str, now: datetime) -> int:
        async with self._store.transaction() as conn:
            row = await ch.load(conn, charge_id, lock=True)
            if row.settle_at is None or row.settle_at > now:
                return 0
            waiting = row.status == "requires_action" and row.settle_outcome == "expired"
            if row.status != "processing" and not waiting:
                return 0
            if row.settle_outcome == "succeeded":
                values = ch.succeeded_row(row, row.amount, now, self._settings)
            elif local.is_local(ch.method_type(row)):
                values = ch.failed(local.DECLINES[row.settle_outcome])
            else:
                values = ch.failed(SEPA_FAILURES[row.scenario])
            result = await ch.update(conn, charge_id, now, **values)
            outbox = Outbox()
            ch.announce(outbox, result, now)
            await self._events.write(conn, outbox)
        return 1

    async def _dispute(self, charge_id: str, now: datetime) -> int:
        async with self._store.transaction() as conn:
            row = await ch.load(conn, charge_id, lock=True)
            if row.dispute_at is None or row.dispute_at > now:
                return 0
            fraud_type = ch.early_fraud_warning(ch.method_type(row), row.scenario)
            if fraud_type is not None:  # the issuer's news is a warning, not a dispute
                await ch.update(conn, charge_id, now, dispute_at=None)
                outbox = Outbox()
                if row.status == "succeeded":
                    await raise_warning(conn, outbox, charge_id, fraud_type, now)
                await self._events.write(conn, outbox)
                return 1
            reason = ch.dispute_reason(ch.method_type(row), row.scenario) or "general"
            dispute = Dispute(
                reference=new_id("dp_sim", now),
                charge=charge_id,
                amount=row.amount_received,
                currency=row.currency,
                reason=reason,
                status="needs_response",
                created=now,
                fee=dispute_fee(row.amount_received, row.currency),
            )
            await conn.execute(
                disputes.insert().values(
                    id=dispute.reference,
                    charge_id=charge_id,
                    amount=dispute.amount,
                    currency=dispute.currency,
                    reason=dispute.reason,
                    status=dispute.status,
                    created=now,
                )
            )
            result = await ch.update(conn, charge_id, now, disputed=True, dispute_at=None)
            outbox = Outbox()
            outbox.add("charge.dispute.created", now, charge=result, dispute=dispute)
            outbox.add("charge.dispute.funds_withdrawn", now, dispute=dispute)
            await settle_actionable(conn, outbox, charge_id, now)
            await self._events.write(conn, outbox)
        return 1

    async def _settle_refund(self, refund_id: str, now: datetime) -> int:
        async with self._store.transaction() as conn:
            row = (
                await conn.execute(
                    sa.select(refunds).where(refunds.c.id == refund_id).with_for_update()
                )
            ).first()
            if row is None or row.settle_at is None or row.settle_at > now:
                return 0
            outcome = row.settle_outcome
            await conn.execute(
                refunds.update()
                .where(refunds.c.id == refund_id)
                .values(
                    status=outcome,
                    failure_reason="declined" if outcome == "failed" else None,
                    settle_at=None,
                    settle_outcome=None,
                    updated=now,
                )
            )
            outbox = Outbox()
            result = refund_snapshot(await load_refund(conn, refund_id))
            outbox.add("refund.updated", now, refund=result)
            if outcome == "failed":
                await conn.execute(
                    charges.update()
                    .where(charges.c.id == row.charge_id)
                    .values(amount_refunded=charges.c.amount_refunded - row.amount, updated=now)
                )
                outbox.add("refund.failed", now, refund=result)
            await self._events.write(conn, outbox)
        return 1
