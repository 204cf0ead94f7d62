"""The disputes capability's worker job."""

from __future__ import annotations

from datetime import timedelta

from payments.disputes.service.apply import flag_dispute_deadlines
from payments.platform.runtime import Runtime
from payments.platform.worker import job


@job("flag_dispute_deadlines", every_seconds=300)
async def flag_dispute_deadlines_job(c: Runtime) -> int:
    """Warn (an event) before a dispute's evidence is due; mark overdue ones past_due."""
    return await flag_dispute_deadlines(
        uow_factory=c.uow_factory,
        clock=c.clock,
        warn_before=timedelta(hours=c.settings.dispute_deadline_warning_hours),
    )
