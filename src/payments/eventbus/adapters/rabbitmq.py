"""RabbitMQ through aio-pika, with publisher confirms.

Events go to a durable topic exchange (routing key: the event type, so a consumer binds
``payment_intent.*`` or ``invoice.paid``) as persistent messages whose ``message_id`` is
the event id. A durable queue bound with ``#`` is declared beside it by default
(``PAYMENTS_RABBITMQ_QUEUE``), so nothing is dropped before a consumer binds its own.

Messages are published one after another, each awaited until the broker confirms it
(``basic.ack`` on a confirm-mode channel): a nack, a lost connection or a timeout stops
the round there, and :class:`PublishFailed` says how many were confirmed. The connection
is kept between rounds and opened again after a failure
(:class:`payments.eventbus.adapters.confirmed.ConfirmingPublisher`).
"""

from __future__ import annotations

from typing import Any

import aio_pika
from aio_pika.abc import AbstractExchange, AbstractRobustConnection

from payments.eventbus.adapters.confirmed import ConfirmingPublisher
from payments.eventbus.domain import BrokerMessage


class RabbitMQPublisher(ConfirmingPublisher):
    name = "rabbitmq"
    unreachable = "RabbitMQ"
    not_confirmed = "RabbitMQ did not confirm"

    def __init__(self, *, url: str, exchange: str, queue: str | None, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self._url = url
        self._exchange_name = exchange
        self._queue = queue

    def _usable(self) -> bool:
        return not getattr(self._connection, "is_closed", True)

    async def _open(self) -> AbstractExchange:
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
        return exchange

    async def _send(self, target: AbstractExchange, message: BrokerMessage) -> None:
        await target.publish(
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
