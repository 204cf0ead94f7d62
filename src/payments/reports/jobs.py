"""The reports capability's worker job."""

from __future__ import annotations

from payments.platform.runtime import Runtime
from payments.platform.worker import job
from payments.reports.service.runs import datev_options, execute_report_run


@job("run_reports", every_seconds=5)
async def run_reports_job(c: Runtime) -> int:
    """Write the file of one pending report run (leased: a dead worker's run is retried)."""
    return await execute_report_run(
        uow_factory=c.uow_factory, clock=c.clock, datev=datev_options(c.settings)
    )
