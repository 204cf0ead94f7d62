"""Broker adapters of :class:`payments.eventbus.domain.EventPublisher`."""

from __future__ import annotations

from payments.eventbus.domain import EventPublisher
from payments.platform.config import EventPublisherName, Settings


def publisher_from_settings(settings: Settings) -> EventPublisher | None:
    """The configured publisher; None for ``none`` (the outbox then keeps every event)."""
    if settings.event_publisher == EventPublisherName.rabbitmq:
        from payments.eventbus.adapters.rabbitmq import RabbitMQPublisher

        return RabbitMQPublisher(
            url=settings.rabbitmq_url.get_secret_value(),
            exchange=settings.rabbitmq_exchange,
            queue=settings.rabbitmq_queue or None,
            timeout=settings.event_publish_timeout_seconds,
        )
    if settings.event_publisher == EventPublisherName.sqs:
        from payments.eventbus.adapters.sqs import SQSPublisher, sqs_client

        return SQSPublisher(
            client=sqs_client(settings.sqs_region, settings.event_publish_timeout_seconds),
            queue_url=settings.sqs_queue_url or "",  # required with sqs: the settings check it
        )
    if settings.event_publisher == EventPublisherName.nats:
        from payments.eventbus.adapters.nats import NatsPublisher

        return NatsPublisher(
            url=settings.nats_url.get_secret_value(),
            stream=settings.nats_stream,
            subject_prefix=settings.nats_subject_prefix,
            timeout=settings.event_publish_timeout_seconds,
        )
    return None
