"""Disputes at the simulator: evidence, acceptance, and the test hook that decides them.

A dispute opens ``needs_response`` (see :mod:`.scheduler`); submitting evidence
makes it ``under_review``; closing (accepting) it makes it ``lost``; only the
test hook :meth:`DisputeCalls.resolve_dispute` makes it ``won`` or ``lost`` --
the card network's decision, which a real gateway reports days later. Each
change appends ``charge.dispute.updated`` / ``charge.dispute.closed`` (and
``charge.dispute.funds_reinstated`` when won) to the event log. Evidence
content is accepted and not kept: the simulator judges nothing.

Invalid requests raise :class:`GatewayInvalidRequest` with code
``dispute_unexpected_state`` (or ``resource_missing``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.gateways.protocol import Dispute, GatewayInvalidRequest, ResourceMissing

from .events import Outbox
from .fees import DISPUTE, fee_for
from .store import disputes

if TYPE_CHECKING:
    from payments.kernel.clock import Clock

    from .faults import Faults
    from .store import SimulatorStore

T = TypeVar("T")

# status -> status after submitting evidence / after closing (accepting)
_SUBMITTED = {"needs_response": "under_review", "warning_needs_response": "warning_under_review"}
_CLOSED = {"needs_response": "lost", "warning_needs_response": "warning_closed"}
_DECIDABLE = ("needs_response", "under_review")


def dispute_fee(amount: int, currency: str) -> int:
    return fee_for(amount, currency, DISPUTE)


def snapshot(row: sa.Row) -> Dispute:
    return Dispute(
        reference=row.id,
        charge=row.charge_id,
        amount=row.amount,
        currency=row.currency,
        reason=row.reason,
        status=row.status,
        created=row.created,
        fee=dispute_fee(row.amount, row.currency),
    )


async def load(conn: AsyncConnection, reference: str, *, lock: bool = False) -> sa.Row:
    query = sa.select(disputes).where(disputes.c.id == reference)
    row = (await conn.execute(query.with_for_update() if lock else query)).first()
    if row is None:
        raise ResourceMissing("dispute", reference, param="dispute")
    return row


def _refuse(row: sa.Row, action: str) -> GatewayInvalidRequest:
    return GatewayInvalidRequest(
        f"You cannot {action} this dispute because it has a status of {row.status}.",
        code="dispute_unexpected_state",
    )


async def _set_status(
    conn: AsyncConnection, outbox: Outbox, reference: str, status: str, event: str, now: datetime
) -> Dispute:
    await conn.execute(disputes.update().where(disputes.c.id == reference).values(status=status))
    result = snapshot(await load(conn, reference))
    outbox.add(event, now, dispute=result)
    return result


async def update_evidence(
    conn: AsyncConnection, outbox: Outbox, reference: str, submit: bool, now: datetime
) -> Dispute:
    row = await load(conn, reference, lock=True)
    if row.status not in _SUBMITTED:
        raise _refuse(row, "update the evidence of")
    if not submit:
        return snapshot(row)
    return await _set_status(
        conn, outbox, reference, _SUBMITTED[row.status], "charge.dispute.updated", now
    )


async def close(conn: AsyncConnection, outbox: Outbox, reference: str, now: datetime) -> Dispute:
    row = await load(conn, reference, lock=True)
    if row.status not in _CLOSED:
        raise _refuse(row, "close")
    return await _set_status(
        conn, outbox, reference, _CLOSED[row.status], "charge.dispute.closed", now
    )


async def resolve(
    conn: AsyncConnection, outbox: Outbox, reference: str, outcome: str, now: datetime
) -> Dispute:
    if outcome not in ("won", "lost"):
        raise GatewayInvalidRequest(
            "outcome must be won or lost", code="parameter_invalid", param="outcome"
        )
    row = await load(conn, reference, lock=True)
    if row.status not in _DECIDABLE:
        raise _refuse(row, "resolve")
    result = await _set_status(conn, outbox, reference, outcome, "charge.dispute.closed", now)
    if outcome == "won":
        outbox.add("charge.dispute.funds_reinstated", now, dispute=result)
    return result


class DisputeCalls:
    """The dispute calls of :class:`~.gateway.SimulatorGateway` (mixed in): the
    ``DisputeManagement`` capability of the gateway port, and a test hook."""

    if TYPE_CHECKING:
        clock: Clock
        store: SimulatorStore
        _faults: Faults

        async def _mutate(
            self,
            operation: str,
            idempotency_key: str,
            params: Mapping[str, Any],
            result_type: type[T],
            work: Callable[[AsyncConnection, Outbox], Awaitable[T]],
        ) -> T: ...

        async def _hook(self, work: Callable[[AsyncConnection, Outbox], Awaitable[T]]) -> T: ...

        @staticmethod
        def _deliver(result: T, lose_response: bool, operation: str) -> T: ...

    async def retrieve_dispute(self, dispute: str) -> Dispute:
        plan = await self._faults.apply("retrieve_dispute")
        async with self.store.transaction() as conn:
            result = snapshot(await load(conn, dispute))
        return self._deliver(result, plan.lose_response, "retrieve_dispute")

    async def update_dispute_evidence(
        self,
        dispute: str,
        evidence: Mapping[str, str],
        *,
        idempotency_key: str,
        submit: bool = False,
    ) -> Dispute:
        now = self.clock.now()
        return await self._mutate(
            "update_dispute_evidence",
            idempotency_key,
            {"reference": dispute, "evidence": dict(evidence), "submit": submit},
            Dispute,
            lambda conn, outbox: update_evidence(conn, outbox, dispute, submit, now),
        )

    async def close_dispute(self, dispute: str, *, idempotency_key: str) -> Dispute:
        now = self.clock.now()
        return await self._mutate(
            "close_dispute",
            idempotency_key,
            {"reference": dispute},
            Dispute,
            lambda conn, outbox: close(conn, outbox, dispute, now),
        )

    async def resolve_dispute(self, dispute: str, outcome: str) -> Dispute:
        """Test hook: the card network decides the dispute ``won`` or ``lost``."""
        now = self.clock.now()
        return await self._hook(lambda conn, outbox: resolve(conn, outbox, dispute, outcome, now))
