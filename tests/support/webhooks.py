"""Helpers for webhook tests: a container whose settings allow the local receiver,
and one worker round of the webhook job (driven with a FrozenClock, no sleeping)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from payments.app.bootstrap import Container
from payments.app.capabilities import run_once

TEST_TIMEOUT_SECONDS = 2.0


@asynccontextmanager
async def webhook_ready(container: Container, **overrides: Any) -> AsyncIterator[Container]:
    """The same engine, clock and adapters, with webhook settings for a local receiver
    and its own webhook sender (closed on exit)."""
    values = {
        "webhook_allow_http_hosts": "127.0.0.1",
        "webhook_timeout_seconds": TEST_TIMEOUT_SECONDS,
    } | overrides
    settings = container.settings.model_copy(update=values)
    ready = dataclasses.replace(container, settings=settings, extras={})
    try:
        yield ready
    finally:
        for extra in ready.extras.values():
            aclose = getattr(extra, "aclose", None)
            if aclose is not None:
                await aclose()


async def worker_round(container: Container) -> int:
    """Run the registered webhook job once, as one worker would."""
    return (await run_once(container, only={"deliver_webhooks"}))["deliver_webhooks"]
