"""The queries behind the database metrics: bounded by a recent window or by indexes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from payments.gateway_events.tables import gateway_events
from payments.intents.tables import charges, gateway_attempts
from payments.platform.db.uow import Repository
from payments.refunds.tables import refunds
from payments.reports.tables import report_runs
from payments.webhooks.tables import webhook_deliveries


class MetricsRepository(Repository):
    async def charges_since(
        self, since: datetime, until: datetime
    ) -> list[tuple[str, str | None, int]]:
        method = charges.c.payment_method_details["type"].as_string()
        rows = await self._conn.execute(
            sa.select(charges.c.status, method, sa.func.count())
            .where(charges.c.created >= since, charges.c.created <= until)
            .group_by(charges.c.status, method)
        )
        return [(s, m, int(n)) for s, m, n in rows.all()]

    async def refunds_since(self, since: datetime, until: datetime) -> list[tuple[str, int]]:
        rows = await self._conn.execute(
            sa.select(refunds.c.status, sa.func.count())
            .where(refunds.c.created >= since, refunds.c.created <= until)
            .group_by(refunds.c.status)
        )
        return [(s, int(n)) for s, n in rows.all()]

    async def webhook_deliveries(self, since: datetime) -> dict[str, Any]:
        d = webhook_deliveries
        failed = await self._conn.execute(
            sa.select(sa.func.count()).where(d.c.status == "failed", d.c.created >= since)
        )
        oldest_due = await self._conn.execute(
            sa.select(sa.func.min(d.c.next_attempt_at)).where(d.c.status == "pending")
        )
        errors = await self._conn.execute(
            sa.select(d.c.error_code, sa.func.count())
            .where(d.c.last_attempt_at >= since, d.c.error_code.is_not(None))
            .group_by(d.c.error_code)
        )
        return {
            "failed": int(failed.scalar() or 0),
            "oldest_due": oldest_due.scalar(),
            "errors": [(str(c), int(n)) for c, n in errors.all()],
        }

    async def oldest_waiting(self) -> dict[str, datetime | None]:
        """When the oldest piece of work each worker job has waiting became due."""
        ga, ge, rr = gateway_attempts, gateway_events, report_runs
        attempts = await self._conn.execute(
            sa.select(sa.func.min(ga.c.next_recovery_at)).where(ga.c.status == "unknown")
        )
        events = await self._conn.execute(
            sa.select(sa.func.min(ge.c.received)).where(ge.c.processed_at.is_(None))
        )
        runs = await self._conn.execute(
            sa.select(sa.func.min(rr.c.created)).where(rr.c.status == "pending")
        )
        return {
            "recover_gateway_attempts": attempts.scalar(),
            "process_gateway_events": events.scalar(),
            "run_reports": runs.scalar(),
        }

    async def gateway_calls(self, since: datetime, until: datetime, limit: int) -> list[Any]:
        ga = gateway_attempts
        rows = await self._conn.execute(
            sa.select(ga.c.operation, ga.c.status, ga.c.created, ga.c.completed_at)
            .where(ga.c.created >= since, ga.c.created <= until)
            .order_by(ga.c.created.desc())
            .limit(limit)
        )
        return list(rows.all())
