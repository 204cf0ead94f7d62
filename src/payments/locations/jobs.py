"""The worker's shop sync: ``payments locations sync`` every
``PAYMENTS_LOCATIONS_SYNC_INTERVAL_SECONDS`` (0, the default: never).

The job wakes every 30 seconds and syncs when the interval has passed on the injected
clock since this worker's last attempt (kept in ``container.extras``). With several
workers each syncs on its own interval; syncs take turns (an advisory lock on
PostgreSQL, the single writer on SQLite) and are idempotent, so a second one finds the
shops ``unchanged``. A Locations
Service that is down is logged and tried again after the interval; nothing changed.
"""

from __future__ import annotations

from datetime import timedelta

from payments.kernel.context import SYSTEM
from payments.kernel.errors import PaymentsError
from payments.locations.runtime import LocationsRuntime
from payments.locations.service.sync import sync_locations
from payments.platform.logs import get_logger
from payments.platform.worker import job

log = get_logger("payments.locations")

LAST_SYNC_KEY = "locations_last_sync"


@job("sync_locations", every_seconds=30)
async def sync_locations_job(container: LocationsRuntime) -> int:
    """Synchronise shops from the Locations Service when the interval has passed."""
    interval = container.settings.locations_sync_interval_seconds
    if not interval or container.shop_directory.source == "local":
        return 0
    now = container.clock.now()
    last = container.extras.get(LAST_SYNC_KEY)
    if last is not None and now - last < timedelta(seconds=interval):  # type: ignore[operator]
        return 0
    container.extras[LAST_SYNC_KEY] = now
    try:
        report = await sync_locations(
            directory=container.shop_directory,
            uow_factory=container.uow_factory,
            clock=container.clock,
            ctx=SYSTEM,
        )
    except PaymentsError as exc:
        log.warning("locations_sync_failed", reason=exc.message)
        return 0
    counts = report.counts()
    log.info("locations_synced", **counts, errors_detail=[e.message for e in report.errors])
    return counts["created"] + counts["updated"] + counts["deactivated"]
