"""The worker's webhook job: fan new events out, then send what is due.

Each worker process keeps ONE :class:`WebhookSender` (one ``httpx.AsyncClient``,
so connections to receivers are reused); it lives in ``container.extras`` and is
closed with the container.
"""

from __future__ import annotations

from payments.platform.runtime import Runtime
from payments.platform.worker import job
from payments.webhooks.adapters.sender import WebhookSender
from payments.webhooks.service.deliver import deliver_due, dispatch_events

SENDER_KEY = "webhook_sender"


def webhook_sender(container: Runtime) -> WebhookSender:
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


@job("deliver_webhooks", every_seconds=1)
async def deliver_webhooks(container: Runtime) -> int:
    """Fan new events out to webhook endpoints and send due deliveries (with retries):
    one round dispatches a batch of new events, then sends one batch of due ones."""
    dispatched = await dispatch_events(uow_factory=container.uow_factory, clock=container.clock)
    sent = await deliver_due(
        uow_factory=container.uow_factory,
        clock=container.clock,
        sender=webhook_sender(container),
        batch_size=container.settings.webhook_batch_size,
    )
    return dispatched + sent
