"""The outbox drained into a broker: oldest first, only what the broker confirmed leaves
the outbox, a failure in the middle of a round never lets a later event overtake an
earlier one, and one publisher at a time holds the lease (both databases)."""

from __future__ import annotations

from datetime import timedelta

import orjson

from payments.app.bootstrap import Container
from payments.app.capabilities import run_once
from payments.eventbus.repository import OutboxRepository
from payments.eventbus.service import LEASE, outbox_status, publish_all, skip_backlog
from payments.kernel.clock import FrozenClock
from support.app import Api
from support.eventbus import RecordingPublisher, event_ids, make_customers, one_round


async def _round(container: Container, publisher: RecordingPublisher) -> int:
    return (await one_round(container, publisher)).published


async def test_events_are_published_oldest_first_once_each_with_their_json(api: Api) -> None:
    admin = await api.key("admin")
    customers = await make_customers(api, admin, ["Ada", "Grace"])
    recorded = await event_ids(api, admin)
    publisher = RecordingPublisher()

    assert await _round(api.container, publisher) == 4
    assert [m.message_id for m in publisher.sent] == recorded
    assert [m.type for m in publisher.sent] == ["customer.created", "customer.updated"] * 2
    assert [m.group_id for m in publisher.sent] == [c for c in customers for _ in (1, 2)]
    first = (await api.client.get(f"/v1/events/{recorded[0]}", headers=admin)).json()
    assert orjson.loads(publisher.sent[0].body) == first  # the same JSON as its webhook

    assert await _round(api.container, publisher) == 0  # nothing twice
    status = await outbox_status(uow_factory=api.container.uow_factory)
    assert (status.backlog, status.published_through, status.holder) == (0, recorded[-1], None)


async def test_a_broker_that_confirms_part_of_a_round_keeps_the_rest_in_order(api: Api) -> None:
    admin = await api.key("admin")
    await make_customers(api, admin, ["Ada", "Grace", "Hedy"])
    recorded = await event_ids(api, admin)
    publisher = RecordingPublisher()
    publisher.fail_after = 2

    assert await _round(api.container, publisher) == 2
    status = await outbox_status(uow_factory=api.container.uow_factory)
    assert status.backlog == 4 and status.holder is None  # the lease is given back

    publisher.fail_after = None
    assert await _round(api.container, publisher) == 4
    assert [m.message_id for m in publisher.sent] == recorded  # resumed where it stopped


async def test_one_publisher_at_a_time_until_its_lease_runs_out(
    api: Api, clock: FrozenClock
) -> None:
    admin = await api.key("admin")
    await make_customers(api, admin, ["Ada"])

    # another worker took the lease and died holding it
    async with api.container.uow_factory() as uow:
        now = clock.now()
        assert await uow.repo(OutboxRepository).claim(
            name=LEASE, holder="dead worker", now=now, lease_until=now + timedelta(seconds=60)
        )
        await uow.commit()

    publisher = RecordingPublisher()
    done = await one_round(api.container, publisher)
    assert (done.claimed, done.published, publisher.sent) == (False, 0, [])

    clock.advance(seconds=61)
    assert await _round(api.container, publisher) == 2


async def test_publish_all_drains_a_backlog_larger_than_a_round(api: Api) -> None:
    admin = await api.key("admin")
    await make_customers(api, admin, [f"Customer {n}" for n in range(6)])
    publisher = RecordingPublisher()
    published = await publish_all(
        uow_factory=api.container.uow_factory,
        clock=api.container.clock,
        publisher=publisher,
        holder="me",
        batch_size=5,
    )
    assert published == 12
    assert [m.message_id for m in publisher.sent] == await event_ids(api, admin)


async def test_without_a_broker_the_outbox_keeps_the_events_until_skipped(api: Api) -> None:
    admin = await api.key("admin")
    await make_customers(api, admin, ["Ada"])
    assert api.container.settings.event_publisher == "none"
    assert (await run_once(api.container, only={"publish_events"}))["publish_events"] == 0
    assert (await outbox_status(uow_factory=api.container.uow_factory)).backlog == 2

    skipped = await skip_backlog(uow_factory=api.container.uow_factory, clock=api.container.clock)
    assert skipped == 2
    assert (await outbox_status(uow_factory=api.container.uow_factory)).backlog == 0
    assert await _round(api.container, RecordingPublisher()) == 0
