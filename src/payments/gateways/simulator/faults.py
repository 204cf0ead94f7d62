"""Fault injection, stored in the simulator database so any process can set it.

=================  ==========================================================
kind               effect on the next matching call
=================  ==========================================================
``latency``        sleeps ``latency_ms`` (real time) before processing
``timeout``        raises GatewayOutcomeUnknown; nothing is processed
``http_500``       raises GatewayNotSent; nothing is processed
``lost_response``  processes and commits, then raises GatewayOutcomeUnknown
=================  ==========================================================

A fault applies to one operation (see :data:`OPERATIONS`) or to all
(``operation=None``), ``count`` times (one-shot by default) or until cleared
(``count=None``). Latency faults all add up; of the other kinds the oldest
matching fault wins. Consuming a one-shot fault is an atomic conditional
UPDATE, so two processes never both consume the last shot.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa

from payments.gateways.protocol import GatewayNotSent, GatewayOutcomeUnknown
from payments.kernel.clock import Clock

from .store import SimulatorStore, faults

FaultKind = Literal["latency", "timeout", "http_500", "lost_response"]
FAULT_KINDS: tuple[FaultKind, ...] = ("latency", "timeout", "http_500", "lost_response")
OPERATIONS = (
    "create_payment_method",
    "charge",
    "capture",
    "cancel",
    "refund",
    "cancel_refund",
    "retrieve_charge",
    "list_events",
    "retrieve_dispute",
    "update_dispute_evidence",
    "close_dispute",
    "retrieve_early_fraud_warning",
    "register_reader",
    "process_payment",
    "refund_payment",
    "set_reader_display",
    "cancel_reader_action",
    "setup",
    "retrieve_setup",
    "cancel_setup",
)


_ACTIVE = (
    sa.select(faults.c.id, faults.c.kind, faults.c.latency_ms, faults.c.remaining)
    .where(
        sa.or_(faults.c.remaining.is_(None), faults.c.remaining > 0),
        sa.or_(faults.c.operation.is_(None), faults.c.operation == sa.bindparam("operation")),
    )
    .order_by(faults.c.id)
)


_PROBE = (
    sa.exists()
    .where(
        sa.or_(faults.c.remaining.is_(None), faults.c.remaining > 0),
        sa.or_(faults.c.operation.is_(None), faults.c.operation == sa.bindparam("fault_operation")),
    )
    .label("faulted")
)


def probe_faults() -> sa.Label[bool]:
    """``EXISTS`` an active fault for the bind parameter ``fault_operation``, as a column a
    statement can return: on PostgreSQL a keyed charge and an unkeyed payment method learn
    with the statement that stores them that no fault is set (no statement of their own;
    see ``Idempotency.run_with_faults``)."""
    return _PROBE


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """What the faults decided for one call: only ``lose_response`` is deferred."""

    lose_response: bool = False


class Faults:
    def __init__(self, store: SimulatorStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def set(
        self,
        kind: FaultKind,
        *,
        operation: str | None = None,
        count: int | None = 1,
        latency_ms: int = 0,
    ) -> int:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {FAULT_KINDS}")
        if operation is not None and operation not in OPERATIONS:
            raise ValueError(f"unknown operation {operation!r}; expected one of {OPERATIONS}")
        if count is not None and count < 1:
            raise ValueError("count must be positive, or None for a persistent fault")
        if kind == "latency" and latency_ms <= 0:
            raise ValueError("a latency fault needs latency_ms > 0")
        async with self._store.transaction() as conn:
            result = await conn.execute(
                faults.insert().values(
                    kind=kind,
                    operation=operation,
                    remaining=count,
                    latency_ms=latency_ms,
                    created=self._clock.now(),
                )
            )
            (fault_id,) = result.inserted_primary_key or (0,)
        return int(fault_id)

    async def _any(self, operation: str) -> bool:
        """Whether a fault may apply: one statement, no transaction on PostgreSQL (every
        gateway call asks, and there is almost never one)."""
        if not self._store.is_postgres:
            return True  # SQLite: _consume's own transaction answers as cheaply
        async with self._store.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            return (await conn.execute(_ACTIVE, {"operation": operation})).first() is not None

    async def clear(self) -> None:
        async with self._store.transaction() as conn:
            await conn.execute(faults.delete())

    async def apply(self, operation: str) -> FaultPlan:
        """Sleep, raise, or return a plan for after processing."""
        latency_ms, outcome = await self._consume(operation)
        if latency_ms:
            await asyncio.sleep(latency_ms / 1000)
        if outcome == "timeout":
            raise GatewayOutcomeUnknown(f"simulated timeout on {operation}")
        if outcome == "http_500":
            raise GatewayNotSent(f"simulated HTTP 500 on {operation}, request not processed")
        return FaultPlan(lose_response=outcome == "lost_response")

    async def _consume(self, operation: str) -> tuple[int, str | None]:
        if not await self._any(operation):
            return 0, None
        latency_ms = 0
        outcome: str | None = None
        async with self._store.transaction() as conn:
            rows = (await conn.execute(_ACTIVE, {"operation": operation})).all()
            for row in rows:
                if row.kind != "latency" and outcome is not None:
                    continue
                if row.remaining is not None:
                    taken = await conn.execute(
                        faults.update()
                        .where(faults.c.id == row.id, faults.c.remaining > 0)
                        .values(remaining=faults.c.remaining - 1)
                    )
                    if taken.rowcount != 1:
                        continue
                if row.kind == "latency":
                    latency_ms += row.latency_ms
                else:
                    outcome = row.kind
        return latency_ms, outcome
