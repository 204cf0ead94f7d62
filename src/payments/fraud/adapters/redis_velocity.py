"""Velocity counters on Redis: one sorted set per (kind, subject), scored by time in ms.

One Lua script records the observations (``ZADD``: a member seen again moves to its
latest time, so counts are of distinct members), trims what left the longest window,
sets an expiry, and counts every query (``ZCOUNT`` from the window's start): atomic, and
one round trip per assessment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from redis.asyncio import Redis
from redis.exceptions import RedisError

from payments.fraud.domain.velocity import (
    LONGEST,
    WINDOWS,
    CountQuery,
    Observation,
    VelocityUnavailable,
)

_SCRIPT = """
local now = tonumber(ARGV[1])
local horizon = tonumber(ARGV[2])
local n_obs = tonumber(ARGV[3])
local i = 4
for _ = 1, n_obs do
  local key = ARGV[i]
  redis.call('ZADD', key, now, ARGV[i + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. (now - horizon))
  redis.call('PEXPIRE', key, horizon)
  i = i + 2
end
local counts = {}
local n_q = tonumber(ARGV[i])
i = i + 1
for q = 1, n_q do
  counts[q] = redis.call('ZCOUNT', ARGV[i], ARGV[i + 1], '+inf')
  i = i + 2
end
return counts
"""


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


class RedisVelocityCounters:
    def __init__(self, redis: Redis, *, prefix: str = "payments:fraud:v") -> None:
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(_SCRIPT)

    def _key(self, kind: str, subject: str) -> str:
        return f"{self._prefix}:{kind}:{subject}"

    async def observe(
        self, observations: Sequence[Observation], queries: Sequence[CountQuery], now: datetime
    ) -> list[int]:
        now_ms = _ms(now)
        args: list[str | int] = [now_ms, int(LONGEST.total_seconds() * 1000), len(observations)]
        for o in observations:
            args += [self._key(o.kind, o.subject), o.member]
        args.append(len(queries))
        for q in queries:
            args += [
                self._key(q.kind, q.subject),
                now_ms - int(WINDOWS[q.window].total_seconds() * 1000),
            ]
        try:
            counts = await self._script(keys=[], args=args)
        except (RedisError, OSError) as exc:
            raise VelocityUnavailable(f"Redis: {exc}") from exc
        return [int(c) for c in counts]

    async def aclose(self) -> None:
        await self._redis.aclose()
