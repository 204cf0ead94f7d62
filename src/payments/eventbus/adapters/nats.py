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
waits in a client buffer while the outbox believes it unsent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

import nats
from nats.js.errors import NotFoundError

from payments.eventbus.domain import BrokerMessage, PublishFailed


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


class NatsPublisher:
    name = "nats"

    def __init__(self, *, url: str, stream: str, subject_prefix: str, timeout: float) -> None:
        self._url = url
        self._stream = stream
        self._prefix = subject_prefix.rstrip(".")
        self._timeout = timeout
        self._connection: Any = None
        self._js: Any = None

    async def _ready(self) -> Any:
        if self._js is not None and self._connection is not None and self._connection.is_connected:
            return self._js
        await self._reset()
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
        self._js = js
        return js

    async def publish(self, messages: Sequence[BrokerMessage]) -> None:
        try:
            js = await asyncio.wait_for(self._ready(), self._timeout)
        except Exception as exc:  # any failure to reach the server: nothing was sent
            await self._reset()
            raise PublishFailed(0, f"NATS unreachable: {type(exc).__name__}") from exc
        for confirmed, message in enumerate(messages):
            try:
                await js.publish(
                    subject_of(self._prefix, message),
                    message.body,
                    timeout=self._timeout,
                    stream=self._stream,
                    headers=headers_of(message),
                )
            except Exception as exc:  # no ack, closed connection, timeout: stop in order
                await self._reset()
                raise PublishFailed(
                    confirmed, f"NATS JetStream did not acknowledge {message.message_id}: {exc!r}"
                ) from exc

    async def _reset(self) -> None:
        connection, self._connection, self._js = self._connection, None, None
        if connection is not None and not connection.is_closed:
            with contextlib.suppress(Exception):  # a broken connection is dropped anyway
                await asyncio.wait_for(connection.close(), self._timeout)

    async def aclose(self) -> None:
        await self._reset()
