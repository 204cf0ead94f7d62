"""Shared fixtures: each test run migrates a fresh SQLite file and (when reachable,
always on CI) a fresh PostgreSQL database; API tests run against both."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from payments import migrate
from payments.adapters.db.tables import metadata
from payments.api.app import create_app
from payments.bootstrap import Container, build_container
from payments.clock import FrozenClock
from payments.config import Settings
from payments.domain.access import Role
from payments.services.api_keys import create_api_key
from support.databases import ON_CI, postgres_available, postgres_database, sqlite_database

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


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "environment": "test",
        "rate_limit_per_second": 0,
        "embedded_worker": False,
        "seed_sample_data": False,
        "api_key_cache_seconds": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
async def container(database_url: str, clock: FrozenClock) -> AsyncIterator[Container]:
    c = build_container(make_settings(database_url), clock=clock)
    async with c.engine.begin() as conn:  # every test starts from empty tables
        for table in reversed(metadata.sorted_tables):
            await conn.execute(sa.delete(table))
    try:
        yield c
    finally:
        await c.close()


@dataclass
class Api:
    """An HTTP client for the app plus helpers to mint keys."""

    client: httpx.AsyncClient
    container: Container

    async def key(self, role: str = "admin", *, location: str | None = None) -> dict[str, str]:
        created = await create_api_key(
            role=Role(role),
            name=f"test {role}",
            location_id=location,
            uow_factory=self.container.uow_factory,
            clock=self.container.clock,
        )
        return {"Authorization": f"Bearer {created.secret}"}

    async def location(self, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
        body = {
            "name": "Berlin Mitte",
            "address": {"line1": "Torstrasse 1", "city": "Berlin", "country": "DE"},
            "timezone": "Europe/Berlin",
        } | fields
        response = await self.client.post("/v1/locations", json=body, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


@pytest.fixture
async def api(container: Container) -> AsyncIterator[Api]:
    app = create_app(container.settings, container=container, embedded=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4242))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield Api(client=client, container=container)
