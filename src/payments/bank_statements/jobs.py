"""Worker jobs of bank statements."""

from __future__ import annotations

from payments.bank_statements.service.matching import match_pending
from payments.platform.runtime import Runtime
from payments.platform.worker import job


@job("match_bank_transactions", every_seconds=60)
async def match_bank_transactions(c: Runtime) -> int:
    """Match the credits an import stored but did not get to look at (the process
    stopped between storing a statement and matching its credits)."""
    return await match_pending(uow_factory=c.uow_factory, clock=c.clock)
