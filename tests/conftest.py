"""Shared fixtures: each test run migrates a fresh SQLite file and (when reachable,
always on CI) a fresh PostgreSQL database; API tests run against both."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import sqlalchemy as sa

from payments.app.bootstrap import Container, build_container
from payments.app.http import create_app
from payments.app.tables import metadata
from payments.kernel.clock import FrozenClock
from payments.platform.db import migrate
from support.app import Api, make_settings
from support.databases import ON_CI, postgres_available, postgres_database, sqlite_database

# fake_stripe, stripe_container, stripe_api, deliveries and e2e (both gateways), and the real
# browser (browser, page, live_url), for any folder
pytest_plugins = ["support.stripe_service", "support.browser"]

_PG = postgres_available()
if ON_CI and not _PG:
    raise pytest.UsageError("CI=true but PostgreSQL is not reachable: start it first (.ci/run)")

BACKENDS = ["sqlite", "postgresql"] if _PG else ["sqlite"]


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A freshly migrated database of each backend, shared by the session's tests."""
    if request.param == "postgresql":
        with postgres_database() as url:
            migrate.upgrade(url)
            yield url
    else:
        with sqlite_database(tmp_path_factory.mktemp("db")) as url:
            migrate.upgrade(url)
            yield url


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
async def container(database_url: str, clock: FrozenClock) -> AsyncIterator[Container]:
    c = build_container(make_settings(database_url), clock=clock)
    async with c.engine.begin() as conn:  # every test starts from empty tables
        for table in reversed(metadata.sorted_tables):
            await conn.execute(sa.delete(table))
    await c.prepare()
    await c.gateway.clear_faults()  # type: ignore[attr-defined]
    try:
        yield c
    finally:
        await c.close()


@pytest.fixture
async def api(container: Container) -> AsyncIterator[Api]:
    app = create_app(container.settings, container=container, embedded=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4242))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield Api(client=client, container=container)
