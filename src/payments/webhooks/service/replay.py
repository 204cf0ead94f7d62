"""The delivery log, redelivery of one event, and replay of a range of events.

A redelivery or replay never changes an existing delivery: it adds a fresh one
(the next ``sequence`` for that event and endpoint) that the worker sends like any
other, with the same ``webhook-id`` (the event id) so receivers can deduplicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from payments.events.domain import Event
from payments.events.repository import EventRepository
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound, StateConflict
from payments.kernel.ids import id_for
from payments.kernel.pagination import Page, PageRequest
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.webhooks.domain.delivery import DeliveryStatus, WebhookDelivery
from payments.webhooks.domain.endpoint import WebhookEndpoint, subscribes
from payments.webhooks.repository.deliveries import WebhookDeliveryRepository
from payments.webhooks.repository.endpoints import WebhookEndpointRepository
from payments.webhooks.service.endpoints import visible_endpoint

MAX_REPLAY = 1000


@dataclass(frozen=True, slots=True)
class ReplayResult:
    endpoint_id: str
    deliveries_created: int
    first_event: str | None
    last_event: str | None
    has_more: bool


async def list_deliveries(
    endpoint_id: str,
    page: PageRequest,
    *,
    status: DeliveryStatus | None = None,
    event_id: str | None = None,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
) -> Page[WebhookDelivery]:
    async with uow_factory() as uow:
        await visible_endpoint(uow, endpoint_id, ctx)
        return await uow.repo(WebhookDeliveryRepository).list_page(
            page, endpoint_id=endpoint_id, status=status, event_id=event_id
        )


def _may_receive(endpoint: WebhookEndpoint, event: Event) -> bool:
    return endpoint.livemode == event.livemode and (
        endpoint.location_id is None or endpoint.location_id == event.location_id
    )


async def _add_fresh(
    uow: UnitOfWork, endpoint: WebhookEndpoint, events: list[Event], now: datetime
) -> list[WebhookDelivery]:
    sequences = await uow.repo(WebhookDeliveryRepository).next_sequences(
        endpoint.id, [e.id for e in events]
    )
    deliveries = [
        WebhookDelivery(
            id=id_for("webhook_delivery"),
            endpoint_id=endpoint.id,
            event_id=event.id,
            event_type=event.type,
            created=now,
            sequence=sequences[event.id],
            next_attempt_at=now,
        )
        for event in events
    ]
    await uow.repo(WebhookDeliveryRepository).add_many(deliveries)
    return deliveries


def _require_enabled(endpoint: WebhookEndpoint) -> None:
    if not endpoint.enabled:
        raise StateConflict(
            f"Webhook endpoint {endpoint.id} is disabled; enable it first "
            "(POST /v1/webhook_endpoints/{id} with disabled=false).",
            code="webhook_endpoint_disabled",
            param="endpoint",
        )


async def redeliver_event(
    event_id: str,
    *,
    endpoint_id: str | None,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> list[WebhookDelivery]:
    """Send an event again: to one endpoint, or to every enabled endpoint subscribed to it."""
    ctx.require(Permission.manage_webhooks)
    async with uow_factory() as uow:
        event = await uow.repo(EventRepository).get(event_id)
        if event is None or not ctx.principal.sees_location(event.location_id):
            raise NotFound.of("event", event_id)
        if endpoint_id is not None:
            endpoint = await visible_endpoint(uow, endpoint_id, ctx, for_update=True)
            _require_enabled(endpoint)
            if not _may_receive(endpoint, event):
                raise NotFound.of("event", event_id)
            targets = [endpoint]
        else:
            targets = [
                ep
                for ep in await uow.repo(WebhookEndpointRepository).enabled()
                if _may_receive(ep, event)
                and subscribes(ep.enabled_events, event.type)
                and ctx.principal.sees_location(ep.location_id)
            ]
            if not targets:
                raise InvalidRequest(
                    f"No enabled webhook endpoint is subscribed to {event.type} events.",
                    code="no_matching_webhook_endpoint",
                    param="endpoint",
                )
        created: list[WebhookDelivery] = []
        for endpoint in targets:
            created += await _add_fresh(uow, endpoint, [event], clock.now())
        await uow.commit()
    return created


async def replay_events(
    endpoint_id: str,
    *,
    starting_after: str | None = None,
    created_gte: datetime | None = None,
    created_lte: datetime | None = None,
    limit: int = MAX_REPLAY,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> ReplayResult:
    """Queue fresh deliveries of the endpoint's events in a range, oldest first.

    At most ``limit`` (1,000) events per call; when ``has_more`` is true, call again
    with ``starting_after`` set to the returned ``last_event``.
    """
    ctx.require(Permission.manage_webhooks)
    if starting_after is None and created_gte is None and created_lte is None:
        raise InvalidRequest(
            "Give a range to replay: created[gte] and/or created[lte], or starting_after.",
            code="parameter_missing",
            param="created",
        )
    if not 1 <= limit <= MAX_REPLAY:
        raise InvalidRequest(f"limit must be between 1 and {MAX_REPLAY}", param="limit")
    async with uow_factory() as uow:
        endpoint = await visible_endpoint(uow, endpoint_id, ctx, for_update=True)
        _require_enabled(endpoint)
        if starting_after is not None:
            anchor = await uow.repo(EventRepository).get(starting_after)
            if anchor is None or not _may_receive(endpoint, anchor):
                raise NotFound.of("event", starting_after, param="starting_after")
        events = await uow.repo(WebhookDeliveryRepository).replayable_events(
            enabled_events=endpoint.enabled_events,
            location_id=endpoint.location_id,
            livemode=endpoint.livemode,
            after_id=starting_after,
            created_gte=created_gte,
            created_lte=created_lte,
            limit=limit + 1,
        )
        has_more = len(events) > limit
        events = events[:limit]
        await _add_fresh(uow, endpoint, events, clock.now())
        await uow.commit()
    return ReplayResult(
        endpoint_id=endpoint_id,
        deliveries_created=len(events),
        first_event=events[0].id if events else None,
        last_event=events[-1].id if events else None,
        has_more=has_more,
    )
