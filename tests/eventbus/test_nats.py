"""What NATS JetStream consumers rely on beyond the EventPublisher contract
(test_broker_contract.py): a file-backed stream that captures the subject prefix, one
subject per event type, the event id as ``Nats-Msg-Id``; and the settings that choose it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import nats
import pytest

from payments.app.capabilities import run_once
from payments.eventbus.adapters import publisher_from_settings
from payments.eventbus.adapters.nats import NatsPublisher
from payments.eventbus.jobs import PUBLISHER_KEY
from payments.platform.config import ConfigurationError, load_settings
from support.app import Api, make_settings
from support.brokers import NATS_URL, NatsBroker, broker_named
from support.eventbus import event_ids, make_customers


@pytest.fixture
async def broker() -> AsyncIterator[NatsBroker]:
    named = broker_named("nats")
    assert isinstance(named, NatsBroker)
    yield named
    await named.delete()


async def test_events_land_in_a_file_stream_one_subject_per_type(
    api: Api, broker: NatsBroker
) -> None:
    admin = await api.key("admin")
    customers = await make_customers(api, admin, ["Ada"])
    api.container.extras[PUBLISHER_KEY] = broker.publisher()
    assert (await run_once(api.container, only={"publish_events"}))["publish_events"] == 2

    got = await broker.raw(2)
    assert [m.subject for m in got] == [
        f"{broker.prefix}.customer.created",
        f"{broker.prefix}.customer.updated",
    ]
    assert [m.headers["Nats-Msg-Id"] for m in got] == await event_ids(api, admin)
    assert all(m.headers["Content-Type"] == "application/json" for m in got)
    assert [m.headers["Payments-Object-Id"] for m in got] == customers * 2
    connection = await nats.connect(NATS_URL)
    try:
        info = await connection.jetstream().stream_info(broker.stream)
    finally:
        await connection.close()
    assert info.config.subjects == [f"{broker.prefix}.>"]
    assert info.config.storage == "file"


def test_nats_is_chosen_by_its_settings() -> None:
    settings = make_settings("sqlite+aiosqlite:///:memory:", event_publisher="nats")
    publisher = publisher_from_settings(settings)
    assert isinstance(publisher, NatsPublisher)
    assert (settings.nats_stream, settings.nats_subject_prefix) == (
        "PAYMENTS_EVENTS",
        "payments.events",
    )


@pytest.mark.parametrize(
    ("settings", "param"),
    [
        ({"nats_url": "http://127.0.0.1:4222"}, "nats_url"),
        ({"nats_stream": "payments.events"}, "nats_stream"),  # no dots in a stream name
        ({"nats_subject_prefix": "payments.>"}, "nats_subject_prefix"),
    ],
)
def test_nats_settings_that_cannot_work_are_refused_at_start(
    settings: dict[str, str], param: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        load_settings(
            _env_file=None,
            database_url="sqlite+aiosqlite:///unused.db",
            event_publisher="nats",
            **settings,
        )
    assert f"PAYMENTS_{param.upper()}" in str(refused.value)
