"""The metrics snapshot read from the database at scrape time."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from payments.kernel.access import Permission, Principal
from payments.kernel.clock import Clock
from payments.kernel.errors import PermissionDenied
from payments.metrics.repository import MetricsRepository
from payments.platform.db.uow import UnitOfWorkFactory

#: How far back the windowed metrics look (payments, refunds, webhook failures, calls).
WINDOW = timedelta(hours=24)
GATEWAY_CALLS_SAMPLED = 10_000


def require_metrics_reader(principal: Principal) -> None:
    if not principal.can(Permission.read_ledger) or principal.location_id is not None:
        raise PermissionDenied(
            "Metrics are company-wide: use an unrestricted admin or finance key (or set "
            "metrics_public on a network only Prometheus reaches).",
            code="insufficient_permissions",
        )


def _age(now: datetime, since: datetime | None) -> float:
    return max(0.0, (now - since).total_seconds()) if since else 0.0


async def snapshot(*, uow_factory: UnitOfWorkFactory, clock: Clock) -> dict[str, Any]:
    now = clock.now()
    since = now - WINDOW
    async with uow_factory() as uow:
        repo = uow.repo(MetricsRepository)
        charges = await repo.charges_since(since, now)
        refunds = await repo.refunds_since(since, now)
        webhooks = await repo.webhook_deliveries(since)
        waiting = await repo.oldest_waiting()
        calls = await repo.gateway_calls(since, now, GATEWAY_CALLS_SAMPLED)
    outcomes: dict[tuple[str, str], int] = defaultdict(int)
    durations: dict[str, list[float]] = defaultdict(list)
    for operation, status, created, completed in calls:
        outcomes[(operation, status)] += 1
        if completed is not None:
            durations[operation].append(max(0.0, (completed - created).total_seconds()))
    job_lag = {job: _age(now, due) for job, due in waiting.items()}
    job_lag["deliver_webhooks"] = _age(now, webhooks["oldest_due"])
    return {
        "charges": charges,
        "refunds": refunds,
        "webhook_failed": webhooks["failed"],
        "webhook_errors": webhooks["errors"],
        "webhook_lag": job_lag["deliver_webhooks"],
        "job_lag": job_lag,
        "gateway_outcomes": dict(outcomes),
        "gateway_durations": dict(durations),
    }
