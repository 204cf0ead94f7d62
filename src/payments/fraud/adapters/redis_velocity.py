"""Velocity counters on Redis: one sorted set per (kind, subject), scored by time in ms.

One Lua script records the observations (``ZADD``: a member seen again moves to its
latest time, so counts are of distinct members), trims what left the longest window,
sets an expiry, and counts every (kind, subject) asked for in every window (``ZCOUNT``
from each window's start): atomic, and one round trip per assessment. The script builds
the keys from the prefix, so an assessment sends each subject once (a third of the
arguments of one key per query), and answers with one string.
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

# ARGV: now, horizon (ms), key prefix, the windows' starts (ms; count first), then the
# observations (count first; kind, subject, member each), then the (kind, subject) pairs
# to count (count first). Returns one string: every pair's count in every window, in
# order, comma-separated (one bulk reply parses faster than an array of integers).
_SCRIPT = """
local now = tonumber(ARGV[1])
local horizon = tonumber(ARGV[2])
local prefix = ARGV[3] .. ':'
local n_windows = tonumber(ARGV[4])
local starts = {}
for w = 1, n_windows do
  starts[w] = ARGV[4 + w]
end
local i = 5 + n_windows
local n_obs = tonumber(ARGV[i])
i = i + 1
local oldest = '(' .. (now - horizon)
for _ = 1, n_obs do
  local key = prefix .. ARGV[i] .. ':' .. ARGV[i + 1]
  redis.call('ZADD', key, now, ARGV[i + 2])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', oldest)
  redis.call('PEXPIRE', key, horizon)
  i = i + 3
end
local n_pairs = tonumber(ARGV[i])
i = i + 1
local counts = {}
for _ = 1, n_pairs do
  local key = prefix .. ARGV[i] .. ':' .. ARGV[i + 1]
  for w = 1, n_windows do
    counts[#counts + 1] = redis.call('ZCOUNT', key, starts[w], '+inf')
  end
  i = i + 2
end
return table.concat(counts, ',')
"""

_WINDOW_NAMES = tuple(WINDOWS)
_WINDOW_MS = tuple(int(w.total_seconds() * 1000) for w in WINDOWS.values())
_HORIZON_MS = int(LONGEST.total_seconds() * 1000)


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


class RedisVelocityCounters:
    def __init__(self, redis: Redis, *, prefix: str = "payments:fraud:v") -> None:
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(_SCRIPT)

    async def observe(
        self, observations: Sequence[Observation], queries: Sequence[CountQuery], now: datetime
    ) -> list[int]:
        now_ms = _ms(now)
        args: list[str | int] = [now_ms, _HORIZON_MS, self._prefix, len(_WINDOW_MS)]
        args += [now_ms - ms for ms in _WINDOW_MS]
        args.append(len(observations))
        for o in observations:
            args += [o.kind, o.subject, o.member]
        pairs: dict[tuple[str, str], int] = {}
        for q in queries:
            pairs.setdefault((q.kind, q.subject), len(pairs))
        args.append(len(pairs))
        for kind, subject in pairs:
            args += [kind, subject]
        try:
            reply = await self._script(keys=[], args=args)
        except (RedisError, OSError) as exc:
            raise VelocityUnavailable(f"Redis: {exc}") from exc
        if not queries:
            return []
        text = reply.decode() if isinstance(reply, bytes) else str(reply)
        counts = [int(c) for c in text.split(",")]
        width = len(_WINDOW_NAMES)
        return [
            counts[pairs[(q.kind, q.subject)] * width + _WINDOW_NAMES.index(q.window)]
            for q in queries
        ]

    async def aclose(self) -> None:
        await self._redis.aclose()
