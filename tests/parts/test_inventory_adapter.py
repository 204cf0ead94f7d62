"""The Inventory Service adapter against a fake built from its contract
(docs/reference/integrations/inventory.openapi.yaml), over a real socket: prices, 404s,
retries with backoff, the circuit breaker on the injected clock, the cache, answers that
break the contract, timeouts; and invoices priced through it, nothing written when it
is down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from payments.kernel.clock import FrozenClock
from payments.kernel.errors import ServiceUnavailable
from payments.parts.adapters.inventory import InventoryPartCatalogue
from payments.parts.domain import PartPrice
from payments.platform.siblings import BreakerState, SiblingClient
from support.app import Api
from support.fake_inventory import TOKEN, FakeInventory
from support.invoices import customer, setup
from support.server import serving_in_loop
from support.siblings import recording_client


@pytest.fixture
async def inventory() -> AsyncIterator[tuple[FakeInventory, str]]:
    fake = FakeInventory()
    fake.add("LCD-MBP13-2020", "eur", "Display assembly MacBook Pro 13 (2020)", 24900)
    fake.add("BAT-XPS13", "eur", "Battery Dell XPS 13", 8900, "standard")
    async with serving_in_loop(fake.app()) as base_url:
        yield fake, base_url


def _catalogue(base_url: str, clock: FrozenClock, **kw: Any) -> InventoryPartCatalogue:
    client, sleeps = recording_client("inventory", base_url, clock, TOKEN, **kw)
    catalogue = InventoryPartCatalogue(client)
    catalogue.sleeps = sleeps  # type: ignore[attr-defined]
    return catalogue


async def test_a_part_is_priced_by_the_inventory_service(
    inventory: tuple[FakeInventory, str], clock: FrozenClock
) -> None:
    fake, url = inventory
    catalogue = _catalogue(url, clock)
    try:
        price = await catalogue.price("LCD-MBP13-2020", currency="eur", location_id="loc_1")
        assert price == PartPrice(
            sku="LCD-MBP13-2020",
            description="Display assembly MacBook Pro 13 (2020)",
            unit_amount=24900,
            currency="eur",
            tax_category="standard",
            source="inventory",
        )
        assert fake.calls == [{"sku": "LCD-MBP13-2020", "currency": "eur", "location": "loc_1"}]
        assert await catalogue.price("LCD-MBP13-2020", currency="pln", location_id="loc_1") is None
    finally:
        await catalogue.aclose()


async def test_failures_are_retried_with_backoff_then_answered(
    inventory: tuple[FakeInventory, str], clock: FrozenClock
) -> None:
    fake, url = inventory
    fake.faults = ["http_500", "http_500"]
    catalogue = _catalogue(url, clock)
    try:
        price = await catalogue.price("BAT-XPS13", currency="eur", location_id="loc_1")
        assert price is not None and price.unit_amount == 8900
        assert len(fake.calls) == 3
        assert catalogue.sleeps == [0.2, 0.4]  # type: ignore[attr-defined]
    finally:
        await catalogue.aclose()


async def test_a_service_that_keeps_failing_opens_the_circuit_until_it_may_have_recovered(
    inventory: tuple[FakeInventory, str], clock: FrozenClock
) -> None:
    fake, url = inventory
    catalogue = _catalogue(url, clock, retries=0, failure_threshold=3, reset_seconds=30)
    client: SiblingClient = catalogue._client
    try:
        fake.faults = ["http_500"] * 3
        for _ in range(3):
            with pytest.raises(ServiceUnavailable):
                await catalogue.price("BAT-XPS13", currency="eur", location_id="loc_1")
        assert client.breaker.state == BreakerState.OPEN
        with pytest.raises(ServiceUnavailable, match="circuit is open"):
            await catalogue.price("BAT-XPS13", currency="eur", location_id="loc_1")
        assert len(fake.calls) == 3  # failed fast: the service was not called

        clock.advance(seconds=31)  # half-open: one trial call decides
        assert client.breaker.state == BreakerState.HALF_OPEN
        assert await catalogue.price("BAT-XPS13", currency="eur", location_id="loc_1")
        assert client.breaker.state == BreakerState.CLOSED
    finally:
        await catalogue.aclose()


async def test_answers_are_cached_for_a_short_while(
    inventory: tuple[FakeInventory, str], clock: FrozenClock
) -> None:
    fake, url = inventory
    catalogue = _catalogue(url, clock, cache_seconds=30)
    try:
        for _ in range(3):
            await catalogue.price("BAT-XPS13", currency="eur", location_id="loc_1")
        assert len(fake.calls) == 1
        clock.advance(seconds=31)
        await catalogue.price("BAT-XPS13", currency="eur", location_id="loc_1")
        assert len(fake.calls) == 2
    finally:
        await catalogue.aclose()


@pytest.mark.parametrize("fault", ["not_json", "bad_amount", "slow"])
async def test_an_answer_that_breaks_the_contract_or_never_comes_is_unavailable(
    inventory: tuple[FakeInventory, str], clock: FrozenClock, fault: str
) -> None:
    fake, url = inventory
    fake.faults = [fault]
    catalogue = _catalogue(url, clock, retries=0, timeout=0.5)
    try:
        with pytest.raises(ServiceUnavailable):
            await catalogue.price("BAT-XPS13", currency="eur", location_id="loc_1")
    finally:
        await catalogue.aclose()


async def test_a_wrong_token_is_not_retried_and_says_refused(
    inventory: tuple[FakeInventory, str], clock: FrozenClock
) -> None:
    fake, url = inventory
    client = SiblingClient(name="inventory", base_url=url, clock=clock, token="wrong")
    catalogue = InventoryPartCatalogue(client)
    try:
        with pytest.raises(ServiceUnavailable, match="HTTP 401"):
            await catalogue.price("BAT-XPS13", currency="eur", location_id="loc_1")
        assert len(fake.calls) == 1
    finally:
        await catalogue.aclose()


async def test_invoices_are_priced_through_inventory_and_nothing_is_written_when_it_is_down(
    api: Api, inventory: tuple[FakeInventory, str], clock: FrozenClock
) -> None:
    fake, url = inventory
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    catalogue = _catalogue(url, clock, retries=1)
    original = api.container.part_catalogue
    api.container.part_catalogue = catalogue
    try:
        body = {"customer": cus["id"], "location": shop["id"], "lines": [{"sku": "BAT-XPS13"}]}
        made = await api.client.post("/v1/invoices", json=body, headers=admin)
        assert made.status_code == 200, made.text
        line = made.json()["lines"]["data"][0]
        assert (line["description"], line["unit_amount"]) == ("Battery Dell XPS 13", 8900)
        assert fake.calls[-1]["location"] == shop["id"]

        fake.faults = ["http_500", "http_500"]
        down = await api.client.post("/v1/invoices", json=body, headers=admin)
        assert down.status_code == 503
        assert down.json()["error"]["type"] == "api_error"
        assert down.json()["error"]["code"] == "service_unavailable"
        listed = await api.client.get("/v1/invoices", headers=admin)
        assert [i["id"] for i in listed.json()["data"]] == [made.json()["id"]]
    finally:
        api.container.part_catalogue = original
        await catalogue.aclose()
