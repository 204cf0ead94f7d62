from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from payments.apikeys.service import create_api_key
from payments.app.bootstrap import Container
from payments.app.http import create_app
from payments.kernel.access import Role
from payments.kernel.clock import FrozenClock
from payments.platform.ratelimit import MemoryRateLimiter, RedisRateLimiter
from support.app import make_settings
from support.databases import ON_CI, REDIS_URL, redis_available


async def _hammer(container: Container, n: int) -> list[int]:
    app = create_app(container.settings, container=container, embedded=False)
    key = await create_api_key(
        role=Role.readonly,
        name="rl",
        location_id=None,
        uow_factory=container.uow_factory,
        clock=container.clock,
    )
    headers = {"Authorization": f"Bearer {key.secret}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        return [(await client.get("/v1/customers", headers=headers)).status_code for _ in range(n)]


async def test_in_memory_limit_answers_429_past_the_per_second_budget(
    container: Container, clock: FrozenClock
) -> None:
    container.rate_limiter = MemoryRateLimiter(3, clock)
    statuses = await _hammer(container, 5)
    assert statuses == [200, 200, 200, 429, 429]
    clock.advance(seconds=1)
    assert await container.rate_limiter.hit("anyone")


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    if not redis_available():
        if ON_CI:
            pytest.fail("CI=true but Redis is not reachable")
        pytest.skip("Redis not reachable")
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


async def test_redis_limit_is_shared_between_limiters(
    redis: Redis, container: Container, clock: FrozenClock
) -> None:
    prefix = f"test-{id(clock)}"
    one = RedisRateLimiter(Redis.from_url(REDIS_URL), 4, clock, prefix=prefix)
    two = RedisRateLimiter(Redis.from_url(REDIS_URL), 4, clock, prefix=prefix)
    results = [await (one if i % 2 else two).hit("key_x") for i in range(6)]
    assert results == [True, True, True, True, False, False]
    clock.advance(seconds=1)
    assert await one.hit("key_x")
    await one.close()
    await two.close()
    container.rate_limiter = RedisRateLimiter(
        Redis.from_url(REDIS_URL), 2, clock, prefix=prefix + "-api"
    )
    assert await _hammer(container, 3) == [200, 200, 429]
    assert make_settings  # the shared settings helper stays importable for other suites
