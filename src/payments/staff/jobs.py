"""The staff capability's worker job."""

from __future__ import annotations

from payments.platform.runtime import Runtime
from payments.platform.worker import job
from payments.staff.service import purge_sign_in_records


@job("purge_sign_in_records", every_seconds=3600)
async def purge_sign_in_records_job(c: Runtime) -> int:
    """Forget old sign-in attempts and long-dead dashboard sessions."""
    return await purge_sign_in_records(uow_factory=c.uow_factory, clock=c.clock)
