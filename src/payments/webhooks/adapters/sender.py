"""Sending one webhook attempt over HTTP: one shared ``httpx.AsyncClient`` per worker.

An attempt never raises: it returns an :class:`~payments.webhooks.domain.delivery.AttemptOutcome`
(2xx, another status, a timeout, a connection error, or an address refused by the
SSRF guard). Redirects are not followed (a 3xx is a failed attempt, as at Stripe),
proxies from the environment are ignored, and only the first 1 KB of the response
body is read, scrubbed of anything that looks like a card number or a secret.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

import httpcore
import httpx

from payments import __version__
from payments.platform.logs import scrub
from payments.webhooks.adapters.ssrf import AddressRefused, GuardedBackend, Resolver, resolve
from payments.webhooks.domain.delivery import SNIPPET_BYTES, AttemptOutcome

USER_AGENT = f"MyComputer-Payments-Webhooks/{__version__}"


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool whose network backend is the SSRF guard."""

    def __init__(self, backend: GuardedBackend, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        # httpx does not take a network backend, so the pool it built is swapped for one
        # that connects through the guard (same settings as httpx's own).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


class WebhookSender:
    def __init__(
        self,
        *,
        timeout: float,
        allowed_hosts: Iterable[str] = (),
        max_connections: int = 100,
        resolver: Resolver = resolve,
    ) -> None:
        self.timeout = timeout
        # at most one request per pooled connection: requests wait here, in FIFO order,
        # rather than in httpcore's pool, whose bookkeeping grows with its queue
        self._slots = asyncio.Semaphore(max_connections)
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        self._client = httpx.AsyncClient(
            transport=_GuardedTransport(GuardedBackend(allowed_hosts, resolver), limits),
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,
            headers={"user-agent": USER_AGENT},
        )

    async def send(self, url: str, body: bytes, headers: dict[str, str]) -> AttemptOutcome:
        async with self._slots:
            return await self._send(url, body, headers)

    async def _send(self, url: str, body: bytes, headers: dict[str, str]) -> AttemptOutcome:
        started = time.perf_counter()

        def elapsed() -> int:
            return round((time.perf_counter() - started) * 1000)

        try:
            async with asyncio.timeout(self.timeout):
                async with self._client.stream("POST", url, content=body, headers=headers) as r:
                    latency = elapsed()
                    snippet = await _read_snippet(r)
        except AddressRefused as exc:
            return AttemptOutcome(elapsed(), error_code="address_refused", error_message=str(exc))
        except (TimeoutError, httpx.TimeoutException):
            return AttemptOutcome(
                elapsed(),
                error_code="timeout",
                error_message=f"No response within {self.timeout:g} s.",
            )
        except (httpx.TransportError, httpx.InvalidURL) as exc:
            message = str(exc) or type(exc).__name__
            return AttemptOutcome(
                elapsed(),
                error_code="connection_error",
                error_message=f"Could not connect: {message}"[:500],
            )
        return AttemptOutcome.from_status(r.status_code, latency, snippet)

    async def aclose(self) -> None:
        await self._client.aclose()


async def _read_snippet(response: httpx.Response) -> str:
    """The first 1 KB of the body (decoded, scrubbed); the rest is never read."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= SNIPPET_BYTES:
            break
    text = b"".join(chunks)[:SNIPPET_BYTES].decode("utf-8", errors="replace")
    return str(scrub(text))
