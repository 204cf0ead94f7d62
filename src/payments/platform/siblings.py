"""Calling a sibling service (Inventory, Customer Base, Locations) over HTTP, resiliently.

:class:`SiblingClient` wraps one ``httpx.AsyncClient`` per sibling with what a call to
another team's service needs:

- a bearer token and timeouts on every request;
- **retries with exponential backoff** on reads only (GET is idempotent): connection
  errors, timeouts, 429 and 5xx are retried ``retries`` times, 4xx are answers;
- a **circuit breaker**: after ``failure_threshold`` failed calls in a row the circuit
  opens and calls fail at once (no waiting on a service that is down) for
  ``reset_seconds`` on the injected clock; then one trial call decides (half-open);
- a **short cache** of successful reads (``cache_seconds``, per path and query), so a
  burst of invoice lines for the same part asks once.

Every failure surfaces as :class:`~payments.kernel.errors.ServiceUnavailable` (HTTP 503),
raised before the caller writes anything: callers look things up *before* they open a
transaction, never while holding one.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog

from payments.kernel.clock import Clock
from payments.kernel.errors import ServiceUnavailable

log = structlog.get_logger(__name__)

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class BreakerState(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass
class CircuitBreaker:
    clock: Clock
    failure_threshold: int = 5
    reset_seconds: float = 30.0
    failures: int = 0
    opened_at: datetime | None = None

    @property
    def state(self) -> BreakerState:
        if self.opened_at is None:
            return BreakerState.CLOSED
        if self.clock.now() - self.opened_at >= timedelta(seconds=self.reset_seconds):
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self) -> bool:
        return self.state != BreakerState.OPEN

    def succeeded(self) -> None:
        self.failures, self.opened_at = 0, None

    def failed(self) -> None:
        self.failures += 1
        if self.state == BreakerState.HALF_OPEN or self.failures >= self.failure_threshold:
            self.opened_at = self.clock.now()  # (re)open: the trial failed, or too many


@dataclass
class _Cached:
    value: Any
    expires: datetime


@dataclass
class SiblingClient:
    """One sibling service: ``get_json`` reads, ``post_json`` writes (never retried
    unless an ``Idempotency-Key`` is given)."""

    name: str
    base_url: str
    clock: Clock
    token: str | None = None
    timeout: float = 5.0
    retries: int = 2
    backoff_seconds: float = 0.2
    cache_seconds: float = 30.0
    failure_threshold: int = 5
    reset_seconds: float = 30.0
    transport: httpx.AsyncBaseTransport | None = None
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _cache: dict[str, _Cached] = field(default_factory=dict)
    _client: httpx.AsyncClient | None = None
    breaker: CircuitBreaker = field(init=False)

    def __post_init__(self) -> None:
        self.breaker = CircuitBreaker(self.clock, self.failure_threshold, self.reset_seconds)

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            headers = {"Accept": "application/json", "User-Agent": "mycomputer-payments"}
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
            self._client = httpx.AsyncClient(
                base_url=self.base_url.rstrip("/"),
                headers=headers,
                timeout=self.timeout,
                transport=self.transport,
            )
        return self._client

    async def get_json(
        self, path: str, params: Mapping[str, str] | None = None, *, cache: bool = True
    ) -> dict[str, Any] | None:
        """The JSON object at ``path``; None when the sibling answers 404. ``cache=False``
        asks the sibling now (a sync wants its current state) and keeps nothing."""
        key = path + "?" + "&".join(f"{k}={v}" for k, v in sorted((params or {}).items()))
        cached = self._cache.get(key) if cache else None
        if cached is not None and cached.expires > self.clock.now():
            return cached.value
        response = await self._call("GET", path, params=params, attempts=1 + self.retries)
        value = None if response.status_code == 404 else _json_object(self.name, response)
        if cache and self.cache_seconds > 0:
            expires = self.clock.now() + timedelta(seconds=self.cache_seconds)
            self._cache[key] = _Cached(value, expires)
        return value

    async def post_json(
        self, path: str, body: Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        attempts = 1 + self.retries if idempotency_key else 1
        response = await self._call("POST", path, json=body, headers=headers, attempts=attempts)
        return _json_object(self.name, response)

    async def _call(self, method: str, path: str, *, attempts: int, **kw: Any) -> httpx.Response:
        breaker = self.breaker
        if not breaker.allow():
            raise ServiceUnavailable(
                f"The {self.name} service is unavailable (its circuit is open after "
                "repeated failures); try again shortly."
            )
        reason = ""
        for attempt in range(attempts):
            if attempt:
                await self.sleep(self.backoff_seconds * 2 ** (attempt - 1))
            try:
                response = await self._http().request(method, path, **kw)
            except httpx.HTTPError as exc:
                reason = type(exc).__name__
            else:
                if response.status_code not in RETRYABLE_STATUS:
                    if response.status_code >= 400 and response.status_code != 404:
                        breaker.succeeded()  # it answered: the service is up
                        raise ServiceUnavailable(
                            f"The {self.name} service refused the request "
                            f"(HTTP {response.status_code})."
                        )
                    breaker.succeeded()
                    return response
                reason = f"HTTP {response.status_code}"
            log.warning("sibling_call_failed", service=self.name, path=path, reason=reason)
        breaker.failed()
        raise ServiceUnavailable(f"The {self.name} service did not answer ({reason}).")

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _json_object(name: str, response: httpx.Response) -> dict[str, Any]:
    try:
        value = response.json()
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ServiceUnavailable(f"The {name} service answered something that is not JSON.")
    return value
