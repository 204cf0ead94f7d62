"""Webhook deliveries, and the outbox side of the ``events`` table they are made from.

Work is claimed so that several workers on several machines never take the same
row: ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite has one writer
at a time, every transaction starting with ``BEGIN IMMEDIATE``). A claimed
delivery carries a lease (``locked_until`` plus a random ``lease_token``); the
outcome is written only by the holder of the token.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from payments.events.domain import Event
from payments.events.repository import to_event
from payments.events.tables import events as ev
from payments.kernel.pagination import Page, PageRequest
from payments.platform.db.listing import fetch_page
from payments.platform.db.uow import Repository
from payments.webhooks.domain.delivery import DeliveryStatus, WebhookDelivery
from payments.webhooks.domain.endpoint import EndpointStatus
from payments.webhooks.tables import webhook_deliveries as d
from payments.webhooks.tables import webhook_endpoints as e


@dataclass(frozen=True, slots=True)
class UndispatchedEvent:
    id: str
    type: str
    location_id: str | None
    livemode: bool
    created: datetime


@dataclass(frozen=True, slots=True)
class Claim:
    """A delivery leased to one worker: everything needed to send it without the database."""

    delivery_id: str
    endpoint_id: str
    url: str
    attempts: int
    created: datetime
    event: Event
    lease_token: str


def _to_delivery(row: Any) -> WebhookDelivery:
    return WebhookDelivery(
        id=row.id,
        endpoint_id=row.endpoint_id,
        event_id=row.event_id,
        event_type=row.event_type,
        created=row.created,
        status=DeliveryStatus(row.status),
        sequence=row.sequence,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_attempt_at=row.last_attempt_at,
        response_status=row.response_status,
        latency_ms=row.latency_ms,
        response_body=row.response_body,
        error_code=row.error_code,
        error_message=row.error_message,
    )


_OUTCOME = d.update().where(
    d.c.id == sa.bindparam("b_id"), d.c.lease_token == sa.bindparam("b_token")
)


class WebhookDeliveryRepository(Repository):
    @property
    def _postgres(self) -> bool:
        return self._conn.dialect.name == "postgresql"

    # ------------------------------------------------------------------ outbox

    async def undispatched_events(self, limit: int) -> list[UndispatchedEvent]:
        """The oldest events not yet fanned out, locked against other dispatchers."""
        query = (
            sa.select(ev.c.id, ev.c.type, ev.c.location_id, ev.c.livemode, ev.c.created)
            .where(ev.c.webhooks_dispatched_at.is_(None))
            .order_by(ev.c.id)
            .limit(limit)
        )
        if self._postgres:
            query = query.with_for_update(skip_locked=True)
        rows = await self._conn.execute(query)
        return [UndispatchedEvent(r.id, r.type, r.location_id, r.livemode, r.created) for r in rows]

    async def mark_dispatched(self, event_ids: Sequence[str], now: datetime) -> None:
        await self._conn.execute(
            ev.update().where(ev.c.id.in_(list(event_ids))).values(webhooks_dispatched_at=now)
        )

    async def add_many(self, deliveries: Sequence[WebhookDelivery]) -> None:
        """Insert new deliveries; one that exists for (event, endpoint, sequence) is skipped."""
        if not deliveries:
            return
        dialect = postgresql if self._postgres else sqlite
        rows = [
            {
                "id": x.id,
                "endpoint_id": x.endpoint_id,
                "event_id": x.event_id,
                "event_type": x.event_type,
                "sequence": x.sequence,
                "status": x.status.value,
                "attempts": x.attempts,
                "next_attempt_at": x.next_attempt_at,
                "created": x.created,
            }
            for x in deliveries
        ]
        stmt = dialect.insert(d).on_conflict_do_nothing(
            index_elements=["event_id", "endpoint_id", "sequence"]
        )
        await self._conn.execute(stmt, rows)

    async def next_sequences(self, endpoint_id: str, event_ids: Sequence[str]) -> dict[str, int]:
        """For each event, the sequence number its next delivery to the endpoint gets."""
        found: dict[str, int] = dict.fromkeys(event_ids, 0)
        if not event_ids:
            return found
        rows = await self._conn.execute(
            sa.select(d.c.event_id, sa.func.max(d.c.sequence))
            .where(d.c.endpoint_id == endpoint_id, d.c.event_id.in_(list(event_ids)))
            .group_by(d.c.event_id)
        )
        for event_id, current in rows:
            found[event_id] = int(current) + 1
        return found

    # ------------------------------------------------------------------ sending

    async def claim_due(
        self, *, now: datetime, limit: int, lease_until: datetime, lease_token: str
    ) -> list[Claim]:
        """Lease up to ``limit`` due deliveries of enabled endpoints, oldest due first."""
        query = (
            sa.select(
                d.c.id.label("delivery_id"),
                d.c.endpoint_id,
                d.c.attempts,
                d.c.created.label("delivery_created"),
                e.c.url,
                ev,
            )
            .join(e, e.c.id == d.c.endpoint_id)
            .join(ev, ev.c.id == d.c.event_id)
            .where(
                d.c.status == DeliveryStatus.pending.value,
                d.c.next_attempt_at <= now,
                sa.or_(d.c.locked_until.is_(None), d.c.locked_until <= now),
                e.c.status == EndpointStatus.enabled.value,
            )
            .order_by(d.c.next_attempt_at, d.c.id)
            .limit(limit)
        )
        if self._postgres:
            query = query.with_for_update(of=d, skip_locked=True)
        rows = list(await self._conn.execute(query))
        if not rows:
            return []
        await self._conn.execute(
            d.update()
            .where(d.c.id.in_([r.delivery_id for r in rows]))
            .values(locked_until=lease_until, lease_token=lease_token)
        )
        return [
            Claim(
                delivery_id=r.delivery_id,
                endpoint_id=r.endpoint_id,
                url=r.url,
                attempts=r.attempts,
                created=r.delivery_created,
                event=to_event(r),
                lease_token=lease_token,
            )
            for r in rows
        ]

    async def record_outcomes(self, outcomes: Sequence[dict[str, Any]]) -> None:
        """Write attempt outcomes (keys ``b_id``, ``b_token`` and column values), releasing
        each lease; a row whose lease was taken over by another worker is left alone."""
        if not outcomes:
            return
        columns = [k for k in outcomes[0] if not k.startswith("b_")]
        values: dict[str, Any] = {c: sa.bindparam(f"v_{c}", type_=d.c[c].type) for c in columns}
        stmt = _OUTCOME.values(values | {"locked_until": None, "lease_token": None})
        params = [
            {"b_id": o["b_id"], "b_token": o["b_token"]} | {f"v_{c}": o[c] for c in columns}
            for o in outcomes
        ]
        await self._conn.execute(stmt, params)

    # ------------------------------------------------------------------ reading

    async def get(self, delivery_id: str) -> WebhookDelivery | None:
        row = (await self._conn.execute(sa.select(d).where(d.c.id == delivery_id))).first()
        return _to_delivery(row) if row else None

    async def list_page(
        self,
        page: PageRequest,
        *,
        endpoint_id: str,
        status: DeliveryStatus | None = None,
        event_id: str | None = None,
    ) -> Page[WebhookDelivery]:
        where: list[sa.ColumnElement[bool]] = [d.c.endpoint_id == endpoint_id]
        if status is not None:
            where.append(d.c.status == status.value)
        if event_id is not None:
            where.append(d.c.event_id == event_id)
        rows, has_more = await fetch_page(self._conn, d, where, page)
        return Page([_to_delivery(r) for r in rows], has_more)

    async def for_event(self, event_id: str) -> builtins.list[WebhookDelivery]:
        rows = await self._conn.execute(
            sa.select(d).where(d.c.event_id == event_id).order_by(d.c.id)
        )
        return [_to_delivery(r) for r in rows]

    async def replayable_events(
        self,
        *,
        enabled_events: Sequence[str],
        location_id: str | None,
        livemode: bool,
        after_id: str | None,
        created_gte: datetime | None,
        created_lte: datetime | None,
        limit: int,
    ) -> builtins.list[Event]:
        """Events an endpoint subscribes to, oldest first, for a replay."""
        where: list[sa.ColumnElement[bool]] = [ev.c.livemode == livemode]
        if "*" not in enabled_events:
            exact = [p for p in enabled_events if not p.endswith(".*")]
            prefixes = [p[:-1] for p in enabled_events if p.endswith(".*")]
            where.append(
                sa.or_(
                    ev.c.type.in_(exact),
                    *(ev.c.type.startswith(p, autoescape=True) for p in prefixes),
                )
            )
        if location_id is not None:
            where.append(ev.c.location_id == location_id)
        if after_id is not None:
            where.append(ev.c.id > after_id)
        if created_gte is not None:
            where.append(ev.c.created >= created_gte)
        if created_lte is not None:
            where.append(ev.c.created <= created_lte)
        rows = await self._conn.execute(sa.select(ev).where(*where).order_by(ev.c.id).limit(limit))
        return [to_event(r) for r in rows]
