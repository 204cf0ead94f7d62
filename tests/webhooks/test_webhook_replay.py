"""Redelivery of one event and replay of a range: fresh deliveries, same webhook-id."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from payments.app.bootstrap import Container
from payments.kernel.clock import FrozenClock
from support.app import Api
from support.receiver import Receiver, running_receiver
from support.webhooks import webhook_ready, worker_round


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def container(container: Container) -> AsyncIterator[Container]:
    async with webhook_ready(container) as ready:
        yield ready


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


async def _setup(
    api: Api, receiver: Receiver, names: list[str], clock: FrozenClock
) -> tuple[dict[str, str], dict[str, Any], list[dict[str, Any]]]:
    admin = await api.key()
    endpoint = (
        await api.client.post(
            "/v1/webhook_endpoints",
            json={"url": receiver.url, "enabled_events": ["customer.created"]},
            headers=admin,
        )
    ).json()
    for name in names:
        clock.advance(minutes=1)
        await api.client.post("/v1/customers", json={"name": name}, headers=admin)
    events = (
        await api.client.get("/v1/events", params={"type": "customer.created"}, headers=admin)
    ).json()["data"][::-1]
    while await worker_round(api.container):
        pass
    return admin, endpoint, events


async def test_an_event_is_redelivered_as_a_fresh_delivery_with_the_same_webhook_id(
    api: Api, receiver: Receiver, clock: FrozenClock
) -> None:
    admin, endpoint, [event] = await _setup(api, receiver, ["Ada"], clock)
    response = await api.client.post(f"/v1/events/{event['id']}/redeliver", headers=admin)
    assert response.status_code == 200, response.text
    [fresh] = response.json()["data"]
    assert (fresh["event"], fresh["status"], fresh["attempts"]) == (event["id"], "pending", 0)
    assert fresh["redelivery"] is True and fresh["webhook_endpoint"] == endpoint["id"]

    one = await api.client.post(
        f"/v1/events/{event['id']}/redeliver", json={"endpoint": endpoint["id"]}, headers=admin
    )
    assert len(one.json()["data"]) == 1
    while await worker_round(api.container):
        pass
    assert [r.headers["webhook-id"] for r in receiver.requests] == [event["id"]] * 3
    log = (
        await api.client.get(f"/v1/webhook_endpoints/{endpoint['id']}/deliveries", headers=admin)
    ).json()["data"]
    assert [d["redelivery"] for d in log] == [True, True, False]
    assert {d["status"] for d in log} == {"succeeded"}
    only_this_event = await api.client.get(
        f"/v1/webhook_endpoints/{endpoint['id']}/deliveries",
        params={"event": event["id"], "status": "succeeded", "limit": 2},
        headers=admin,
    )
    assert len(only_this_event.json()["data"]) == 2 and only_this_event.json()["has_more"]


async def test_redelivery_needs_an_enabled_subscribed_endpoint_and_the_right_role(
    api: Api, receiver: Receiver, clock: FrozenClock
) -> None:
    admin, endpoint, [event] = await _setup(api, receiver, ["Ada"], clock)
    clerk = await api.key("clerk")
    denied = await api.client.post(f"/v1/events/{event['id']}/redeliver", headers=clerk)
    assert denied.status_code == 403
    await api.client.post(
        f"/v1/webhook_endpoints/{endpoint['id']}", json={"disabled": True}, headers=admin
    )
    disabled = await api.client.post(
        f"/v1/events/{event['id']}/redeliver", json={"endpoint": endpoint["id"]}, headers=admin
    )
    assert disabled.status_code == 400
    assert disabled.json()["error"]["code"] == "webhook_endpoint_disabled"
    nobody = await api.client.post(f"/v1/events/{event['id']}/redeliver", headers=admin)
    assert nobody.status_code == 400
    assert nobody.json()["error"]["code"] == "no_matching_webhook_endpoint"


async def test_a_range_of_events_is_replayed_oldest_first(
    api: Api, receiver: Receiver, clock: FrozenClock
) -> None:
    admin, endpoint, events = await _setup(api, receiver, ["A", "B", "C", "D"], clock)
    assert len(receiver.requests) == 4
    url = f"/v1/webhook_endpoints/{endpoint['id']}/replay"

    by_time = await api.client.post(
        url,
        json={"created": {"gte": events[1]["created"], "lte": events[2]["created"]}},
        headers=admin,
    )
    assert by_time.status_code == 200, by_time.text
    assert by_time.json() == {
        "object": "webhook_replay",
        "webhook_endpoint": endpoint["id"],
        "deliveries_created": 2,
        "first_event": events[1]["id"],
        "last_event": events[2]["id"],
        "has_more": False,
    }
    while await worker_round(api.container):
        pass
    assert sorted(r.headers["webhook-id"] for r in receiver.requests[4:]) == sorted(
        [events[1]["id"], events[2]["id"]]
    )

    page = await api.client.post(
        url, json={"starting_after": events[0]["id"], "limit": 2}, headers=admin
    )
    assert page.json()["deliveries_created"] == 2 and page.json()["has_more"] is True
    rest = await api.client.post(
        url, json={"starting_after": page.json()["last_event"]}, headers=admin
    )
    assert rest.json()["first_event"] == events[3]["id"] and rest.json()["has_more"] is False
    while await worker_round(api.container):
        pass
    replayed = [r.headers["webhook-id"] for r in receiver.requests[6:]]
    assert sorted(replayed) == sorted(e["id"] for e in events[1:])
    unknown = await api.client.post(url, json={"starting_after": "evt_nope"}, headers=admin)
    assert unknown.status_code == 404 and unknown.json()["error"]["param"] == "starting_after"
