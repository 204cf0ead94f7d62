"""`payments locations sync` against the fake Locations Service (a real socket), on SQLite
and PostgreSQL: shops created and kept up to date by external_id with their address,
currencies, time zone, seller and regional price list; local overrides kept and shown;
shops gone from the service deactivated (kept, refusing new payments); a second run
changes nothing; an unknown seller reported, never invented; a service that is down fails
the sync and changes nothing; events and audit records for every change; the command
line and the worker's job."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from payments.app.capabilities import run_once
from payments.kernel.clock import FrozenClock
from payments.kernel.context import SYSTEM
from payments.kernel.errors import ServiceUnavailable
from payments.locations.adapters.locations_service import LocationsServiceDirectory
from payments.locations.domain.sync import SyncReport
from payments.locations.service.sync import NoLocationsService, sync_locations
from support.app import Api, make_settings
from support.cli import run
from support.fake_locations import TOKEN, FakeLocations
from support.invoices import SELLERS
from support.server import serving_in_loop
from support.siblings import recording_client

ZURICH = {
    "line1": "Bahnhofstrasse 12",
    "postal_code": "8001",
    "city": "Zurich",
    "country": "CH",
}


@pytest.fixture
async def service(api: Api, clock: FrozenClock) -> AsyncIterator[tuple[FakeLocations, str]]:
    """The fake Locations Service, and the container reading shops from it."""
    fake = FakeLocations()
    async with serving_in_loop(fake.app()) as base_url:
        client, _ = recording_client("locations", base_url, clock, TOKEN, timeout=3.0)
        original = api.container.shop_directory
        api.container.shop_directory = LocationsServiceDirectory(client)
        try:
            yield fake, base_url
        finally:
            await api.container.shop_directory.aclose()  # type: ignore[attr-defined]
            api.container.shop_directory = original


async def _sync(api: Api) -> SyncReport:
    return await sync_locations(
        directory=api.container.shop_directory,
        uow_factory=api.container.uow_factory,
        clock=api.container.clock,
        ctx=SYSTEM,
    )


async def _by_external_id(api: Api, admin: dict[str, str]) -> dict[str, dict[str, Any]]:
    listed = await api.client.get("/v1/locations", params={"limit": 100}, headers=admin)
    assert listed.status_code == 200, listed.text
    return {loc["external_id"]: loc for loc in listed.json()["data"] if loc["external_id"]}


async def _events(api: Api, admin: dict[str, str]) -> list[tuple[str, str]]:
    page = await api.client.get("/v1/events", params={"limit": 100}, headers=admin)
    return [(e["type"], e["data"]["object"]["id"]) for e in reversed(page.json()["data"])]


async def _seller(api: Api, admin: dict[str, str]) -> str:
    made = await api.client.post("/v1/legal_entities", json=SELLERS["DE"], headers=admin)
    assert made.status_code == 200, made.text
    return str(made.json()["id"])


async def test_shops_are_created_from_the_service_with_everything_a_payment_needs(
    api: Api, service: tuple[FakeLocations, str]
) -> None:
    fake, _ = service
    admin = await api.key("admin")
    seller = await _seller(api, admin)
    fake.put("ber-1", name="MyComputer Berlin Mitte", legal_entity="DE 136 695 976")
    fake.put(
        "zrh-1",
        name="MyComputer Zurich",
        address=ZURICH,
        currency="CHF",
        accepted_currencies=["CHF", "EUR"],
        timezone="Europe/Zurich",
        price_list="ch",
        tax_region="CH",
    )

    report = await _sync(api)

    assert report.counts() == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "deactivated": 0,
        "errors": 0,
    }
    shops = await _by_external_id(api, admin)
    berlin, zurich = shops["ber-1"], shops["zrh-1"]
    assert berlin["name"] == "MyComputer Berlin Mitte"
    assert berlin["legal_entity"] == seller  # matched by its VAT id
    assert berlin["address"]["city"] == "Berlin" and berlin["address"]["country"] == "DE"
    assert (berlin["default_currency"], berlin["timezone"]) == ("eur", "Europe/Berlin")
    assert (berlin["price_list"], berlin["tax_region"]) == ("eu-central", "DE")
    assert "sepa_debit" in berlin["payment_method_types"]
    assert berlin["active"] is True and berlin["overrides"] == {}
    assert (zurich["default_currency"], zurich["currencies"]) == ("chf", ["chf", "eur"])
    assert (zurich["timezone"], zurich["price_list"]) == ("Europe/Zurich", "ch")
    assert zurich["legal_entity"] is None  # the service named none
    assert (await _events(api, admin))[1:] == [
        ("location.created", berlin["id"]),
        ("location.created", zurich["id"]),
    ]
    audit = await api.client.get(
        "/v1/audit_log", params={"action": "location.synced"}, headers=admin
    )
    assert {r["target"]["id"] for r in audit.json()["data"]} == {berlin["id"], zurich["id"]}
    # a payment reads our own table: it needs nothing of the service
    paid = await api.client.post(
        "/v1/payment_intents",
        json={"amount": 4900, "currency": "eur", "location": berlin["id"]},
        headers=admin,
    )
    assert paid.status_code == 200, paid.text


async def test_a_second_sync_with_nothing_changed_changes_nothing(
    api: Api, service: tuple[FakeLocations, str]
) -> None:
    fake, _ = service
    admin = await api.key("admin")
    fake.put("ber-1")
    fake.put("ber-2")
    await _sync(api)
    before = await _by_external_id(api, admin)
    events = await _events(api, admin)

    again = await _sync(api)

    assert again.counts()["unchanged"] == 2 and again.counts()["created"] == 0
    assert sum(again.counts().values()) == 2
    assert await _by_external_id(api, admin) == before
    assert await _events(api, admin) == events


async def test_changes_at_the_service_are_taken_but_local_overrides_are_kept(
    api: Api, service: tuple[FakeLocations, str]
) -> None:
    fake, _ = service
    admin = await api.key("admin")
    fake.put("ber-1", name="MyComputer Berlin")
    await _sync(api)
    shop = (await _by_external_id(api, admin))["ber-1"]

    local = await api.client.post(
        f"/v1/locations/{shop['id']}",
        json={"name": "Berlin (Torstr.)", "payment_method_types": ["card"]},
        headers=admin,
    )
    assert local.status_code == 200, local.text
    assert local.json()["overrides"] == {
        "name": "Berlin (Torstr.)",
        "payment_method_types": ["card"],
    }

    fake.put("ber-1", name="MyComputer Berlin-Mitte", timezone="Europe/Busingen")
    report = await _sync(api)
    assert report.updated == [shop["id"]]
    synced = (await _by_external_id(api, admin))["ber-1"]
    assert synced["name"] == "Berlin (Torstr.)"  # the override is kept
    assert synced["payment_method_types"] == ["card"]
    assert synced["timezone"] == "Europe/Busingen"  # the rest follows the service
    assert synced["overrides"] == {"name": "Berlin (Torstr.)", "payment_method_types": ["card"]}
    updated = await api.client.get(
        "/v1/events", params={"type": "location.updated", "limit": 1}, headers=admin
    )
    assert updated.json()["data"][0]["data"]["previous_attributes"] == {"timezone": "Europe/Berlin"}

    cleared = await api.client.post(
        f"/v1/locations/{shop['id']}", json={"clear_overrides": ["name"]}, headers=admin
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["name"] == "MyComputer Berlin-Mitte"  # the service's value again
    assert cleared.json()["overrides"] == {"payment_method_types": ["card"]}
    fake.put("ber-1", name="MyComputer Berlin Hbf", timezone="Europe/Busingen")
    await _sync(api)
    assert (await _by_external_id(api, admin))["ber-1"]["name"] == "MyComputer Berlin Hbf"


async def test_setting_and_clearing_one_field_at_once_is_refused(
    api: Api, service: tuple[FakeLocations, str]
) -> None:
    fake, _ = service
    admin = await api.key("admin")
    fake.put("ber-1")
    await _sync(api)
    shop = (await _by_external_id(api, admin))["ber-1"]
    refused = await api.client.post(
        f"/v1/locations/{shop['id']}",
        json={"name": "X", "clear_overrides": ["timezone", "name"]},
        headers=admin,
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["param"] == "clear_overrides[1]"
    assert (await _by_external_id(api, admin))["ber-1"]["name"] == shop["name"]


async def test_shops_gone_or_closed_are_deactivated_not_deleted_and_take_no_payments(
    api: Api, service: tuple[FakeLocations, str]
) -> None:
    fake, _ = service
    admin = await api.key("admin")
    fake.put("ber-1")
    fake.put("ber-2")
    fake.put("ber-3")
    await _sync(api)
    shops = await _by_external_id(api, admin)
    kept = await api.client.post(
        "/v1/payment_intents",
        json={"amount": 4900, "currency": "eur", "location": shops["ber-1"]["id"]},
        headers=admin,
    )
    assert kept.status_code == 200, kept.text

    del fake.shops["ber-1"]
    fake.put("ber-2", status="closed")
    report = await _sync(api)

    assert sorted(report.deactivated) == sorted([shops["ber-1"]["id"], shops["ber-2"]["id"]])
    assert report.unchanged == [shops["ber-3"]["id"]]
    after = await _by_external_id(api, admin)
    assert (after["ber-1"]["active"], after["ber-2"]["active"]) == (False, False)
    old = await api.client.get(f"/v1/payment_intents/{kept.json()['id']}", headers=admin)
    assert old.status_code == 200  # its payments are still there
    refused = await api.client.post(
        "/v1/payment_intents",
        json={"amount": 4900, "currency": "eur", "location": shops["ber-1"]["id"]},
        headers=admin,
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "location_inactive"
    assert refused.json()["error"]["param"] == "location"
    inactive = await api.client.get("/v1/locations", params={"active": "false"}, headers=admin)
    assert {loc["external_id"] for loc in inactive.json()["data"]} == {"ber-1", "ber-2"}
    audit = await api.client.get(
        "/v1/audit_log", params={"action": "location.deactivated"}, headers=admin
    )
    assert len(audit.json()["data"]) == 2

    assert (await _sync(api)).counts()["deactivated"] == 0  # idempotent
    fake.put("ber-1")  # back and open: active again
    assert (await _sync(api)).updated == [shops["ber-1"]["id"]]
    assert (await _by_external_id(api, admin))["ber-1"]["active"] is True


async def test_an_unknown_seller_is_reported_not_invented_and_a_bad_shop_is_skipped(
    api: Api, service: tuple[FakeLocations, str]
) -> None:
    fake, _ = service
    admin = await api.key("admin")
    fake.put("ber-1", legal_entity="DE811907980")
    fake.put("ber-2", currency="xxx", accepted_currencies=["xxx"])
    fake.put("ber-3", timezone="Mars/Olympus_Mons")

    report = await _sync(api)

    assert {(e.external_id, e.code) for e in report.errors} == {
        ("ber-1", "legal_entity_unknown"),
        ("ber-2", "currency_invalid"),
        ("ber-3", "parameter_invalid"),
    }
    shops = await _by_external_id(api, admin)
    assert set(shops) == {"ber-1"}  # synced, without a seller
    assert shops["ber-1"]["legal_entity"] is None
    entities = await api.client.get("/v1/legal_entities", headers=admin)
    assert entities.json()["data"] == []  # none invented


async def test_a_service_that_is_down_fails_the_sync_and_changes_nothing(
    api: Api, service: tuple[FakeLocations, str]
) -> None:
    fake, _ = service
    admin = await api.key("admin")
    for n in range(150):  # two pages: the second one fails
        fake.put(f"shop-{n:03d}")
    fake.faults = ["ok", "http_500", "http_500", "http_500"]

    with pytest.raises(ServiceUnavailable):
        await _sync(api)

    assert await _by_external_id(api, admin) == {}
    assert await _events(api, admin) == []


async def test_without_a_locations_service_there_is_nothing_to_sync(api: Api) -> None:
    with pytest.raises(NoLocationsService):
        await _sync(api)


async def test_a_local_shop_linked_by_external_id_is_adopted(
    api: Api, service: tuple[FakeLocations, str]
) -> None:
    fake, _ = service
    admin = await api.key("admin")
    local = await api.location(admin, name="Old name", external_id="ber-1")
    duplicate = await api.client.post(
        "/v1/locations",
        json={
            "name": "Twin",
            "address": {"country": "DE"},
            "timezone": "Europe/Berlin",
            "external_id": "ber-1",
        },
        headers=admin,
    )
    assert duplicate.status_code == 400
    assert duplicate.json()["error"]["param"] == "external_id"
    fake.put("ber-1", name="MyComputer Berlin")

    report = await _sync(api)

    assert report.updated == [local["id"]] and report.created == []
    assert (await _by_external_id(api, admin))["ber-1"]["name"] == "MyComputer Berlin"


async def test_payments_locations_sync_from_the_command_line(
    api: Api, service: tuple[FakeLocations, str]
) -> None:
    fake, url = service
    fake.put("ber-1")
    fake.put("ber-2", legal_entity="DE811907980")
    db = api.container.settings.database_url
    env = {"PAYMENTS_LOCATIONS_SERVICE_URL": url, "PAYMENTS_LOCATIONS_SERVICE_TOKEN": TOKEN}

    first = await asyncio.to_thread(run, db, "locations", "sync", env=env)
    assert first.returncode == 1, first.stderr  # one shop's seller is unknown
    assert first.stdout.strip() == ("2 created, 0 updated, 0 unchanged, 0 deactivated, 1 errors")
    assert "shop ber-2: legal_entity_unknown" in first.stderr

    fake.put("ber-2")
    second = await asyncio.to_thread(run, db, "locations", "sync", env=env)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == ("0 created, 0 updated, 2 unchanged, 0 deactivated, 0 errors")
    admin = await api.key("admin")
    audit = await api.client.get(
        "/v1/audit_log", params={"action": "location.synced"}, headers=admin
    )
    assert {r["actor"]["type"] for r in audit.json()["data"]} == {"cli"}

    fake.faults = ["http_500"] * 3
    down = await asyncio.to_thread(run, db, "locations", "sync", env=env)
    assert down.returncode == 1
    assert "sync failed, nothing changed" in down.stderr

    unset = await asyncio.to_thread(run, db, "locations", "sync")
    assert unset.returncode == 2
    assert "PAYMENTS_LOCATIONS_SERVICE_URL" in unset.stderr


async def test_the_worker_syncs_on_its_interval_only_when_one_is_set(
    api: Api, service: tuple[FakeLocations, str], clock: FrozenClock
) -> None:
    fake, _ = service
    fake.put("ber-1")
    assert api.container.settings.locations_sync_interval_seconds == 0  # off by default
    assert (await run_once(api.container, only={"sync_locations"}))["sync_locations"] == 0
    assert fake.calls == []

    api.container.settings = make_settings(
        api.container.settings.database_url, locations_sync_interval_seconds=600
    )
    assert (await run_once(api.container, only={"sync_locations"}))["sync_locations"] == 1
    fake.put("ber-2")
    clock.advance(seconds=599)
    assert (await run_once(api.container, only={"sync_locations"}))["sync_locations"] == 0
    assert len(fake.calls) == 1
    clock.advance(seconds=1)
    assert (await run_once(api.container, only={"sync_locations"}))["sync_locations"] == 1

    fake.faults = ["http_500"] * 3  # down: logged, nothing changed, tried next interval
    fake.put("ber-3")
    clock.advance(seconds=600)
    assert (await run_once(api.container, only={"sync_locations"}))["sync_locations"] == 0
    admin = await api.key("admin")
    assert set(await _by_external_id(api, admin)) == {"ber-1", "ber-2"}


async def test_the_default_directory_is_our_own_table(api: Api) -> None:
    admin = await api.key("admin")
    linked = await api.location(admin, name="Linked", external_id="ber-9", price_list="eu")
    mine = await api.location(admin, name="Ours only")
    directory = api.container.shop_directory
    assert directory.source == "local"

    shops = {s.external_id: s for s in await directory.shops()}

    assert set(shops) == {"ber-9", mine["id"]}  # its external_id, else our id
    assert (shops["ber-9"].name, shops["ber-9"].price_list) == ("Linked", "eu")
    assert shops["ber-9"].currency == "eur" and shops["ber-9"].open
    found = await directory.shop("ber-9")
    assert found is not None and found.name == linked["name"]
    assert await directory.shop("nowhere") is None


async def test_two_syncs_at_once_take_turns_and_create_each_shop_once(
    api: Api, service: tuple[FakeLocations, str]
) -> None:
    """Two real processes (two workers, or cron beside a worker) sync at the same time."""
    fake, url = service
    for n in range(20):
        fake.put(f"shop-{n:02d}")
    db = api.container.settings.database_url
    env = {"PAYMENTS_LOCATIONS_SERVICE_URL": url, "PAYMENTS_LOCATIONS_SERVICE_TOKEN": TOKEN}

    both = await asyncio.gather(
        *(asyncio.to_thread(run, db, "locations", "sync", env=env) for _ in range(2))
    )

    assert [r.returncode for r in both] == [0, 0], [r.stderr for r in both]
    assert sorted(r.stdout.strip() for r in both) == [
        "0 created, 0 updated, 20 unchanged, 0 deactivated, 0 errors",
        "20 created, 0 updated, 0 unchanged, 0 deactivated, 0 errors",
    ]
    admin = await api.key("admin")
    assert len(await _by_external_id(api, admin)) == 20
    assert [t for t, _ in await _events(api, admin)] == ["location.created"] * 20
