"""Helpers for the event bus tests: events made through the API, a publisher that
records (the port's double, for the outbox's own rules), and a TCP proxy in front of
the real RabbitMQ that a test can cut and restore (a broker outage, as the client sees
one)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

from payments.app.bootstrap import Container
from payments.eventbus.domain import BrokerMessage, EventPublisher, PublishFailed
from payments.eventbus.service import Round, publish_round
from support.app import Api
from support.server import free_port


async def make_customers(api: Api, headers: dict[str, str], names: Sequence[str]) -> list[str]:
    """Customers created (one ``customer.created`` event each), updated once each."""
    ids = []
    for name in names:
        created = await api.client.post("/v1/customers", json={"name": name}, headers=headers)
        assert created.status_code == 200, created.text
        ids.append(created.json()["id"])
        updated = await api.client.post(
            f"/v1/customers/{ids[-1]}",
            json={"metadata": {"note": f"{name} updated"}},
            headers=headers,
        )
        assert updated.status_code == 200, updated.text
    return ids


async def event_ids(api: Api, headers: dict[str, str]) -> list[str]:
    """Every event id, oldest first."""
    page = await api.client.get("/v1/events", params={"limit": 100}, headers=headers)
    return [e["id"] for e in reversed(page.json()["data"])]


async def one_round(
    container: Container, publisher: EventPublisher, holder: str = "me", batch_size: int = 100
) -> Round:
    """One publishing round of the outbox into ``publisher``."""
    return await publish_round(
        uow_factory=container.uow_factory,
        clock=container.clock,
        publisher=publisher,
        holder=holder,
        batch_size=batch_size,
    )


class RecordingPublisher:
    """Confirms what it is given (or the first ``fail_after`` messages, then refuses)."""

    name = "recording"

    def __init__(self) -> None:
        self.sent: list[BrokerMessage] = []
        self.fail_after: int | None = None

    async def publish(self, messages: Sequence[BrokerMessage]) -> None:
        for count, message in enumerate(messages):
            if self.fail_after is not None and count >= self.fail_after:
                raise PublishFailed(count, "refused by the test")
            self.sent.append(message)

    async def aclose(self) -> None:
        return None


class TcpProxy:
    """Forwards a loopback port to ``target``; ``cut()`` drops every connection and stops
    listening (the broker is unreachable), ``restore()`` listens again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._server: asyncio.base_events.Server | None = None
        self._pipes: set[asyncio.Task[Any]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def restore(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.close()
        for task in list(self._pipes):
            task.cancel()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self._writers |= {writer, up_writer}
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        sink.close()
