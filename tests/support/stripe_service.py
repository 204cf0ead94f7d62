"""Fixtures (a pytest plugin, loaded by the root conftest): the whole service on Stripe, the
app's container built with ``PAYMENTS_GATEWAY=stripe`` settings pointed at a fake Stripe over
real HTTP, on every test database (as ``api``).

``e2e`` runs one scenario on both gateways through the same HTTP API: the simulator
(its news polled from its feed) and Stripe (its news pushed as signed webhooks to
``POST /webhooks/stripe`` and applied by the worker).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from payments.app.bootstrap import Container, build_container
from payments.app.http import create_app
from payments.app.tables import metadata
from payments.kernel.clock import FrozenClock
from payments.platform.config import Settings
from support.app import Api, make_settings
from support.fake_stripe import FakeStripe, running_fake_stripe
from support.stripe_events import (
    MAX_NETWORK_RETRIES,
    WEBHOOK_SECRET,
    Harness,
    StripeDeliveries,
)


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    """A fake Stripe API on 127.0.0.1, answering with objects built from Stripe's fixtures."""
    with running_fake_stripe() as fake:
        yield fake


def stripe_settings(database_url: str, fake: FakeStripe, **overrides: Any) -> Settings:
    """``PAYMENTS_GATEWAY=stripe`` settings pointed at ``fake``."""
    values: dict[str, Any] = {
        "gateway": "stripe",
        "stripe_secret_key": fake.api_key,
        "stripe_api_base": fake.base_url,
        "stripe_webhook_secret": WEBHOOK_SECRET,
        "stripe_max_network_retries": MAX_NETWORK_RETRIES,
        "stripe_timeout_seconds": 2.0,
    }
    return make_settings(database_url, **(values | overrides))


@pytest.fixture
async def stripe_container(
    database_url: str, clock: FrozenClock, fake_stripe: FakeStripe
) -> AsyncIterator[Container]:
    c = build_container(stripe_settings(database_url, fake_stripe), clock=clock)
    async with c.engine.begin() as conn:  # every test starts from empty tables
        for table in reversed(metadata.sorted_tables):
            await conn.execute(sa.delete(table))
    await c.prepare()
    try:
        yield c
    finally:
        await c.close()


@pytest.fixture
async def stripe_api(stripe_container: Container) -> AsyncIterator[Api]:
    app = create_app(stripe_container.settings, container=stripe_container, embedded=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4242))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield Api(client=client, container=stripe_container)


PUBLISHABLE_KEY = "pk_test_51PayPageExample"


@pytest.fixture
async def stripe_pay_api(
    database_url: str, clock: FrozenClock, fake_stripe: FakeStripe
) -> AsyncIterator[Api]:
    """The API on the Stripe adapter with a publishable key: the hosted pages carry
    Stripe's Payment Element; the client comes from 203.0.113.7 (a mandate's IP)."""
    settings = stripe_settings(database_url, fake_stripe, stripe_publishable_key=PUBLISHABLE_KEY)
    c: Container = build_container(settings, clock=clock)
    async with c.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            await conn.execute(sa.delete(table))
    await c.prepare()
    app = create_app(settings, container=c, embedded=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4242))
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
        ):
            yield Api(client=client, container=c)
    finally:
        await c.close()


@pytest.fixture
def deliveries(fake_stripe: FakeStripe) -> StripeDeliveries:
    return StripeDeliveries(fake_stripe)


@pytest.fixture(params=["simulator", "stripe"])
def e2e(request: pytest.FixtureRequest, database_url: str) -> Harness:
    """``database_url`` is named so that both backends parametrize the scenario."""
    if request.param == "simulator":
        return Harness("simulator", request.getfixturevalue("api"))
    return Harness(
        "stripe",
        request.getfixturevalue("stripe_api"),
        fake=request.getfixturevalue("fake_stripe"),
        deliveries=request.getfixturevalue("deliveries"),
    )
