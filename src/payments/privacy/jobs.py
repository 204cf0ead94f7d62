"""The retention job: finish erasures whose legal retention has ended."""

from __future__ import annotations

from payments.kernel.context import SYSTEM
from payments.platform.runtime import Runtime
from payments.platform.worker import job
from payments.privacy.service import finish_due_erasures


@job("finish_due_erasures", every_seconds=3600)
async def finish_due_erasures_job(c: Runtime) -> int:
    """Pseudonymise the billing details on invoices whose retention period has ended."""
    return await finish_due_erasures(uow_factory=c.uow_factory, clock=c.clock, ctx=SYSTEM)
