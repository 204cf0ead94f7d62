"""The Locations Service adapter against a fake built from its contract
(docs/reference/integrations/locations-service.openapi.yaml), over a real socket: every
page of shops read in order, one shop or a 404, retries with backoff, the circuit breaker
on the injected clock, no cache for a sync, answers that break the contract, timeouts and
a wrong token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from payments.kernel.clock import FrozenClock
from payments.kernel.errors import ServiceUnavailable
from payments.locations.adapters.locations_service import LocationsServiceDirectory
from payments.locations.domain import Shop
from payments.platform.siblings import BreakerState, SiblingClient
from support.fake_locations import TOKEN, FakeLocations
from support.server import serving_in_loop
from support.siblings import recording_client


@pytest.fixture
async def locations() -> AsyncIterator[tuple[FakeLocations, str]]:
    fake = FakeLocations()
    async with serving_in_loop(fake.app()) as base_url:
        yield fake, base_url


def _directory(base_url: str, clock: FrozenClock, **kw: Any) -> LocationsServiceDirectory:
    options: dict[str, Any] = {"cache_seconds": 30} | kw  # a sync must not use it anyway
    client, sleeps = recording_client("locations", base_url, clock, TOKEN, **options)
    directory = LocationsServiceDirectory(client)
    directory.sleeps = sleeps  # type: ignore[attr-defined]
    return directory


async def test_every_shop_is_read_page_by_page_in_the_contracts_shape(
    locations: tuple[FakeLocations, str], clock: FrozenClock
) -> None:
    fake, url = locations
    for n in range(230):
        fake.put(f"shop-{n:03d}")
    fake.put(
        "shop-000",
        name="MyComputer Zurich",
        address={
            "line1": "Bahnhofstrasse 12",
            "postal_code": "8001",
            "city": "Zurich",
            "country": "CH",
        },
        currency="CHF",
        accepted_currencies=["CHF", "EUR"],
        timezone="Europe/Zurich",
        legal_entity="CHE-116.281.710 MWST",
        price_list="ch",
        tax_region="CH",
        status="closed",
    )
    directory = _directory(url, clock)
    try:
        shops = await directory.shops()
    finally:
        await directory.aclose()

    assert [s.external_id for s in shops] == [f"shop-{n:03d}" for n in range(230)]
    assert [(c["path"], c.get("starting_after")) for c in fake.calls] == [
        ("/v1/shops", None),
        ("/v1/shops", "shop-099"),
        ("/v1/shops", "shop-199"),
    ]
    assert {c["limit"] for c in fake.calls} == {"100"}
    assert shops[0] == Shop(
        external_id="shop-000",
        name="MyComputer Zurich",
        address={
            "line1": "Bahnhofstrasse 12",
            "line2": None,
            "postal_code": "8001",
            "city": "Zurich",
            "state": None,
            "country": "CH",
        },
        currency="CHF",  # normalised by the sync, not the adapter
        currencies=["CHF", "EUR"],
        timezone="Europe/Zurich",
        legal_entity_ref="CHE-116.281.710 MWST",
        price_list="ch",
        tax_region="CH",
        open=False,
        updated=datetime(2025, 12, 1, 12, 0, tzinfo=UTC),
    )
    assert shops[1].open and shops[1].legal_entity_ref is None


async def test_one_shop_or_none(locations: tuple[FakeLocations, str], clock: FrozenClock) -> None:
    fake, url = locations
    fake.put("shop/with slash", name="Odd id")
    directory = _directory(url, clock)
    try:
        found = await directory.shop("shop/with slash")
        assert found is not None and found.name == "Odd id"
        assert await directory.shop("gone") is None
    finally:
        await directory.aclose()


async def test_a_sync_reads_the_service_now_never_a_cached_page(
    locations: tuple[FakeLocations, str], clock: FrozenClock
) -> None:
    fake, url = locations
    fake.put("shop-1")
    directory = _directory(url, clock, cache_seconds=300)
    try:
        assert [s.name for s in await directory.shops()] == ["MyComputer shop-1"]
        fake.put("shop-1", name="Renamed")
        assert [s.name for s in await directory.shops()] == ["Renamed"]
        assert len(fake.calls) == 2
    finally:
        await directory.aclose()


async def test_failures_are_retried_with_backoff_then_answered(
    locations: tuple[FakeLocations, str], clock: FrozenClock
) -> None:
    fake, url = locations
    fake.put("shop-1")
    fake.faults = ["http_500", "http_500"]
    directory = _directory(url, clock)
    try:
        assert [s.external_id for s in await directory.shops()] == ["shop-1"]
        assert len(fake.calls) == 3
        assert directory.sleeps == [0.2, 0.4]  # type: ignore[attr-defined]
    finally:
        await directory.aclose()


async def test_a_service_that_keeps_failing_opens_the_circuit_until_it_may_have_recovered(
    locations: tuple[FakeLocations, str], clock: FrozenClock
) -> None:
    fake, url = locations
    fake.put("shop-1")
    directory = _directory(url, clock, retries=0, failure_threshold=2, reset_seconds=30)
    client: SiblingClient = directory._client
    try:
        fake.faults = ["http_500"] * 2
        for _ in range(2):
            with pytest.raises(ServiceUnavailable):
                await directory.shops()
        assert client.breaker.state == BreakerState.OPEN
        with pytest.raises(ServiceUnavailable, match="circuit is open"):
            await directory.shops()
        assert len(fake.calls) == 2  # failed fast: the service was not called

        clock.advance(seconds=31)  # half-open: one trial call decides
        assert [s.external_id for s in await directory.shops()] == ["shop-1"]
        assert client.breaker.state == BreakerState.CLOSED
    finally:
        await directory.aclose()


@pytest.mark.parametrize("fault", ["not_json", "bad_status", "slow"])
async def test_an_answer_that_breaks_the_contract_or_never_comes_is_unavailable(
    locations: tuple[FakeLocations, str], clock: FrozenClock, fault: str
) -> None:
    fake, url = locations
    fake.put("shop-1")
    fake.faults = [fault]
    directory = _directory(url, clock, retries=0, timeout=0.5)
    try:
        with pytest.raises(ServiceUnavailable):
            await directory.shops()
    finally:
        await directory.aclose()


@pytest.mark.parametrize(
    ("broken", "says"),
    [
        ({"address": {"city": "Berlin"}}, "an address"),
        ({"accepted_currencies": "eur"}, "accepted_currencies"),
        ({"name": ""}, "name"),
        ({"updated_at": "yesterday"}, "updated_at"),
    ],
)
async def test_a_shop_outside_the_contract_fails_the_whole_read(
    locations: tuple[FakeLocations, str], clock: FrozenClock, broken: dict[str, Any], says: str
) -> None:
    fake, url = locations
    fake.put("shop-1")
    fake.put("shop-2", **broken)
    directory = _directory(url, clock, retries=0)
    try:
        with pytest.raises(ServiceUnavailable, match=f"shop-2 with .*{says}"):
            await directory.shops()
    finally:
        await directory.aclose()


async def test_a_wrong_token_is_not_retried_and_says_refused(
    locations: tuple[FakeLocations, str], clock: FrozenClock
) -> None:
    fake, url = locations
    client = SiblingClient(name="locations", base_url=url, clock=clock, token="wrong")
    directory = LocationsServiceDirectory(client)
    try:
        with pytest.raises(ServiceUnavailable, match="HTTP 401"):
            await directory.shops()
        assert len(fake.calls) == 1
    finally:
        await directory.aclose()
