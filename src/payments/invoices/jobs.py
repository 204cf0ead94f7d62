"""Invoicing's worker job: charge the installments that are due."""

from __future__ import annotations

from payments.gateways.runtime import GatewayRuntime
from payments.invoices.service.installments import charge_due_installments
from payments.platform.worker import job


@job("charge_installments", every_seconds=30)
async def charge_installments(c: GatewayRuntime) -> int:
    """Charge each installment on its date, exactly once, retrying failed ones on schedule."""
    return await charge_due_installments(
        uow_factory=c.uow_factory,
        gateway=c.gateway,
        clock=c.clock,
        max_amount=c.settings.max_amount,
    )
