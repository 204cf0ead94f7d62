"""Events reach the real RabbitMQ (the development machine's server on 5672; CI starts
it): in order, once per event id, as persistent messages on a durable topic exchange,
and none is lost or reordered when the broker is unreachable for a while."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import aio_pika
import orjson
import pytest

from payments.app.capabilities import run_once
from payments.eventbus.adapters import publisher_from_settings
from payments.eventbus.adapters.rabbitmq import RabbitMQPublisher
from payments.eventbus.jobs import PUBLISHER_KEY
from payments.eventbus.service import outbox_status
from support.app import Api, make_settings
from support.cli import run
from support.databases import ON_CI, RABBITMQ_URL, rabbitmq_available
from support.eventbus import TcpProxy, event_ids, make_customers


@pytest.fixture
async def broker() -> AsyncIterator[dict[str, str]]:
    """A fresh exchange and queue of the test's own on the real broker, deleted after."""
    if not rabbitmq_available():
        if ON_CI:
            pytest.fail("CI=true but RabbitMQ is not reachable on 5672 (.ci/run starts it)")
        pytest.skip("RabbitMQ not reachable")
    names = {"exchange": f"test.events.{uuid.uuid4().hex}", "queue": f"test-{uuid.uuid4().hex}"}
    yield names
    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(names["queue"])
        await channel.exchange_delete(names["exchange"])


async def _consume(names: dict[str, str], expected: int) -> list[Any]:
    """Every message waiting in the test's queue (waits up to 10 s for ``expected``)."""
    got: list[Any] = []
    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(names["queue"])
        for _ in range(200):
            message = await queue.get(no_ack=True, fail=False)
            if message is None:
                if len(got) >= expected:
                    break
                await asyncio.sleep(0.05)
                continue
            got.append(message)
    return got


def _publisher(names: dict[str, str], url: str = RABBITMQ_URL) -> RabbitMQPublisher:
    return RabbitMQPublisher(url=url, exchange=names["exchange"], queue=names["queue"], timeout=3)


async def test_the_worker_publishes_every_event_to_rabbitmq_in_order(
    api: Api, broker: dict[str, str]
) -> None:
    admin = await api.key("admin")
    customers = await make_customers(api, admin, ["Ada", "Grace", "Hedy"])
    recorded = await event_ids(api, admin)
    settings = make_settings(
        api.container.settings.database_url,
        event_publisher="rabbitmq",
        rabbitmq_url=RABBITMQ_URL,
        rabbitmq_exchange=broker["exchange"],
        rabbitmq_queue=broker["queue"],
    )
    publisher = publisher_from_settings(settings)
    assert isinstance(publisher, RabbitMQPublisher)
    api.container.extras[PUBLISHER_KEY] = publisher  # closed with the container

    assert (await run_once(api.container, only={"publish_events"}))["publish_events"] == 6
    got = await _consume(broker, 6)

    assert [m.message_id for m in got] == recorded
    assert [m.routing_key for m in got] == ["customer.created", "customer.updated"] * 3
    assert all(m.delivery_mode == aio_pika.DeliveryMode.PERSISTENT for m in got)
    assert [m.headers["object_id"] for m in got] == [c for c in customers for _ in (1, 2)]
    first = (await api.client.get(f"/v1/events/{recorded[0]}", headers=admin)).json()
    assert orjson.loads(got[0].body) == first
    # a second round has nothing to send
    assert (await run_once(api.container, only={"publish_events"}))["publish_events"] == 0
    assert await _consume(broker, 0) == []


async def test_a_broker_outage_loses_and_reorders_nothing(api: Api, broker: dict[str, str]) -> None:
    admin = await api.key("admin")
    proxy = TcpProxy((urlsplit(RABBITMQ_URL).hostname or "127.0.0.1", 5672))
    await proxy.restore()
    through_proxy = f"amqp://guest:guest@127.0.0.1:{proxy.port}/"
    publisher = _publisher(broker, through_proxy)
    api.container.extras[PUBLISHER_KEY] = publisher
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

    got = await _consume(broker, 6)
    assert [m.message_id for m in got] == await event_ids(api, admin)  # each once, in order


async def test_payments_events_publish_and_status_from_the_command_line(
    api: Api, broker: dict[str, str]
) -> None:
    admin = await api.key("admin")
    await make_customers(api, admin, ["Ada", "Grace"])
    url = api.container.settings.database_url
    env = {
        "PAYMENTS_EVENT_PUBLISHER": "rabbitmq",
        "PAYMENTS_RABBITMQ_URL": RABBITMQ_URL,
        "PAYMENTS_RABBITMQ_EXCHANGE": broker["exchange"],
        "PAYMENTS_RABBITMQ_QUEUE": broker["queue"],
    }
    status = await asyncio.to_thread(run, url, "events", "status", env=env)
    assert status.returncode == 0, status.stderr
    assert "publisher: rabbitmq" in status.stdout and "waiting:   4 event(s)" in status.stdout

    published = await asyncio.to_thread(run, url, "events", "publish", env=env)
    assert published.returncode == 0, published.stderr
    assert published.stdout.strip() == "published 4 event(s); 0 waiting"
    got = await _consume(broker, 4)
    assert [m.message_id for m in got] == await event_ids(api, admin)
