"""The SQS adapter sends what a FIFO queue requires (botocore's Stubber checks every
request against SQS's own API model): the object id as MessageGroupId, the event id as
MessageDeduplicationId, batches of at most ten, and only the confirmed prefix of a batch
leaves the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import orjson
import pytest
from botocore.stub import Stubber

from payments.eventbus.adapters.sqs import SQSPublisher
from payments.eventbus.service import outbox_status
from payments.platform.config import ConfigurationError, load_settings
from support.app import Api
from support.eventbus import event_ids, make_customers, one_round

QUEUE = "https://sqs.eu-central-1.amazonaws.com/123456789012/payments-events.fifo"


@pytest.fixture
def sqs() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client(
        "sqs",
        region_name="eu-central-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def _expected(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "QueueUrl": QUEUE,
        "Entries": [
            {
                "Id": str(i),
                "MessageBody": orjson.dumps(e).decode(),
                "MessageGroupId": e["data"]["object"]["id"],
                "MessageDeduplicationId": e["id"],
                "MessageAttributes": {
                    "type": {"DataType": "String", "StringValue": e["type"]},
                    "event_id": {"DataType": "String", "StringValue": e["id"]},
                },
            }
            for i, e in enumerate(events)
        ],
    }


def _ok(ids: range, failed: dict[int, str] | None = None) -> dict[str, Any]:
    failed = failed or {}
    return {
        "Successful": [
            {"Id": str(i), "MessageId": f"m-{i}", "MD5OfMessageBody": "0" * 32}
            for i in ids
            if i not in failed
        ],
        "Failed": [
            {"Id": str(i), "SenderFault": False, "Code": code, "Message": "try again"}
            for i, code in failed.items()
        ],
    }


async def _events(api: Api, headers: dict[str, str]) -> list[dict[str, Any]]:
    return [
        (await api.client.get(f"/v1/events/{i}", headers=headers)).json()
        for i in await event_ids(api, headers)
    ]


async def test_events_go_to_the_fifo_queue_in_batches_of_ten_grouped_by_object(
    api: Api, sqs: tuple[Any, Stubber]
) -> None:
    client, stubber = sqs
    admin = await api.key("admin")
    await make_customers(api, admin, [f"Customer {n}" for n in range(6)])  # 12 events
    events = await _events(api, admin)
    stubber.add_response("send_message_batch", _ok(range(10)), _expected(events[:10]))
    stubber.add_response("send_message_batch", _ok(range(2)), _expected(events[10:]))

    done = await one_round(api.container, SQSPublisher(client=client, queue_url=QUEUE))
    assert (done.published, done.error) == (12, None)
    assert (await outbox_status(uow_factory=api.container.uow_factory)).backlog == 0


async def test_an_entry_sqs_refuses_keeps_it_and_everything_after_it(
    api: Api, sqs: tuple[Any, Stubber]
) -> None:
    client, stubber = sqs
    admin = await api.key("admin")
    await make_customers(api, admin, ["Ada", "Grace"])  # 4 events
    events = await _events(api, admin)
    # SQS took entries 0, 1 and 3 but refused 2: only 0 and 1 count, 2 and 3 go again
    stubber.add_response(
        "send_message_batch", _ok(range(4), {2: "InternalError"}), _expected(events)
    )
    stubber.add_response("send_message_batch", _ok(range(2)), _expected(events[2:]))
    publisher = SQSPublisher(client=client, queue_url=QUEUE)

    first = await one_round(api.container, publisher)
    assert first.published == 2 and first.error is not None and "InternalError" in first.error
    again = await one_round(api.container, publisher)
    assert (again.published, again.error) == (2, None)


async def test_a_refused_batch_leaves_the_outbox_as_it_was(
    api: Api, sqs: tuple[Any, Stubber]
) -> None:
    client, stubber = sqs
    admin = await api.key("admin")
    await make_customers(api, admin, ["Ada"])
    stubber.add_client_error("send_message_batch", "AWS.SimpleQueueService.NonExistentQueue")
    done = await one_round(api.container, SQSPublisher(client=client, queue_url=QUEUE))
    assert done.published == 0 and done.error is not None
    assert (await outbox_status(uow_factory=api.container.uow_factory)).backlog == 2


@pytest.mark.parametrize(
    ("settings", "param"),
    [
        ({"event_publisher": "sqs"}, "sqs_queue_url"),
        ({"event_publisher": "sqs", "sqs_queue_url": QUEUE.removesuffix(".fifo")}, "sqs_queue_url"),
        ({"event_publisher": "rabbitmq", "rabbitmq_url": "http://broker"}, "rabbitmq_url"),
    ],
)
def test_a_publisher_without_what_it_needs_is_refused_at_start_naming_the_setting(
    settings: dict[str, Any], param: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        load_settings(_env_file=None, database_url="sqlite+aiosqlite:///unused.db", **settings)
    assert str(refused.value).startswith(f"configuration error: PAYMENTS_{param.upper()}: ")
