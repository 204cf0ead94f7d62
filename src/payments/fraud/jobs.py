"""Fraud prevention's worker jobs: reviews left open too long, old velocity events."""

from __future__ import annotations

from payments.fraud.service.maintenance import purge_velocity_events
from payments.fraud.service.reviews import cancel_expired_reviews
from payments.gateways.runtime import GatewayRuntime
from payments.platform.runtime import Runtime
from payments.platform.worker import job


@job("cancel_expired_reviews", every_seconds=300)
async def cancel_expired_reviews_job(c: GatewayRuntime) -> int:
    """Release the authorization of every review still open 7 days after it opened."""
    return await cancel_expired_reviews(uow_factory=c.uow_factory, gateway=c.gateway, clock=c.clock)


@job("purge_velocity_events", every_seconds=600)
async def purge_velocity_events_job(c: Runtime) -> int:
    """Delete the database's velocity events older than the longest window (24 hours)."""
    return await purge_velocity_events(uow_factory=c.uow_factory, clock=c.clock)
