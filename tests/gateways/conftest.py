"""Fixtures for the gateway adapters (tests/gateways, simulator/ and stripe/): the simulator
on a real SQLite file and on a throwaway PostgreSQL database when the server is reachable
(always on CI); the Stripe adapter talking to the fake Stripe (``fake_stripe``, from
support.stripe_service) over real HTTP; and ``backend``, every adapter for the one gateway
contract suite."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from payments.gateways.simulator import SimulatorGateway, SimulatorSettings
from payments.gateways.simulator.store import SimulatorStore, metadata
from payments.gateways.stripe import ClientConfig, StripeGateway
from payments.kernel.clock import FrozenClock
from support.databases import ON_CI, postgres_available, postgres_database
from support.fake_stripe import FakeStripe
from support.gateway_backends import Backend, simulator_backend, stripe_backend

WEBHOOK_SECRET = "whsec_fake_0123456789abcdef"


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
    return await clean_database(sim_url)


async def clean_database(sim_url: str) -> str:
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


# --------------------------------------------------------------------------- Stripe


@pytest.fixture
async def make_stripe_gateway(
    fake_stripe: FakeStripe,
) -> AsyncIterator[Callable[..., StripeGateway]]:
    """Builds Stripe adapters talking to the fake over real HTTP; closed after the test."""
    made: list[StripeGateway] = []

    def make(**overrides: Any) -> StripeGateway:
        values: dict[str, Any] = {
            "secret_key": fake_stripe.api_key,
            "api_base": fake_stripe.base_url,
            "max_network_retries": 1,
            "timeout_seconds": 2.0,
        }
        values.update(overrides)
        gateway = StripeGateway(ClientConfig(**values), webhook_secret=WEBHOOK_SECRET)
        made.append(gateway)
        return gateway

    yield make
    for gateway in made:
        await gateway.aclose()


@pytest.fixture
def stripe_gateway(make_stripe_gateway: Callable[..., StripeGateway]) -> StripeGateway:
    return make_stripe_gateway()


@pytest.fixture(
    params=[
        "simulator-sqlite",
        pytest.param("simulator-postgres", marks=pytest.mark.postgres),
        "stripe",
    ]
)
def contract_target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Any]:
    """Which adapter the contract runs against, with its database URL or fake Stripe."""
    if request.param == "stripe":
        return "stripe", request.getfixturevalue("fake_stripe")
    if request.param == "simulator-postgres":
        return request.param, request.getfixturevalue("postgres_url")
    return request.param, f"sqlite+aiosqlite:///{tmp_path / 'contract.sqlite3'}"


@pytest.fixture
async def backend(
    contract_target: tuple[str, Any], clock: FrozenClock, settings: SimulatorSettings
) -> AsyncIterator[Backend]:
    """The gateway contract's subject: each adapter with its test controls."""
    name, target = contract_target
    if name == "stripe":
        config = ClientConfig(
            secret_key=target.api_key,
            api_base=target.base_url,
            max_network_retries=1,
            timeout_seconds=2.0,
        )
        async with StripeGateway(config) as gateway:
            yield stripe_backend(gateway, target)
        return
    sim = SimulatorGateway(await clean_database(target), clock=clock, settings=settings)
    try:
        await sim.store.create_all()
        yield simulator_backend(name, sim)
    finally:
        await sim.aclose()
