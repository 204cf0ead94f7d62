"""The reconciliation capability's worker job."""

from __future__ import annotations

from payments.gateways.runtime import GatewayRuntime
from payments.platform.worker import job
from payments.reconciliation.service.run import reconcile_due


@job("reconcile_payouts", every_seconds=3600)
async def reconcile_payouts_job(c: GatewayRuntime) -> int:
    """Daily: reconcile the payouts that arrived on each of the last days not yet
    reconciled (yesterday and the two before, once each; a re-run is the CLI's)."""
    return await reconcile_due(uow_factory=c.uow_factory, clock=c.clock, gateway=c.gateway)
