"""The webhook delivery log, redelivery of an event, and replay of a range."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.platform.http.deps import ContainerDep, ContextDep, PageDep, services
from payments.platform.http.responses import json_response, list_object, list_response
from payments.webhooks.domain.delivery import DeliveryStatus
from payments.webhooks.render import webhook_delivery_object
from payments.webhooks.schemas import (
    RedeliverRequest,
    ReplayRequest,
    WebhookDeliveryList,
    WebhookReplayOut,
)
from payments.webhooks.service import replay as uc

router = APIRouter(tags=["webhook_endpoints"])


def _time(seconds: int | None) -> datetime | None:
    return datetime.fromtimestamp(seconds, UTC) if seconds is not None else None


@router.get(
    "/v1/webhook_endpoints/{endpoint_id}/deliveries",
    responses={200: {"model": WebhookDeliveryList}},
    summary="List an endpoint's deliveries with their last attempt (newest first)",
)
async def list_deliveries(
    endpoint_id: str,
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
    status: DeliveryStatus | None = None,
    event: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    result = await uc.list_deliveries(
        endpoint_id, page, status=status, event_id=event, uow_factory=c.uow_factory, ctx=ctx
    )
    url = f"/v1/webhook_endpoints/{endpoint_id}/deliveries"
    return list_response(url, result, webhook_delivery_object)


@router.post(
    "/v1/webhook_endpoints/{endpoint_id}/replay",
    responses={200: {"model": WebhookReplayOut}},
    summary="Queue fresh deliveries of the endpoint's events in a range (oldest first)",
)
async def replay(
    endpoint_id: str, body: ReplayRequest, c: ContainerDep, ctx: ContextDep
) -> Response:
    created = body.created
    result = await uc.replay_events(
        endpoint_id,
        starting_after=body.starting_after,
        created_gte=_time(created.gte if created else None),
        created_lte=_time(created.lte if created else None),
        limit=body.limit,
        ctx=ctx,
        **services(c),
    )
    return json_response(
        {
            "object": "webhook_replay",
            "webhook_endpoint": result.endpoint_id,
            "deliveries_created": result.deliveries_created,
            "first_event": result.first_event,
            "last_event": result.last_event,
            "has_more": result.has_more,
        }
    )


@router.post(
    "/v1/events/{event_id}/redeliver",
    responses={200: {"model": WebhookDeliveryList}},
    summary="Send an event again (fresh delivery)",
)
async def redeliver(
    event_id: str, c: ContainerDep, ctx: ContextDep, body: RedeliverRequest | None = None
) -> Response:
    endpoint = body.endpoint if body else None
    created = await uc.redeliver_event(event_id, endpoint_id=endpoint, ctx=ctx, **services(c))
    url = f"/v1/events/{event_id}/redeliver"
    return json_response(list_object(url, [webhook_delivery_object(d) for d in created], False))
