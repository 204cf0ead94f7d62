"""A real webhook receiver: an HTTP/1.1 server on 127.0.0.1 in its own thread.

It answers each request from a script (``receiver.answer(500, "timeout", 200)``,
then ``default``), records every request (headers, raw body), and counts them by
``webhook-id``. It lives in its own thread and event loop, so it serves worker
processes as well as the test's own event loop.
"""

from __future__ import annotations

import asyncio
import collections
import random
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

Answer = int | str  # an HTTP status, "timeout" (hold the connection), or "close"

REASONS = {200: "OK", 204: "No Content", 302: "Found", 500: "Internal Server Error"}


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int = 0
    default: Answer = 200
    latency: tuple[float, float] = (0.0, 0.0)  # random delay before answering, seconds
    hold_seconds: float = 5.0  # how long a "timeout" answer holds the connection
    error_body: bytes = (
        b'{"error": "boom", "card": "4242424242424242", "key": "sk_test_abcdefghijkl"}'
    )
    on_request: Callable[[], object] | None = None  # run (blocking) while a request is held
    observed: list[object] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    _script: collections.deque[Answer] = field(default_factory=collections.deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def answer(self, *answers: Answer) -> None:
        with self._lock:
            self._script.extend(answers)

    def _next(self) -> Answer:
        with self._lock:
            return self._script.popleft() if self._script else self.default

    def counts(self) -> collections.Counter[str]:
        with self._lock:
            return collections.Counter(r.headers.get("webhook-id", "") for r in self.requests)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                answer = self._next()
                with self._lock:
                    self.requests.append(Received(method, path, headers, body))
                if self.on_request is not None:
                    self.observed.append(self.on_request())
                low, high = self.latency
                if high:
                    await asyncio.sleep(random.uniform(low, high))
                if answer == "timeout":
                    await asyncio.sleep(self.hold_seconds)
                    break
                if answer == "close":
                    break
                status = int(answer)
                payload = b'{"received": true}' if 200 <= status < 300 else self.error_body
                writer.write(
                    f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}\r\n"
                    f"content-type: application/json\r\ncontent-length: {len(payload)}\r\n"
                    "\r\n".encode()
                    + payload
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:  # the receiver is shutting down
            pass
        finally:
            writer.close()


@contextmanager
def running_receiver(**options: object) -> Iterator[Receiver]:
    receiver = Receiver(**options)  # type: ignore[arg-type]
    loop = asyncio.new_event_loop()
    started = threading.Event()
    server: asyncio.base_events.Server | None = None

    async def start() -> None:
        nonlocal server
        server = await asyncio.start_server(receiver._handle, "127.0.0.1", 0)
        receiver.port = server.sockets[0].getsockname()[1]
        started.set()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=run, name="webhook-receiver", daemon=True)
    thread.start()
    if not started.wait(10):
        raise RuntimeError("receiver did not start")
    try:
        yield receiver
    finally:

        async def stop() -> None:
            assert server is not None
            server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
