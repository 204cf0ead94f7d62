"""The simulator's event log: what ``list_events`` returns, like Stripe's /v1/events.

Events are written at the end of the transaction that made the change (so they
exist exactly when the change does) and carry a snapshot of the object. The
cursor is the row's sequence number, zero-padded so that cursors also sort as
strings; on PostgreSQL writers take a transaction-scoped advisory lock first,
so a reader can never see cursor 8 before cursor 7 has committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.gateways.codec import decode, encode
from payments.gateways.protocol import (
    EVENT_TYPES,
    ChargeResult,
    Dispute,
    EarlyFraudWarning,
    EventPage,
    GatewayEvent,
    GatewayInvalidRequest,
    Reader,
    RefundResult,
)
from payments.platform.db.fast import Fast

from . import balance
from .settings import SimulatorSettings, new_id
from .store import SimulatorStore, events

MAX_PAGE = 100
_INSERT = Fast(events.insert())


@dataclass(slots=True)
class Outbox:
    """Events of one transaction, written when it is about to commit."""

    items: list[GatewayEvent] = field(default_factory=list)

    def add(
        self,
        type_: str,
        now: datetime,
        *,
        charge: ChargeResult | None = None,
        refund: RefundResult | None = None,
        dispute: Dispute | None = None,
        reader: Reader | None = None,
        early_fraud_warning: EarlyFraudWarning | None = None,
    ) -> None:
        if type_ not in EVENT_TYPES:
            raise ValueError(f"unregistered event type {type_!r}")
        self.items.append(
            GatewayEvent(
                id=new_id("evt_sim", now),
                cursor="",
                type=type_,
                created=now,
                charge=charge,
                refund=refund,
                dispute=dispute,
                reader=reader,
                early_fraud_warning=early_fraud_warning,
            )
        )


def format_cursor(seq: int) -> str:
    return f"{seq:020d}"


def parse_cursor(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 0
    if not cursor.isdigit():
        raise GatewayInvalidRequest(
            f"Invalid cursor: {cursor!r}", code="invalid_cursor", param="after"
        )
    return int(cursor)


class EventLog:
    def __init__(self, store: SimulatorStore, settings: SimulatorSettings | None = None) -> None:
        self._store = store
        self._settings = settings or SimulatorSettings()

    async def write(self, conn: AsyncConnection, outbox: Outbox) -> None:
        if not outbox.items:
            return
        await self._store.lock_events(conn)
        await _INSERT.execute_many(
            conn,
            [
                {
                    "id": item.id,
                    "type": item.type,
                    "created": item.created,
                    "data": {
                        "charge": encode(item.charge),
                        "refund": encode(item.refund),
                        "dispute": encode(item.dispute),
                        "reader": encode(item.reader),
                        "early_fraud_warning": encode(item.early_fraud_warning),
                    },
                }
                for item in outbox.items
            ],
        )
        await balance.record(conn, outbox.items, self._settings)  # the money they move
        outbox.items.clear()

    async def page(self, after: str | None, limit: int) -> EventPage:
        if limit < 1:
            raise GatewayInvalidRequest(
                "limit must be positive", code="parameter_invalid_integer", param="limit"
            )
        limit = min(limit, MAX_PAGE)
        start = parse_cursor(after)
        async with self._store.transaction() as conn:
            rows = (
                await conn.execute(
                    sa.select(events)
                    .where(events.c.seq > start)
                    .order_by(events.c.seq)
                    .limit(limit + 1)
                )
            ).all()
        page = [_event(row) for row in rows[:limit]]
        next_cursor = page[-1].cursor if page else after
        return EventPage(events=tuple(page), next_cursor=next_cursor, has_more=len(rows) > limit)


def _event(row: sa.Row) -> GatewayEvent:
    data = row.data
    return GatewayEvent(
        id=row.id,
        cursor=format_cursor(row.seq),
        type=row.type,
        created=row.created,
        charge=decode(ChargeResult, data["charge"]) if data.get("charge") else None,
        refund=decode(RefundResult, data["refund"]) if data.get("refund") else None,
        dispute=decode(Dispute, data["dispute"]) if data.get("dispute") else None,
        reader=decode(Reader, data["reader"]) if data.get("reader") else None,
        early_fraud_warning=decode(EarlyFraudWarning, data["early_fraud_warning"])
        if data.get("early_fraud_warning")
        else None,
    )
