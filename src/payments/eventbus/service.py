"""Draining the outbox into the broker: at least once, in order, one publisher at a time.

A round (the worker's ``publish_events`` job, or ``payments events publish``):

1. one short transaction takes the publisher's lease and reads the oldest unpublished
   events (ids sort by creation, and the events of one object are written under that
   object's lock, so id order is their order);
2. with no transaction open, the broker is given them in that order and confirms them;
3. a second transaction marks the confirmed ones (only the confirmed *prefix*, so a
   failure in the middle never lets a later event of an object overtake an earlier
   one), records how far it got, and gives the lease back.

A broker that is down leaves every event in the outbox; the next round tries again.
A crash between 2 and 3 sends the same events again after the lease runs out, with the
same message ids, which is what "at least once" promises and why consumers (and SQS
FIFO) deduplicate by the event id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import orjson
import structlog

from payments.eventbus.domain import BrokerMessage, EventPublisher, PublishFailed
from payments.eventbus.repository import OutboxRepository, OutboxStatus
from payments.events.domain import Event
from payments.events.render import event_object
from payments.kernel.clock import Clock
from payments.platform.db.uow import UnitOfWorkFactory

log = structlog.get_logger(__name__)

LEASE = "events"  # one outbox, one lease: whichever broker is configured
LEASE_SECONDS = 60


def message_of(event: Event) -> BrokerMessage:
    return BrokerMessage(
        message_id=event.id,
        group_id=event.object_id,
        type=event.type,
        body=orjson.dumps(event_object(event)),
        location_id=event.location_id,
    )


@dataclass(frozen=True, slots=True)
class Round:
    published: int  # confirmed by the broker and marked
    pending: int  # read from the outbox this round
    claimed: bool  # False when another publisher held the lease
    error: str | None = None


async def publish_round(
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    publisher: EventPublisher,
    holder: str,
    batch_size: int,
    lease_seconds: int = LEASE_SECONDS,
) -> Round:
    """One round: lease, read, publish with no transaction open, mark, release."""
    async with uow_factory() as uow:
        outbox = uow.repo(OutboxRepository)
        now = clock.now()
        if not await outbox.claim(
            name=LEASE, holder=holder, now=now, lease_until=now + timedelta(seconds=lease_seconds)
        ):
            return Round(published=0, pending=0, claimed=False)
        pending = await outbox.unpublished(batch_size)
        await uow.commit()

    confirmed, error = 0, None
    try:
        if pending:
            try:
                await publisher.publish([message_of(e) for e in pending])
                confirmed = len(pending)
            except PublishFailed as failed:
                confirmed, error = failed.confirmed, failed.reason
                log.warning(
                    "event_publish_failed",
                    broker=publisher.name,
                    confirmed=confirmed,
                    pending=len(pending),
                    reason=failed.reason,
                )
    finally:
        await _settle(uow_factory, clock, holder, pending[:confirmed])
    return Round(published=confirmed, pending=len(pending), claimed=True, error=error)


async def _settle(
    uow_factory: UnitOfWorkFactory, clock: Clock, holder: str, confirmed: Sequence[Event]
) -> None:
    async with uow_factory() as uow:
        outbox = uow.repo(OutboxRepository)
        now = clock.now()
        if confirmed:
            await outbox.mark_published([e.id for e in confirmed], now)
        await outbox.release(
            name=LEASE,
            holder=holder,
            now=now,
            published_through=confirmed[-1].id if confirmed else None,
        )
        await uow.commit()


async def publish_all(
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    publisher: EventPublisher,
    holder: str,
    batch_size: int,
) -> int:
    """Rounds until the outbox is empty, the broker fails or another publisher holds the
    lease; how many events were published."""
    total = 0
    while True:
        done = await publish_round(
            uow_factory=uow_factory,
            clock=clock,
            publisher=publisher,
            holder=holder,
            batch_size=batch_size,
        )
        total += done.published
        if done.error or not done.claimed or done.pending < batch_size:
            return total


async def outbox_status(*, uow_factory: UnitOfWorkFactory) -> OutboxStatus:
    async with uow_factory() as uow:
        return await uow.repo(OutboxRepository).status(LEASE)


async def skip_backlog(*, uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Mark every event waiting in the outbox as published without sending it (to start a
    newly configured broker from now rather than from the backlog)."""
    async with uow_factory() as uow:
        skipped = await uow.repo(OutboxRepository).skip_backlog(clock.now())
        await uow.commit()
    return skipped
