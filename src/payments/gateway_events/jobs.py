"""Worker jobs that read and apply the gateway's asynchronous news."""

from __future__ import annotations

from datetime import timedelta

from payments.gateway_events.service import poll_gateway_events, process_pending_gateway_events
from payments.gateways.runtime import GatewayRuntime
from payments.platform.worker import job


@job("poll_gateway_events", every_seconds=2)
async def poll_gateway_events_job(c: GatewayRuntime) -> int:
    """Read the gateway's asynchronous news (SEPA settlement, 3-D Secure, disputes).
    Stripe pushes the same news as webhooks, so its feed is polled only when asked to."""
    if not c.settings.poll_gateway_events_enabled:
        return 0
    return await poll_gateway_events(
        uow_factory=c.uow_factory,
        gateway=c.gateway,
        clock=c.clock,
        evidence_window=timedelta(days=c.settings.dispute_evidence_days),
    )


@job("process_gateway_events", every_seconds=1)
async def process_gateway_events_job(c: GatewayRuntime) -> int:
    """Apply stored gateway events not applied yet (webhooks are stored, then applied here)."""
    return await process_pending_gateway_events(
        uow_factory=c.uow_factory,
        gateway=c.gateway,
        clock=c.clock,
        evidence_window=timedelta(days=c.settings.dispute_evidence_days),
    )
