"""What RabbitMQ consumers rely on beyond the EventPublisher contract
(test_broker_contract.py): persistent messages routed by the event type, with the
object id in a header."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aio_pika
import pytest

from payments.app.capabilities import run_once
from payments.eventbus.jobs import PUBLISHER_KEY
from support.app import Api
from support.brokers import RabbitBroker, broker_named
from support.eventbus import make_customers


@pytest.fixture
async def broker() -> AsyncIterator[RabbitBroker]:
    named = broker_named("rabbitmq")
    assert isinstance(named, RabbitBroker)
    yield named
    await named.delete()


async def test_events_are_persistent_messages_routed_by_their_type(
    api: Api, broker: RabbitBroker
) -> None:
    admin = await api.key("admin")
    customers = await make_customers(api, admin, ["Ada"])
    api.container.extras[PUBLISHER_KEY] = broker.publisher()
    assert (await run_once(api.container, only={"publish_events"}))["publish_events"] == 2
    got = await broker.messages(2)
    assert [m.routing_key for m in got] == ["customer.created", "customer.updated"]
    assert all(m.delivery_mode == aio_pika.DeliveryMode.PERSISTENT for m in got)
    assert all(m.content_type == "application/json" for m in got)
    assert [m.headers["object_id"] for m in got] == customers * 2
