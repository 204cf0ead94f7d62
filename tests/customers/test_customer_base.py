"""Customers linked to the Customer Base (``external_id``): created from its billing
profile, never twice for one of its customers, refreshed and deleted by its
notifications; the adapter against a fake built from the contract, over a real socket,
including its faults; and the same API with our own table as the directory (both
databases)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from payments.customers.adapters.customer_base import CustomerBaseDirectory
from payments.kernel.clock import FrozenClock
from payments.platform.siblings import SiblingClient
from support.app import Api
from support.fake_customer_base import TOKEN, FakeCustomerBase
from support.server import serving_in_loop

ADA = {
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "+4930123456",
    "address": {"line1": "Torstrasse 1", "postal_code": "10119", "city": "Berlin", "country": "DE"},
    "preferred_locales": ["de-DE"],
}


@pytest.fixture
async def customer_base(api: Api, clock: FrozenClock) -> AsyncIterator[FakeCustomerBase]:
    """The fake Customer Base, and the API's directory pointed at it for the test."""
    fake = FakeCustomerBase()
    async with serving_in_loop(fake.app()) as url:

        async def no_wait(seconds: float) -> None:
            return None

        directory = CustomerBaseDirectory(
            SiblingClient(
                name="customer_base",
                base_url=url,
                clock=clock,
                token=TOKEN,
                retries=1,
                cache_seconds=0,
                timeout=2.0,
                sleep=no_wait,
            )
        )
        original = api.container.customer_directory
        api.container.customer_directory = directory
        try:
            yield fake
        finally:
            api.container.customer_directory = original
            await directory.aclose()


async def _create(api: Api, headers: dict[str, str], **body: Any) -> Any:
    return await api.client.post("/v1/customers", json=body, headers=headers)


async def _notify(api: Api, headers: dict[str, str], kind: str, obj: dict[str, Any]) -> Any:
    body = {"id": "cbn_1", "type": kind, "data": {"object": obj}}
    return await api.client.post(
        "/v1/integrations/customer_base/events", json=body, headers=headers
    )


async def test_a_customer_is_created_from_the_customer_base_profile_and_linked_once(
    api: Api, customer_base: FakeCustomerBase
) -> None:
    admin = await api.key("admin")
    customer_base.put("CB-1001", **ADA)
    created = await _create(api, admin, external_id="CB-1001", metadata={"desk": "2"})
    assert created.status_code == 200, created.text
    ours = created.json()
    assert ours["external_id"] == "CB-1001"
    assert (ours["name"], ours["email"], ours["address"]["city"]) == (
        "Ada Lovelace",
        "ada@example.com",
        "Berlin",
    )
    assert ours["preferred_locales"] == ["de-DE"] and ours["metadata"] == {"desk": "2"}

    # the same Customer Base customer again: the same customer, its profile brought up to date
    customer_base.put("CB-1001", **ADA | {"email": "ada@lovelace.example"})
    again = await _create(api, admin, external_id="CB-1001")
    assert again.status_code == 200, again.text
    assert again.json()["id"] == ours["id"]
    assert again.json()["email"] == "ada@lovelace.example"
    listed = await api.client.get("/v1/customers", headers=admin)
    assert [c["id"] for c in listed.json()["data"]] == [ours["id"]]


async def test_what_the_request_gives_wins_over_the_profile(
    api: Api, customer_base: FakeCustomerBase
) -> None:
    admin = await api.key("admin")
    customer_base.put("CB-7", **ADA)
    created = await _create(api, admin, external_id="CB-7", name="Countess of Lovelace")
    assert created.json()["name"] == "Countess of Lovelace"
    assert created.json()["email"] == "ada@example.com"


async def test_an_unknown_or_unreachable_customer_base_customer_writes_nothing(
    api: Api, customer_base: FakeCustomerBase
) -> None:
    admin = await api.key("admin")
    unknown = await _create(api, admin, external_id="CB-404")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["param"] == "external_id"
    assert unknown.json()["error"]["code"] == "resource_missing"

    customer_base.put("CB-1", **ADA)
    customer_base.faults = ["http_500", "http_500"]  # one try and one retry: both fail
    down = await _create(api, admin, external_id="CB-1")
    assert down.status_code == 503 and down.json()["error"]["code"] == "service_unavailable"
    customer_base.faults = ["bad_email"]  # an answer that breaks the contract
    broken = await _create(api, admin, external_id="CB-1")
    assert broken.status_code == 503
    assert (await api.client.get("/v1/customers", headers=admin)).json()["data"] == []

    customer_base.faults = ["http_500"]  # one failure, then the retry answers
    retried = await _create(api, admin, external_id="CB-1")
    assert retried.status_code == 200, retried.text


async def test_notifications_refresh_the_profile_from_the_customer_base_and_delete(
    api: Api, customer_base: FakeCustomerBase
) -> None:
    admin = await api.key("admin")
    customer_base.put("CB-2", **ADA)
    ours = (await _create(api, admin, external_id="CB-2")).json()

    # the notification carries an old profile; the Customer Base's current one wins
    customer_base.put("CB-2", **ADA | {"name": "Ada King", "phone": "+4930999"})
    stale = {"id": "CB-2", **ADA}
    done = await _notify(api, admin, "customer.updated", stale)
    assert done.status_code == 200, done.text
    assert done.json() == {
        "object": "customer_base_event",
        "id": "cbn_1",
        "type": "customer.updated",
        "customer": ours["id"],
        "changed": True,
    }
    now = (await api.client.get(f"/v1/customers/{ours['id']}", headers=admin)).json()
    assert (now["name"], now["phone"]) == ("Ada King", "+4930999")
    repeated = await _notify(api, admin, "customer.updated", stale)
    assert repeated.json()["changed"] is False  # delivered twice: nothing more happens

    events = await api.client.get("/v1/events", params={"type": "customer.updated"}, headers=admin)
    [updated] = events.json()["data"]
    assert updated["data"]["previous_attributes"] == {
        "name": "Ada Lovelace",
        "phone": "+4930123456",
    }

    gone = await _notify(api, admin, "customer.deleted", {"id": "CB-2"})
    assert gone.json()["changed"] is True
    deleted = await api.client.get(f"/v1/customers/{ours['id']}", headers=admin)
    assert deleted.json().get("deleted") is True


async def test_a_notification_for_nobody_we_know_changes_nothing(
    api: Api, customer_base: FakeCustomerBase
) -> None:
    admin = await api.key("admin")
    done = await _notify(api, admin, "customer.updated", {"id": "CB-unknown"})
    assert done.status_code == 200
    assert (done.json()["customer"], done.json()["changed"]) == (None, False)
    assert customer_base.calls == ["CB-unknown"]


async def test_notifications_need_an_unrestricted_writing_key(api: Api) -> None:
    admin = await api.key("admin")
    shop = await api.location(admin)
    for headers in (await api.key("readonly"), await api.key("clerk", location=shop["id"])):
        refused = await _notify(api, headers, "customer.updated", {"id": "CB-1"})
        assert refused.status_code == 403
    bad = await api.client.post(
        "/v1/integrations/customer_base/events",
        json={"id": "n", "type": "customer.merged", "data": {"object": {"id": "CB-1"}}},
        headers=admin,
    )
    assert (bad.status_code, bad.json()["error"]["param"]) == (400, "type")


async def test_without_a_customer_base_our_own_customers_are_the_directory(api: Api) -> None:
    admin = await api.key("admin")
    first = await _create(api, admin, external_id="CB-9", **ADA)
    assert first.status_code == 200, first.text
    again = await _create(api, admin, external_id="CB-9")
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["name"] == "Ada Lovelace"  # nothing given: the profile is kept
    # a pushed notification is the profile when there is no Customer Base to ask
    pushed = await _notify(api, admin, "customer.updated", {"id": "CB-9", **ADA, "name": "Ada K."})
    assert pushed.json()["changed"] is True
    now = await api.client.get(f"/v1/customers/{first.json()['id']}", headers=admin)
    assert now.json()["name"] == "Ada K."


async def test_a_shop_key_cannot_take_over_another_shops_linked_customer(api: Api) -> None:
    admin = await api.key("admin")
    berlin, munich = await api.location(admin), await api.location(admin, name="Munich")
    await _create(api, admin, external_id="CB-5", location=berlin["id"], **ADA)
    clerk = await api.key("clerk", location=munich["id"])
    refused = await _create(api, clerk, external_id="CB-5")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "resource_already_exists"
