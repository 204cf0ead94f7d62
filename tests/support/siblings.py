"""A SiblingClient for contract tests: the injected clock, and backoff recorded instead of
slept (``sleeps``), so retries are checked without waiting on the wall clock."""

from __future__ import annotations

from typing import Any

from payments.kernel.clock import FrozenClock
from payments.platform.siblings import SiblingClient


def recording_client(
    name: str, base_url: str, clock: FrozenClock, token: str, **options: Any
) -> tuple[SiblingClient, list[float]]:
    """The client and the list its backoff waits are recorded in."""
    sleeps: list[float] = []

    async def no_wait(seconds: float) -> None:
        sleeps.append(seconds)

    settings: dict[str, Any] = {"retries": 2, "cache_seconds": 0, "timeout": 1.0} | options
    client = SiblingClient(
        name=name, base_url=base_url, clock=clock, token=token, sleep=no_wait, **settings
    )
    return client, sleeps
