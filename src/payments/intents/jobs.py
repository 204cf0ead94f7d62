"""The payments capability's worker job: recovery of unknown gateway outcomes."""

from __future__ import annotations

from datetime import timedelta

from payments.gateways.runtime import GatewayRuntime
from payments.intents.service.recovery import recover_attempts
from payments.platform.worker import job


@job("recover_gateway_attempts", every_seconds=5)
async def recover_gateway_attempts(c: GatewayRuntime) -> int:
    """Settle gateway calls whose outcome is unknown (timeouts, lost responses, crashes)."""
    return await recover_attempts(
        uow_factory=c.uow_factory,
        gateway=c.gateway,
        clock=c.clock,
        stale_after=timedelta(seconds=c.settings.recovery_stale_seconds),
    )
