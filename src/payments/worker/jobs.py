"""The worker's jobs. Each capability registers its own here."""

from __future__ import annotations

from payments.bootstrap import Container
from payments.worker.runner import job


@job("purge_idempotency_keys", every_seconds=300)
async def purge_idempotency_keys(container: Container) -> int:
    """Forget idempotency keys older than their TTL (24 h by default)."""
    return await container.idempotency.purge_expired()
