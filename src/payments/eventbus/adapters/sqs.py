"""Amazon SQS FIFO through boto3.

Each event is one message: ``MessageGroupId`` = the object's id (SQS keeps order within a
group), ``MessageDeduplicationId`` = the event id (SQS drops a repeat within its
5-minute window; consumers deduplicate by the ``event_id`` attribute beyond it), the
body the event's JSON and its type as a message attribute. Batches of up to ten
(``SendMessageBatch``); boto3 is blocking, so each call runs in a thread.

Only the messages confirmed from the start of a batch count as published: an entry SQS
refused stops the round there, and everything after it is sent again next round (with
the same deduplication ids), so order per object holds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from payments.eventbus.domain import BrokerMessage, PublishFailed, confirmed_prefix

SQS_BATCH = 10  # SendMessageBatch's limit


def sqs_client(region: str | None, timeout: float) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=timeout,
        read_timeout=timeout,
        retries={"max_attempts": 3, "mode": "standard"},
    )
    return boto3.client("sqs", region_name=region, config=config)


def entry(index: int, message: BrokerMessage) -> dict[str, Any]:
    attributes = {
        "type": {"DataType": "String", "StringValue": message.type},
        "event_id": {"DataType": "String", "StringValue": message.message_id},
    }
    if message.location_id:
        attributes["location_id"] = {"DataType": "String", "StringValue": message.location_id}
    return {
        "Id": str(index),
        "MessageBody": message.body.decode("utf-8"),
        "MessageGroupId": message.group_id,
        "MessageDeduplicationId": message.message_id,
        "MessageAttributes": attributes,
    }


class SQSPublisher:
    name = "sqs"

    def __init__(self, *, client: Any, queue_url: str) -> None:
        self._client = client
        self._queue_url = queue_url

    async def publish(self, messages: Sequence[BrokerMessage]) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        confirmed = 0
        for start in range(0, len(messages), SQS_BATCH):
            chunk = messages[start : start + SQS_BATCH]
            entries = [entry(i, m) for i, m in enumerate(chunk)]
            try:
                answer = await asyncio.to_thread(
                    self._client.send_message_batch, QueueUrl=self._queue_url, Entries=entries
                )
            except (BotoCoreError, ClientError) as exc:
                raise PublishFailed(confirmed, f"SQS refused the batch: {exc}") from exc
            ok = {e["Id"] for e in answer.get("Successful", [])}
            prefix = confirmed_prefix([str(i) in ok for i in range(len(chunk))])
            confirmed += prefix
            if prefix < len(chunk):
                failed = {f["Id"]: f for f in answer.get("Failed", [])}.get(str(prefix), {})
                raise PublishFailed(
                    confirmed,
                    f"SQS refused {chunk[prefix].message_id}: "
                    f"{failed.get('Code', 'unconfirmed')} {failed.get('Message', '')}".strip(),
                )

    async def aclose(self) -> None:
        close = getattr(self._client, "close", None)
        if close is not None:
            await asyncio.to_thread(close)
