"""The event bus: every recorded event, published to a message broker for sibling services.

Pure model. A :class:`BrokerMessage` is one event as a broker carries it: the event id is
the message id (consumers and SQS FIFO deduplicate by it), the object id groups the
messages whose order matters (SQS ``MessageGroupId``), the type routes it (the RabbitMQ
routing key), and the body is the event's Stripe-shaped JSON, the same as its webhook.

The guarantees, kept by the service and the outbox: in order per object (published
oldest first, one publisher at a time, a round stops at its first unconfirmed message),
at least once (an event leaves the outbox only once the broker confirmed it; after a
crash between the confirm and the mark it is sent again with the same message id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class BrokerMessage:
    message_id: str  # the event id
    group_id: str  # the id of the object the event is about
    type: str  # the event type, e.g. payment_intent.succeeded
    body: bytes  # the event's JSON (UTF-8)
    location_id: str | None = None


class PublishFailed(Exception):
    """The broker did not confirm every message. The first ``confirmed`` messages of the
    batch were confirmed (in order); the rest stay in the outbox for the next round."""

    def __init__(self, confirmed: int, reason: str) -> None:
        super().__init__(reason)
        self.confirmed = confirmed
        self.reason = reason


class EventPublisher(Protocol):
    """A broker adapter. ``publish`` returns once the broker confirmed every message, in
    order, or raises :class:`PublishFailed` saying how many it confirmed first."""

    name: str

    async def publish(self, messages: Sequence[BrokerMessage]) -> None: ...

    async def aclose(self) -> None: ...


def confirmed_prefix(results: Sequence[bool]) -> int:
    """How many messages from the start were confirmed: order is kept by marking only
    those, even when the broker confirmed some later one."""
    count = 0
    for ok in results:
        if not ok:
            break
        count += 1
    return count
