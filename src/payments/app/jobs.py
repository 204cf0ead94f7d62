"""The worker's jobs. Each capability registers its own here."""

from __future__ import annotations

from datetime import timedelta

from payments.app.bootstrap import Container
from payments.disputes.service.apply import flag_dispute_deadlines
from payments.gateway_events.service import poll_gateway_events, process_pending_gateway_events
from payments.intents.service.recovery import recover_attempts
from payments.platform.worker import job
from payments.webhooks.jobs import deliver_webhooks


@job("purge_idempotency_keys", every_seconds=300)
async def purge_idempotency_keys(container: Container) -> int:
    """Forget idempotency keys older than their TTL (24 h by default)."""
    return await container.idempotency.purge_expired()


@job("deliver_webhooks", every_seconds=1)
async def deliver_webhooks_job(container: Container) -> int:
    """Fan new events out to webhook endpoints and send due deliveries (with retries)."""
    return await deliver_webhooks(container)


@job("recover_gateway_attempts", every_seconds=5)
async def recover_gateway_attempts(container: Container) -> int:
    """Settle gateway calls whose outcome is unknown (timeouts, lost responses, crashes)."""
    return await recover_attempts(
        uow_factory=container.uow_factory,
        gateway=container.gateway,
        clock=container.clock,
        stale_after=timedelta(seconds=container.settings.recovery_stale_seconds),
    )


@job("poll_gateway_events", every_seconds=2)
async def poll_gateway_events_job(container: Container) -> int:
    """Read the gateway's asynchronous news (SEPA settlement, 3-D Secure, disputes).
    Stripe pushes the same news as webhooks, so its feed is polled only when asked to."""
    if not container.settings.poll_gateway_events_enabled:
        return 0
    return await poll_gateway_events(
        uow_factory=container.uow_factory,
        gateway=container.gateway,
        clock=container.clock,
        evidence_window=timedelta(days=container.settings.dispute_evidence_days),
    )


@job("process_gateway_events", every_seconds=1)
async def process_gateway_events_job(container: Container) -> int:
    """Apply stored gateway events not applied yet (webhooks are stored, then applied here)."""
    return await process_pending_gateway_events(
        uow_factory=container.uow_factory,
        gateway=container.gateway,
        clock=container.clock,
        evidence_window=timedelta(days=container.settings.dispute_evidence_days),
    )


@job("flag_dispute_deadlines", every_seconds=300)
async def flag_dispute_deadlines_job(container: Container) -> int:
    """Warn (an event) before a dispute's evidence is due; mark overdue ones past_due."""
    return await flag_dispute_deadlines(
        uow_factory=container.uow_factory,
        clock=container.clock,
        warn_before=timedelta(hours=container.settings.dispute_deadline_warning_hours),
    )
