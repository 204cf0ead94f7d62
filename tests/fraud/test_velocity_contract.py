"""One contract for the velocity counters, run against the database (SQLite and
PostgreSQL) and Redis: the same sightings give the same counts."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta

import pytest
from redis.asyncio import Redis

from payments.app.bootstrap import Container
from payments.fraud.adapters.redis_velocity import RedisVelocityCounters
from payments.fraud.domain.velocity import (
    CountQuery,
    Observation,
    VelocityCounters,
    velocity_queries,
)
from payments.fraud.repository import VelocityRepository
from payments.kernel.clock import FrozenClock
from support.databases import ON_CI, REDIS_URL, redis_available


class DatabaseCounters:
    """The database store, each call in its own committed unit of work (as a confirm's)."""

    def __init__(self, container: Container) -> None:
        self._uow_factory = container.uow_factory

    async def observe(
        self, observations: Sequence[Observation], queries: Sequence[CountQuery], now: datetime
    ) -> list[int]:
        async with self._uow_factory() as uow:
            counts = await uow.repo(VelocityRepository).observe(observations, queries, now)
            await uow.commit()
        return counts


@pytest.fixture(params=["database", "redis"])
async def counters(
    request: pytest.FixtureRequest, container: Container
) -> AsyncIterator[VelocityCounters]:
    if request.param == "database":
        yield DatabaseCounters(container)
        return
    if not redis_available():
        if ON_CI:
            pytest.fail("CI=true but Redis is not reachable")
        pytest.skip("Redis not reachable")
    prefix = f"test-fraud-{secrets.token_hex(6)}"
    store = RedisVelocityCounters(Redis.from_url(REDIS_URL), prefix=prefix)
    yield store
    cleanup = Redis.from_url(REDIS_URL)
    keys = [k async for k in cleanup.scan_iter(match=f"{prefix}:*")]
    if keys:
        await cleanup.delete(*keys)
    await cleanup.aclose()
    await store.aclose()


CARD = "card:fp_1"
Q1M, Q1H, Q24H = (CountQuery(CARD, "attempt", w) for w in ("1m", "1h", "24h"))


async def test_counts_are_per_window_and_include_the_new_sighting(
    counters: VelocityCounters, clock: FrozenClock
) -> None:
    start = clock.now()
    for i in range(3):
        counts = await counters.observe(
            [Observation(CARD, "attempt", f"ch_{i}")], [Q1M], clock.now()
        )
        assert counts == [i + 1]
    clock.advance(seconds=61)  # the first minute is over
    assert await counters.observe(
        [Observation(CARD, "attempt", "ch_3")], [Q1M, Q1H, Q24H], clock.now()
    ) == [1, 4, 4]
    clock.advance(timedelta(hours=1, seconds=1))
    assert await counters.observe([], [Q1M, Q1H, Q24H], clock.now()) == [0, 0, 4]
    clock.advance(timedelta(hours=24) - timedelta(hours=1, seconds=2))
    assert clock.now() - start > timedelta(hours=24)
    assert await counters.observe([], [Q24H], clock.now()) == [1]  # ch_3 is 23h59m old


async def test_a_count_is_of_distinct_members(
    counters: VelocityCounters, clock: FrozenClock
) -> None:
    customer = "customer:cus_1"
    cards = CountQuery(customer, "card", "24h")
    for fp in ("fp_a", "fp_b", "fp_a", "fp_c", "fp_b"):
        counts = await counters.observe([Observation(customer, "card", fp)], [cards], clock.now())
    assert counts == [3]


async def test_subjects_and_kinds_are_counted_apart(
    counters: VelocityCounters, clock: FrozenClock
) -> None:
    now = clock.now()
    await counters.observe(
        [
            Observation("ip:198.51.100.1", "attempt", "ch_1"),
            Observation("ip:198.51.100.1", "decline", "ch_1"),
            Observation("ip:198.51.100.2", "attempt", "ch_2"),
        ],
        [],
        now,
    )
    counts = await counters.observe(
        [],
        [
            CountQuery("ip:198.51.100.1", "attempt", "1h"),
            CountQuery("ip:198.51.100.1", "decline", "1h"),
            CountQuery("ip:198.51.100.2", "decline", "1h"),
            CountQuery("ip:198.51.100.3", "attempt", "1h"),
        ],
        now,
    )
    assert counts == [1, 1, 0, 0]


async def test_the_window_starts_inclusive(counters: VelocityCounters, clock: FrozenClock) -> None:
    await counters.observe([Observation(CARD, "decline", "ch_1")], [], clock.now())
    clock.advance(seconds=60)  # exactly one minute later: still inside the 1-minute window
    assert await counters.observe([], [CountQuery(CARD, "decline", "1m")], clock.now()) == [1]
    clock.advance(seconds=1)
    assert await counters.observe([], [CountQuery(CARD, "decline", "1m")], clock.now()) == [0]


async def test_a_device_counts_distinct_cards_and_its_attempts(
    counters: VelocityCounters, clock: FrozenClock
) -> None:
    """Many cards from one device (a card tester's browser): the device's distinct cards
    in 24 h and its attempts per window, as the assessment asks for them."""
    wanted = velocity_queries(
        {"card": None, "customer": None, "email": None, "ip": None, "device": "device:sess_1"}
    )
    queries = list(wanted.values())
    for i, card in enumerate(("fp_a", "fp_b", "fp_a", "fp_c")):
        counts = await counters.observe(
            [
                Observation("device:sess_1", "attempt", f"ch_{i}"),
                Observation("device:sess_1", "card", card),
            ],
            queries,
            clock.now(),
        )
        clock.advance(seconds=30)
    found = dict(zip(wanted, counts, strict=True))
    assert found["cards_per_device_24h"] == 3  # fp_a twice is one card
    assert found["attempts_per_device_1h"] == 4
    assert found["attempts_per_device_1m"] == 3  # 30, 60 and 90 s after the first
    assert found["declines_per_device_1h"] == 0
    clock.advance(timedelta(hours=24))
    other = await counters.observe([], [wanted["cards_per_device_24h"]], clock.now())
    assert other == [0]
