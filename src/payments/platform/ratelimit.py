"""Rate limiting per API key: a fixed one-second window.

:class:`RedisRateLimiter` shares the count across every API process (INCR +
EXPIRE in one pipeline); :class:`MemoryRateLimiter` is the single-process
default when no Redis is configured.
"""

from __future__ import annotations

from typing import Protocol

from redis.asyncio import Redis

from payments.kernel.clock import Clock


class RateLimiter(Protocol):
    async def hit(self, key: str) -> bool:
        """Count one request for ``key``; False when over the limit."""
        ...

    async def close(self) -> None: ...


class MemoryRateLimiter:
    def __init__(self, limit: int, clock: Clock) -> None:
        self._limit = limit
        self._clock = clock
        self._window = 0
        self._counts: dict[str, int] = {}

    async def hit(self, key: str) -> bool:
        window = int(self._clock.now().timestamp())
        if window != self._window:
            self._window, self._counts = window, {}
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        return count <= self._limit

    async def close(self) -> None:
        return None


class RedisRateLimiter:
    def __init__(self, redis: Redis, limit: int, clock: Clock, *, prefix: str = "payments") -> None:
        self._redis = redis
        self._limit = limit
        self._clock = clock
        self._prefix = prefix

    async def hit(self, key: str) -> bool:
        window = int(self._clock.now().timestamp())
        name = f"{self._prefix}:rl:{key}:{window}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, 2)
            count, _ = await pipe.execute()
        return int(count) <= self._limit

    async def close(self) -> None:
        await self._redis.aclose()


class NoRateLimit:
    async def hit(self, key: str) -> bool:
        return True

    async def close(self) -> None:
        return None
