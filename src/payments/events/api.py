from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.events.render import event_object
from payments.events.repository import EventRepository
from payments.events.service import list_events
from payments.kernel.errors import NotFound
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep
from payments.platform.http.responses import json_response, list_response

router = APIRouter(prefix="/v1/events", tags=["events"])


@router.get("", summary="List events (newest first)")
async def list_all(
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
    type: Annotated[str | None, Query(max_length=80)] = None,
    types: Annotated[list[str] | None, Query(alias="types[]", max_length=20)] = None,
) -> Response:
    wanted = (types or []) + ([type] if type else [])
    async with c.uow_factory() as uow:
        result = await list_events(uow, page, ctx=ctx, types=wanted or None)
    return list_response("/v1/events", result, event_object)


@router.get("/{event_id}", summary="Retrieve an event")
async def retrieve(event_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    async with c.uow_factory() as uow:
        event = await uow.repo(EventRepository).get(event_id)
    if event is None or not ctx.principal.sees_location(event.location_id):
        raise NotFound.of("event", event_id)
    return json_response(event_object(event))
