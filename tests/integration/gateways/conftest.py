"""Fixtures for the gateway simulator: a real SQLite file, and a throwaway
PostgreSQL database when the server is reachable (always on CI)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from payments.adapters.gateways.simulator import SimulatorGateway, SimulatorSettings
from payments.adapters.gateways.simulator.store import SimulatorStore, metadata
from payments.clock import FrozenClock
from support.databases import ON_CI, postgres_available, postgres_database


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway database on the test PostgreSQL server (required on CI)."""
    if not postgres_available():
        if ON_CI:
            pytest.fail("CI=true but PostgreSQL is not reachable")
        pytest.skip("PostgreSQL not reachable")
    with postgres_database("sim_test") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sim_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'sim.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
async def clean_sim_db(sim_url: str) -> str:
    """A clean slate per test (the PostgreSQL database lives for the session)."""
    if sim_url.startswith("postgresql"):
        store = SimulatorStore(sim_url)
        try:
            await store.create_all()
            async with store.transaction() as conn:
                for table in reversed(metadata.sorted_tables):
                    await conn.execute(table.delete())
        finally:
            await store.dispose()
    return sim_url


@pytest.fixture
def settings() -> SimulatorSettings:
    return SimulatorSettings()


@pytest.fixture
async def make_gateway(
    clean_sim_db: str, clock: FrozenClock, settings: SimulatorSettings
) -> AsyncIterator[Callable[[], SimulatorGateway]]:
    """Builds simulator instances on the test database (each with its own engine)."""
    made: list[SimulatorGateway] = []

    def make() -> SimulatorGateway:
        gateway = SimulatorGateway(clean_sim_db, clock=clock, settings=settings)
        made.append(gateway)
        return gateway

    yield make
    for gateway in made:
        await gateway.aclose()


@pytest.fixture
async def gateway(make_gateway: Callable[[], SimulatorGateway]) -> SimulatorGateway:
    sim = make_gateway()
    await sim.store.create_all()
    return sim


@pytest.fixture
def key() -> Callable[[], str]:
    return lambda: f"idem_{uuid.uuid4().hex}"
