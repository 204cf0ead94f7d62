"""NATS JetStream through nats-py, waiting for each publish acknowledgement.

Events go to a JetStream stream (``PAYMENTS_NATS_STREAM``, by default ``PAYMENTS_EVENTS``)
that captures ``<prefix>.>``; each event is one message on the subject
``<prefix>.<event type>`` (``payments.events.payment_intent.succeeded``), so a consumer
filters ``payments.events.invoice.*``. The stream is created on first use when it does not
exist (file storage, so it survives a server restart).

Headers: ``Nats-Msg-Id`` = the event id, so JetStream drops a repeat within the stream's
duplicate window (after a crash between the ack and the outbox's mark, the event is sent
again with the same id and stored once); ``Content-Type: application/json``, and the
object and shop ids as ``Payments-Object-Id`` / ``Payments-Location-Id``. The body is the
event's JSON, as on RabbitMQ and SQS.

Messages are published one after another, each awaited until JetStream acknowledges it
(``PubAck``: stored in the stream): a missing ack, a lost connection or a timeout stops the
round there and :class:`PublishFailed` says how many were acknowledged. The client does
not reconnect on its own: the connection is opened again at the next round, so nothing
waits in a client buffer while the outbox believes it unsent
(:class:`payments.eventbus.adapters.confirmed.ConfirmingPublisher`).
"""

from __future__ import annotations

from typing import Any

import nats
from nats.js.errors import NotFoundError

from payments.eventbus.adapters.confirmed import ConfirmingPublisher
from payments.eventbus.domain import BrokerMessage


async def _quiet(_exc: Exception) -> None:
    """nats-py reports connection errors through a callback; ours surface as PublishFailed."""


def subject_of(prefix: str, message: BrokerMessage) -> str:
    return f"{prefix}.{message.type}"


def headers_of(message: BrokerMessage) -> dict[str, str]:
    headers = {
        "Nats-Msg-Id": message.message_id,
        "Content-Type": "application/json",
        "Payments-Event-Type": message.type,
        "Payments-Object-Id": message.group_id,
    }
    if message.location_id:
        headers["Payments-Location-Id"] = message.location_id
    return headers


class NatsPublisher(ConfirmingPublisher):
    name = "nats"
    unreachable = "NATS"
    not_confirmed = "NATS JetStream did not acknowledge"

    def __init__(self, *, url: str, stream: str, subject_prefix: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self._url = url
        self._stream = stream
        self._prefix = subject_prefix.rstrip(".")

    def _usable(self) -> bool:
        return self._connection is not None and bool(self._connection.is_connected)

    async def _open(self) -> Any:
        connection = await nats.connect(
            self._url,
            connect_timeout=self._timeout,
            allow_reconnect=False,
            max_reconnect_attempts=0,
            error_cb=_quiet,
        )
        self._connection = connection
        js = connection.jetstream(timeout=self._timeout)
        try:
            await js.stream_info(self._stream)
        except NotFoundError:
            await js.add_stream(name=self._stream, subjects=[f"{self._prefix}.>"], storage="file")
        return js

    async def _send(self, target: Any, message: BrokerMessage) -> None:
        await target.publish(
            subject_of(self._prefix, message),
            message.body,
            timeout=self._timeout,
            stream=self._stream,
            headers=headers_of(message),
        )
