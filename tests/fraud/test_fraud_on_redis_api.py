"""With PAYMENTS_FRAUD_VELOCITY_STORE=redis the service counts on Redis: a card-testing
burst is blocked just as with the database's counters."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import sqlalchemy as sa
from redis.asyncio import Redis

from payments.app.bootstrap import build_container
from payments.app.http import create_app
from payments.app.tables import metadata
from payments.fraud.adapters.redis_velocity import RedisVelocityCounters
from payments.kernel.clock import FrozenClock
from support.app import Api, make_settings
from support.databases import ON_CI, REDIS_URL, redis_available

PREFIX = "payments:fraud:v"  # the service's own prefix, on the test database (15)


async def _forget(url: str) -> None:
    client = Redis.from_url(url)
    keys = [k async for k in client.scan_iter(match=f"{PREFIX}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture
async def redis_api(database_url: str, clock: FrozenClock) -> AsyncIterator[Api]:
    if not redis_available():
        if ON_CI:
            pytest.fail("CI=true but Redis is not reachable")
        pytest.skip("Redis not reachable")
    await _forget(REDIS_URL)
    settings = make_settings(database_url, redis_url=REDIS_URL, fraud_velocity_store="redis")
    c = build_container(settings, clock=clock)
    async with c.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            await conn.execute(sa.delete(table))
    await c.prepare()
    app = create_app(c.settings, container=c, embedded=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4242))
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
        ):
            yield Api(client=client, container=c)
    finally:
        await c.close()
        await _forget(REDIS_URL)


async def test_a_card_testing_burst_is_blocked_with_counters_on_redis(redis_api: Api) -> None:
    api = redis_api
    assert isinstance(api.container.extras["fraud_velocity"], RedisVelocityCounters)
    admin = await api.key("admin")
    shop = await api.location(admin)
    await api.client.post(
        "/v1/fraud/rules",
        json={"action": "block", "predicate": ":declines_per_ip_1h: >= 3"},
        headers=admin,
    )
    body = {"amount": 500, "location": shop["id"], "confirm": True}
    codes = []
    for pm in ["pm_card_chargeDeclined"] * 3 + ["pm_card_visa"]:
        answer = await api.client.post(
            "/v1/payment_intents", json=body | {"payment_method": pm}, headers=admin
        )
        codes.append((answer.status_code, answer.json()["error"]["decline_code"]))
    assert codes == [(402, "generic_decline")] * 3 + [(402, "fraudulent")]
    client = Redis.from_url(REDIS_URL)
    keys = [k async for k in client.scan_iter(match=f"{PREFIX}:decline:*")]
    await client.aclose()
    assert keys  # the declines were counted on Redis
    velocity_rows = await api.container.engine.connect()
    try:
        count = (
            await velocity_rows.execute(sa.text("SELECT count(*) FROM fraud_velocity_events"))
        ).scalar_one()
    finally:
        await velocity_rows.close()
    assert count == 0  # and not in the database


async def test_payments_go_on_when_redis_is_unreachable(
    database_url: str, clock: FrozenClock
) -> None:
    """Fail open: without its counters the assessment still scores the other signals."""
    settings = make_settings(
        database_url, redis_url="redis://127.0.0.1:1/0", fraud_velocity_store="redis"
    )
    c = build_container(settings, clock=clock)
    async with c.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            await conn.execute(sa.delete(table))
    await c.prepare()
    app = create_app(c.settings, container=c, embedded=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4242))
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
        ):
            api = Api(client=client, container=c)
            admin = await api.key("admin")
            shop = await api.location(admin)
            paid = await client.post(
                "/v1/payment_intents",
                json={
                    "amount": 500,
                    "location": shop["id"],
                    "confirm": True,
                    "payment_method": "pm_card_visa",
                },
                headers=admin,
            )
            assert paid.status_code == 200, paid.text
            charge = (
                await client.get(f"/v1/charges/{paid.json()['latest_charge']}", headers=admin)
            ).json()
            assert charge["outcome"]["risk_level"] == "normal"
            assert "card_country_not_shop_country" in [
                r["signal"] for r in charge["risk"]["reasons"]
            ]
    finally:
        await c.close()
