"""The EventPublisher contract, run against every real broker the service publishes to
(RabbitMQ on 5672 and NATS JetStream on 4222; CI starts both): every event arrives in
order, with the event id as its message id and the event's JSON as its body; an outage
loses and reorders nothing (the outbox keeps events until the broker confirmed them);
a repeat of an event id is recognisable (and dropped by a broker that deduplicates); and
``payments events status|publish`` drive it from the command line."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import orjson
import pytest

from payments.app.capabilities import run_once
from payments.eventbus.adapters import publisher_from_settings
from payments.eventbus.domain import BrokerMessage
from payments.eventbus.jobs import PUBLISHER_KEY
from payments.eventbus.service import outbox_status
from support.app import Api, make_settings
from support.brokers import Broker, broker_named
from support.cli import run
from support.eventbus import TcpProxy, event_ids, make_customers


@pytest.fixture(params=["rabbitmq", "nats"])
async def broker(request: pytest.FixtureRequest) -> AsyncIterator[Broker]:
    """Names of the test's own on the real broker, deleted after."""
    named = broker_named(request.param)
    yield named
    await named.delete()


async def test_the_worker_publishes_every_event_in_order(api: Api, broker: Broker) -> None:
    admin = await api.key("admin")
    customers = await make_customers(api, admin, ["Ada", "Grace", "Hedy"])
    recorded = await event_ids(api, admin)
    settings = make_settings(api.container.settings.database_url, **broker.settings())
    publisher = publisher_from_settings(settings)
    assert publisher is not None and publisher.name == broker.kind
    api.container.extras[PUBLISHER_KEY] = publisher  # closed with the container

    assert (await run_once(api.container, only={"publish_events"}))["publish_events"] == 6
    got = await broker.received(6)

    assert [m.message_id for m in got] == recorded
    assert [m.type for m in got] == ["customer.created", "customer.updated"] * 3
    assert [m.object_id for m in got] == [c for c in customers for _ in (1, 2)]
    first = (await api.client.get(f"/v1/events/{recorded[0]}", headers=admin)).json()
    assert orjson.loads(got[0].body) == first
    # a second round has nothing to send
    assert (await run_once(api.container, only={"publish_events"}))["publish_events"] == 0
    assert await broker.received(0) == []


async def test_a_broker_outage_loses_and_reorders_nothing(api: Api, broker: Broker) -> None:
    admin = await api.key("admin")
    real = urlsplit(broker.url)
    proxy = TcpProxy((real.hostname or "127.0.0.1", real.port or 0))
    await proxy.restore()
    api.container.extras[PUBLISHER_KEY] = broker.publisher(broker.via(proxy.port))
    try:
        await make_customers(api, admin, ["Ada"])
        assert (await run_once(api.container, only={"publish_events"}))["publish_events"] == 2

        await proxy.cut()  # the broker is gone: connection dropped, nothing listens
        await make_customers(api, admin, ["Grace", "Hedy"])
        for _ in range(3):  # the worker keeps trying; nothing leaves the outbox
            assert (await run_once(api.container, only={"publish_events"}))["publish_events"] == 0
        assert (await outbox_status(uow_factory=api.container.uow_factory)).backlog == 4

        await proxy.restore()  # back: the next round sends the backlog, in order
        assert (await run_once(api.container, only={"publish_events"}))["publish_events"] == 4
    finally:
        await proxy.cut()

    got = await broker.received(6)
    assert [m.message_id for m in got] == await event_ids(api, admin)  # each once, in order


async def test_an_event_sent_again_keeps_its_id_and_a_deduplicating_broker_stores_it_once(
    broker: Broker,
) -> None:
    """After a crash between the broker's confirm and the outbox's mark, the same events
    go out again with the same ids: consumers (or the broker) recognise the repeat."""
    batch = [
        BrokerMessage(f"evt_{n}", "cus_1", "customer.updated", b'{"n": %d}' % n) for n in (1, 2)
    ]
    publisher = broker.publisher()
    try:
        await publisher.publish(batch)
        await publisher.publish(batch)  # the repeat
    finally:
        await publisher.aclose()
    got = await broker.received(2 if broker.dedups else 4)
    ids = [m.message_id for m in got]
    assert list(dict.fromkeys(ids)) == ["evt_1", "evt_2"]  # a consumer's dedup by id
    assert ids == (["evt_1", "evt_2"] if broker.dedups else ["evt_1", "evt_2"] * 2)


async def test_payments_events_publish_and_status_from_the_command_line(
    api: Api, broker: Broker
) -> None:
    admin = await api.key("admin")
    await make_customers(api, admin, ["Ada", "Grace"])
    url = api.container.settings.database_url
    status = await asyncio.to_thread(run, url, "events", "status", env=broker.env())
    assert status.returncode == 0, status.stderr
    assert f"publisher: {broker.kind}" in status.stdout
    assert "waiting:   4 event(s)" in status.stdout

    published = await asyncio.to_thread(run, url, "events", "publish", env=broker.env())
    assert published.returncode == 0, published.stderr
    assert published.stdout.strip() == "published 4 event(s); 0 waiting"
    got = await broker.received(4)
    assert [m.message_id for m in got] == await event_ids(api, admin)
