"""The idempotency capability's worker job."""

from __future__ import annotations

from payments.idempotency.service import IdempotencyService
from payments.platform.runtime import Runtime
from payments.platform.worker import job


@job("purge_idempotency_keys", every_seconds=300)
async def purge_idempotency_keys(c: Runtime) -> int:
    """Forget idempotency keys older than their TTL (24 h by default)."""
    return await IdempotencyService.from_settings(
        c.settings, c.uow_factory, c.clock
    ).purge_expired()
