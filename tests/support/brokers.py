"""The real brokers the EventPublisher contract suite runs against (RabbitMQ on 5672, NATS
JetStream on 4222; CI starts both in .ci/run): each test gets names of its own (an exchange
and queue, or a stream and subject prefix), deleted after, and reads back what arrived."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import aio_pika
import nats
import pytest

from payments.eventbus.adapters.nats import NatsPublisher
from payments.eventbus.adapters.rabbitmq import RabbitMQPublisher
from payments.eventbus.domain import EventPublisher
from support.databases import ON_CI, RABBITMQ_URL

NATS_URL = os.environ.get("PAYMENTS_TEST_NATS_URL", "nats://127.0.0.1:4222")


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 3
        ):
            return True
    except OSError:
        return False


def require(url: str, default_port: int, what: str) -> None:
    """Skip when the broker is not running here; on CI (which starts it) fail instead."""
    if not reachable(url, default_port):
        if ON_CI:
            pytest.fail(f"CI=true but {what} is not reachable at {url} (.ci/run starts it)")
        pytest.skip(f"{what} not reachable at {url}")


@dataclass(frozen=True)
class Received:
    """One message as a consumer reads it off the broker."""

    message_id: str
    type: str
    object_id: str
    body: bytes


class Broker(Protocol):
    kind: str
    url: str  # the real server's
    dedups: bool  # whether the broker itself drops a repeated message id

    def settings(self) -> dict[str, Any]: ...
    def env(self) -> dict[str, str]: ...
    def publisher(self, url: str | None = None) -> EventPublisher: ...
    def via(self, port: int) -> str: ...
    async def received(self, expected: int) -> list[Received]: ...
    async def delete(self) -> None: ...


class RabbitBroker:
    kind, url, dedups = "rabbitmq", RABBITMQ_URL, False

    def __init__(self) -> None:
        self.exchange = f"test.events.{uuid.uuid4().hex}"
        self.queue = f"test-{uuid.uuid4().hex}"

    def settings(self) -> dict[str, Any]:
        return {
            "event_publisher": "rabbitmq",
            "rabbitmq_url": self.url,
            "rabbitmq_exchange": self.exchange,
            "rabbitmq_queue": self.queue,
        }

    def env(self) -> dict[str, str]:
        return {f"PAYMENTS_{k.upper()}": str(v) for k, v in self.settings().items()}

    def publisher(self, url: str | None = None) -> RabbitMQPublisher:
        return RabbitMQPublisher(
            url=url or self.url, exchange=self.exchange, queue=self.queue, timeout=3
        )

    def via(self, port: int) -> str:
        return f"amqp://guest:guest@127.0.0.1:{port}/"

    async def messages(self, expected: int) -> list[Any]:
        """The raw aio-pika messages in the test's queue (waits up to 10 s for ``expected``)."""
        got: list[Any] = []
        connection = await aio_pika.connect(self.url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.get_queue(self.queue)
            for _ in range(200):
                message = await queue.get(no_ack=True, fail=False)
                if message is None:
                    if len(got) >= expected:
                        break
                    await asyncio.sleep(0.05)
                    continue
                got.append(message)
        return got

    async def received(self, expected: int) -> list[Received]:
        return [
            Received(m.message_id, m.routing_key, m.headers["object_id"], m.body)
            for m in await self.messages(expected)
        ]

    async def delete(self) -> None:
        connection = await aio_pika.connect(self.url)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(self.queue)
            await channel.exchange_delete(self.exchange)


class NatsBroker:
    kind, url, dedups = "nats", NATS_URL, True

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:12]
        self.stream = f"TEST_EVENTS_{tag}"
        self.prefix = f"test.{tag}.events"
        self._read = 0  # stream sequence read so far

    def settings(self) -> dict[str, Any]:
        return {
            "event_publisher": "nats",
            "nats_url": self.url,
            "nats_stream": self.stream,
            "nats_subject_prefix": self.prefix,
        }

    def env(self) -> dict[str, str]:
        return {f"PAYMENTS_{k.upper()}": str(v) for k, v in self.settings().items()}

    def publisher(self, url: str | None = None) -> NatsPublisher:
        return NatsPublisher(
            url=url or self.url, stream=self.stream, subject_prefix=self.prefix, timeout=3
        )

    def via(self, port: int) -> str:
        return f"nats://127.0.0.1:{port}"

    async def raw(self, expected: int) -> list[Any]:
        """The stream's messages not read yet, by sequence (waits up to 10 s for ``expected``)."""
        connection = await nats.connect(self.url)
        try:
            js = connection.jetstream()
            for _ in range(200):
                try:
                    last = (await js.stream_info(self.stream)).state.last_seq
                except nats.js.errors.NotFoundError:
                    last = 0
                if last - self._read >= expected:
                    break
                await asyncio.sleep(0.05)
            got = [await js.get_msg(self.stream, seq) for seq in range(self._read + 1, last + 1)]
            self._read = last
            return got
        finally:
            await connection.close()

    async def received(self, expected: int) -> list[Received]:
        return [
            Received(
                m.headers["Nats-Msg-Id"],
                m.subject.removeprefix(self.prefix + "."),
                m.headers["Payments-Object-Id"],
                m.data,
            )
            for m in await self.raw(expected)
        ]

    async def delete(self) -> None:
        connection = await nats.connect(self.url)
        try:
            await connection.jetstream().delete_stream(self.stream)
        except nats.js.errors.NotFoundError:
            pass
        finally:
            await connection.close()


def broker_named(kind: str) -> Broker:
    if kind == "rabbitmq":
        require(RABBITMQ_URL, 5672, "RabbitMQ")
        return RabbitBroker()
    require(NATS_URL, 4222, "NATS")
    return NatsBroker()
