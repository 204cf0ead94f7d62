"""What the RabbitMQ and NATS publishers share: a connection kept between rounds, opened
again after a failure, and messages sent one after another, each awaited until the broker
confirms it.

A failure to reach the broker sends nothing (``PublishFailed(0, ...)``); a nack, a lost
connection or a timeout stops the round at that message and :class:`PublishFailed` says
how many were confirmed before it. Either way the connection is dropped (closed within
the timeout, errors ignored), so the next round opens a fresh one and nothing waits in a
client buffer while the outbox believes it unsent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

from payments.eventbus.domain import BrokerMessage, PublishFailed


class ConfirmingPublisher:
    """Subclasses open the connection (:meth:`_open`, which sets ``self._connection``
    first, so a failure after it still closes it), say whether it is still usable
    (:meth:`_usable`) and send one message until it is confirmed (:meth:`_send`)."""

    name: str
    #: how the errors name the broker: "<unreachable> unreachable: ...",
    #: "<not_confirmed> <message id>: ..."
    unreachable: str
    not_confirmed: str

    def __init__(self, *, timeout: float) -> None:
        self._timeout = timeout
        self._connection: Any = None
        self._target: Any = None  # what messages are sent to (a channel's exchange, a stream)

    async def _open(self) -> Any:
        """Connect (setting ``self._connection``) and return the target to send to."""
        raise NotImplementedError

    def _usable(self) -> bool:
        raise NotImplementedError

    async def _send(self, target: Any, message: BrokerMessage) -> None:
        raise NotImplementedError

    async def _ready(self) -> Any:
        if self._target is not None and self._usable():
            return self._target
        await self._reset()
        self._target = await self._open()
        return self._target

    async def publish(self, messages: Sequence[BrokerMessage]) -> None:
        try:
            target = await asyncio.wait_for(self._ready(), self._timeout)
        except Exception as exc:  # any failure to reach the broker: nothing was sent
            await self._reset()
            raise PublishFailed(0, f"{self.unreachable} unreachable: {type(exc).__name__}") from exc
        for confirmed, message in enumerate(messages):
            try:
                await self._send(target, message)
            except Exception as exc:  # nack, no ack, closed connection, timeout: stop here
                await self._reset()
                raise PublishFailed(
                    confirmed, f"{self.not_confirmed} {message.message_id}: {exc!r}"
                ) from exc

    async def _reset(self) -> None:
        connection, self._connection, self._target = self._connection, None, None
        if connection is not None and not connection.is_closed:
            with contextlib.suppress(Exception):  # a broken connection is dropped anyway
                await asyncio.wait_for(connection.close(), self._timeout)

    async def aclose(self) -> None:
        await self._reset()
