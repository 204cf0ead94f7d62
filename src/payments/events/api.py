from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from starlette.responses import Response

from payments.events.domain import EVENT_TYPES
from payments.events.render import event_object
from payments.events.repository import EventRepository
from payments.events.service import list_events
from payments.kernel.errors import InvalidRequest, NotFound
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep
from payments.platform.http.params import CreatedRange, LocationFilter
from payments.platform.http.responses import json_response, list_response

router = APIRouter(prefix="/v1/events", tags=["events"])


class EventRequest(BaseModel):
    id: str | None
    idempotency_key: str | None


class EventOut(BaseModel):
    """A change that happened (also what webhooks deliver)."""

    id: str
    object: Literal["event"] = "event"
    type: str
    data: dict[str, Any]
    created: int
    livemode: bool
    request: EventRequest
    api_version: str


class EventList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[EventOut]


def event_types(patterns: list[str], param: str) -> list[str]:
    """Registered types matching each pattern (an exact type, ``prefix.*`` or ``*``)."""
    wanted: list[str] = []
    for i, pattern in enumerate(patterns):
        if pattern == "*":
            matched = list(EVENT_TYPES)
        elif pattern.endswith(".*"):
            matched = [t for t in EVENT_TYPES if t.startswith(pattern[:-1])]
        else:
            matched = [pattern] if pattern in EVENT_TYPES else []
        if not matched:
            name = param if param == "type" else f"{param}[{i}]"
            raise InvalidRequest(
                f"Unknown event type {pattern!r} (see docs/reference/webhook-events.md).",
                param=name,
            )
        wanted += matched
    return list(dict.fromkeys(wanted))


@router.get("", responses={200: {"model": EventList}}, summary="List events (newest first)")
async def list_all(
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
    created: CreatedRange,
    location: LocationFilter = None,
    type: Annotated[
        str | None, Query(max_length=80, description="A type, or a wildcard: `charge.*`.")
    ] = None,
    types: Annotated[list[str] | None, Query(alias="types[]", max_length=20)] = None,
) -> Response:
    wanted = event_types(types or [], "types") + event_types([type] if type else [], "type")
    async with c.uow_factory() as uow:
        result = await list_events(
            uow,
            page,
            ctx=ctx,
            types=wanted or None,
            location=location,
            created_gte=created.gte,
            created_lte=created.lte,
        )
    return list_response("/v1/events", result, event_object)


@router.get("/{event_id}", responses={200: {"model": EventOut}}, summary="Retrieve an event")
async def retrieve(event_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    async with c.uow_factory() as uow:
        event = await uow.repo(EventRepository).get(event_id)
    if event is None or not ctx.principal.sees_location(event.location_id):
        raise NotFound.of("event", event_id)
    return json_response(event_object(event))
