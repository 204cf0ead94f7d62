"""RabbitMQ through aio-pika, with publisher confirms.

Events go to a durable topic exchange (routing key: the event type, so a consumer binds
``payment_intent.*`` or ``invoice.paid``) as persistent messages whose ``message_id`` is
the event id. A durable queue bound with ``#`` is declared beside it by default
(``PAYMENTS_RABBITMQ_QUEUE``), so nothing is dropped before a consumer binds its own.

Messages are published one after another, each awaited until the broker confirms it
(``basic.ack`` on a confirm-mode channel): a nack, a lost connection or a timeout stops
the round there, and :class:`PublishFailed` says how many were confirmed. The connection
is kept between rounds and opened again after a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

import aio_pika
from aio_pika.abc import AbstractExchange, AbstractRobustConnection

from payments.eventbus.domain import BrokerMessage, PublishFailed


class RabbitMQPublisher:
    name = "rabbitmq"

    def __init__(self, *, url: str, exchange: str, queue: str | None, timeout: float) -> None:
        self._url = url
        self._exchange_name = exchange
        self._queue = queue
        self._timeout = timeout
        self._connection: Any = None
        self._exchange: AbstractExchange | None = None

    async def _ready(self) -> AbstractExchange:
        if self._exchange is not None and not getattr(self._connection, "is_closed", True):
            return self._exchange
        await self._reset()
        connection: AbstractRobustConnection | Any = await aio_pika.connect(
            self._url, timeout=self._timeout
        )
        self._connection = connection
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(
            self._exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
        )
        if self._queue:
            queue = await channel.declare_queue(self._queue, durable=True)
            await queue.bind(exchange, routing_key="#")
        self._exchange = exchange
        return exchange

    async def publish(self, messages: Sequence[BrokerMessage]) -> None:
        try:
            exchange = await asyncio.wait_for(self._ready(), self._timeout)
        except Exception as exc:  # any failure to reach the broker: nothing was sent
            await self._reset()
            raise PublishFailed(0, f"RabbitMQ unreachable: {type(exc).__name__}") from exc
        for confirmed, message in enumerate(messages):
            try:
                await exchange.publish(
                    aio_pika.Message(
                        body=message.body,
                        message_id=message.message_id,
                        type=message.type,
                        content_type="application/json",
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        headers={
                            "object_id": message.group_id,
                            "location_id": message.location_id or "",
                        },
                    ),
                    routing_key=message.type,
                    timeout=self._timeout,
                )
            except Exception as exc:  # nack, closed channel, timeout: stop in order here
                await self._reset()
                raise PublishFailed(
                    confirmed, f"RabbitMQ did not confirm {message.message_id}: {exc!r}"
                ) from exc

    async def _reset(self) -> None:
        connection, self._connection, self._exchange = self._connection, None, None
        if connection is not None and not connection.is_closed:
            with contextlib.suppress(Exception):  # a broken connection is dropped anyway
                await asyncio.wait_for(connection.close(), self._timeout)

    async def aclose(self) -> None:
        await self._reset()
