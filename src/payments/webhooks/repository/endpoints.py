"""Webhook endpoints and their signing secrets.

Secrets are read only by :meth:`WebhookEndpointRepository.signing_secrets`; the
endpoint objects this repository returns never carry them.
"""

from __future__ import annotations

import builtins
from collections.abc import Collection
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from payments.kernel.pagination import Page, PageRequest
from payments.platform.db.listing import fetch_page
from payments.platform.db.uow import Repository
from payments.webhooks.domain.endpoint import EndpointStatus, WebhookEndpoint
from payments.webhooks.tables import webhook_deliveries as d
from payments.webhooks.tables import webhook_endpoint_secrets as s
from payments.webhooks.tables import webhook_endpoints as t


def _to_endpoint(row: Any) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=row.id,
        url=row.url,
        enabled_events=list(row.enabled_events),
        created=row.created,
        description=row.description,
        metadata=dict(row.metadata),
        status=EndpointStatus(row.status),
        location_id=row.location_id,
        livemode=row.livemode,
        failing_since=row.failing_since,
    )


def _values(e: WebhookEndpoint) -> dict[str, Any]:
    return {
        "url": e.url,
        "enabled_events": e.enabled_events,
        "description": e.description,
        "metadata": e.metadata,
        "status": e.status.value,
        "failing_since": e.failing_since,
    }


class WebhookEndpointRepository(Repository):
    @property
    def _postgres(self) -> bool:
        return self._conn.dialect.name == "postgresql"

    async def add(self, endpoint: WebhookEndpoint) -> None:
        await self._conn.execute(
            t.insert().values(
                id=endpoint.id,
                location_id=endpoint.location_id,
                livemode=endpoint.livemode,
                created=endpoint.created,
                **_values(endpoint),
            )
        )

    async def save(self, endpoint: WebhookEndpoint) -> None:
        await self._conn.execute(
            t.update().where(t.c.id == endpoint.id).values(**_values(endpoint))
        )

    async def get(self, endpoint_id: str, *, for_update: bool = False) -> WebhookEndpoint | None:
        query = sa.select(t).where(t.c.id == endpoint_id)
        if for_update and self._postgres:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return _to_endpoint(row) if row else None

    async def delete(self, endpoint_id: str) -> None:
        # deliveries and secrets go with it (ON DELETE CASCADE too; explicit for clarity)
        await self._conn.execute(d.delete().where(d.c.endpoint_id == endpoint_id))
        await self._conn.execute(s.delete().where(s.c.endpoint_id == endpoint_id))
        await self._conn.execute(t.delete().where(t.c.id == endpoint_id))

    async def list_page(
        self, page: PageRequest, *, location_id: str | None = None
    ) -> Page[WebhookEndpoint]:
        where = [t.c.location_id == location_id] if location_id else []
        rows, has_more = await fetch_page(self._conn, t, where, page)
        return Page([_to_endpoint(r) for r in rows], has_more)

    async def enabled(self) -> builtins.list[WebhookEndpoint]:
        rows = await self._conn.execute(
            sa.select(t).where(t.c.status == EndpointStatus.enabled.value).order_by(t.c.id)
        )
        return [_to_endpoint(r) for r in rows]

    # ------------------------------------------------------------------ secrets

    async def add_secret(self, endpoint_id: str, secret: str, *, created: datetime) -> None:
        await self._conn.execute(
            s.insert().values(endpoint_id=endpoint_id, secret=secret, created=created)
        )

    async def expire_secrets(self, endpoint_id: str, *, at: datetime, now: datetime) -> None:
        """Current secrets stop signing at ``at``; those already expired are forgotten."""
        await self._conn.execute(
            s.delete().where(s.c.endpoint_id == endpoint_id, s.c.expires_at <= now)
        )
        await self._conn.execute(
            s.update()
            .where(
                s.c.endpoint_id == endpoint_id,
                sa.or_(s.c.expires_at.is_(None), s.c.expires_at > at),
            )
            .values(expires_at=at)
        )

    async def signing_secrets(
        self, endpoint_ids: Collection[str], now: datetime
    ) -> dict[str, builtins.list[str]]:
        """The unexpired secrets of each endpoint, newest first."""
        if not endpoint_ids:
            return {}
        rows = await self._conn.execute(
            sa.select(s.c.endpoint_id, s.c.secret)
            .where(
                s.c.endpoint_id.in_(list(endpoint_ids)),
                sa.or_(s.c.expires_at.is_(None), s.c.expires_at > now),
            )
            .order_by(s.c.id.desc())
        )
        found: dict[str, list[str]] = {}
        for row in rows:
            found.setdefault(row.endpoint_id, []).append(row.secret)
        return found

    # ------------------------------------------------------------------ health

    async def record_health(
        self, *, succeeded: Collection[str], failed: Collection[str], now: datetime
    ) -> None:
        """A success ends an endpoint's failure streak; a failure starts one if none is open."""
        if succeeded:
            await self._conn.execute(
                t.update()
                .where(t.c.id.in_(list(succeeded)), t.c.failing_since.is_not(None))
                .values(failing_since=None)
            )
        if failed:
            await self._conn.execute(
                t.update()
                .where(t.c.id.in_(list(failed)), t.c.failing_since.is_(None))
                .values(failing_since=now)
            )

    async def failing_since_before(
        self, endpoint_ids: Collection[str], cutoff: datetime
    ) -> builtins.list[WebhookEndpoint]:
        if not endpoint_ids:
            return []
        rows = await self._conn.execute(
            sa.select(t).where(
                t.c.id.in_(list(endpoint_ids)),
                t.c.status == EndpointStatus.enabled.value,
                t.c.failing_since <= cutoff,
            )
        )
        return [_to_endpoint(r) for r in rows]

    async def disable(self, endpoint_id: str) -> bool:
        """Disable an enabled endpoint; False when another worker already did."""
        result = await self._conn.execute(
            t.update()
            .where(t.c.id == endpoint_id, t.c.status == EndpointStatus.enabled.value)
            .values(status=EndpointStatus.disabled.value)
        )
        return bool(result.rowcount)
