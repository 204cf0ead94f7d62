"""The worker's webhook job: fan new events out, then send what is due.

Each worker process keeps ONE :class:`WebhookSender` (one ``httpx.AsyncClient``,
so connections to receivers are reused); it lives in ``container.extras`` and is
closed with the container.
"""

from __future__ import annotations

from payments.app.bootstrap import Container
from payments.webhooks.adapters.sender import WebhookSender
from payments.webhooks.service.deliver import deliver_due, dispatch_events

SENDER_KEY = "webhook_sender"


def webhook_sender(container: Container) -> WebhookSender:
    sender = container.extras.get(SENDER_KEY)
    if not isinstance(sender, WebhookSender):
        settings = container.settings
        sender = WebhookSender(
            timeout=settings.webhook_timeout_seconds,
            allowed_hosts=settings.webhook_allowed_hosts,
            max_connections=settings.webhook_concurrency,
        )
        container.extras[SENDER_KEY] = sender
    return sender


async def deliver_webhooks(container: Container) -> int:
    """One round: dispatch a batch of new events, then send one batch of due deliveries."""
    dispatched = await dispatch_events(uow_factory=container.uow_factory, clock=container.clock)
    sent = await deliver_due(
        uow_factory=container.uow_factory,
        clock=container.clock,
        sender=webhook_sender(container),
        batch_size=container.settings.webhook_batch_size,
    )
    return dispatched + sent
