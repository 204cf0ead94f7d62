"""The worker's event bus job: drain the outbox into the configured broker.

Each worker process keeps ONE publisher (one broker connection) in ``container.extras``;
it is closed with the container. With ``PAYMENTS_EVENT_PUBLISHER=none`` the job does
nothing and the outbox keeps the events.
"""

from __future__ import annotations

import os
import socket

from payments.eventbus.adapters import publisher_from_settings
from payments.eventbus.domain import EventPublisher
from payments.eventbus.service import publish_all
from payments.platform.runtime import Runtime
from payments.platform.worker import job

PUBLISHER_KEY = "event_publisher"


def event_publisher(container: Runtime) -> EventPublisher | None:
    publisher = container.extras.get(PUBLISHER_KEY)
    if publisher is None:
        publisher = publisher_from_settings(container.settings)
        if publisher is None:
            return None
        container.extras[PUBLISHER_KEY] = publisher
    return publisher  # type: ignore[return-value]


def holder_name(publisher: EventPublisher) -> str:
    """Who holds the lease: host, process and publisher, unique among live workers."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{id(publisher):x}"


@job("publish_events", every_seconds=0.5)
async def publish_events(container: Runtime) -> int:
    """Publish the events waiting in the outbox to the broker, oldest first."""
    publisher = event_publisher(container)
    if publisher is None:
        return 0
    return await publish_all(
        uow_factory=container.uow_factory,
        clock=container.clock,
        publisher=publisher,
        holder=holder_name(publisher),
        batch_size=container.settings.event_publish_batch_size,
    )
