"""Recording events: always inside the caller's unit of work (transactional outbox)."""

from __future__ import annotations

from typing import Any

from payments.events.domain import Event
from payments.events.repository import EventRepository
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.ids import id_for
from payments.kernel.pagination import Page, PageRequest
from payments.platform.db.uow import UnitOfWork


async def record_event(
    uow: UnitOfWork,
    event_type: str,
    obj: dict[str, Any],
    *,
    ctx: RequestContext,
    clock: Clock,
    location_id: str | None = None,
    previous_attributes: dict[str, Any] | None = None,
) -> Event:
    event = new_event(
        event_type,
        obj,
        ctx=ctx,
        clock=clock,
        location_id=location_id,
        previous_attributes=previous_attributes,
    )
    await uow.repo(EventRepository).add(event)
    return event


def new_event(
    event_type: str,
    obj: dict[str, Any],
    *,
    ctx: RequestContext,
    clock: Clock,
    location_id: str | None = None,
    previous_attributes: dict[str, Any] | None = None,
) -> Event:
    """An event to record (``uow.repo(EventRepository).add_all`` writes several in one statement)."""
    data: dict[str, Any] = {"object": obj}
    if previous_attributes:
        data["previous_attributes"] = previous_attributes
    return Event(
        id=id_for("event"),
        type=event_type,
        object_id=str(obj["id"]),
        data=data,
        created=clock.now(),
        location_id=location_id,
        request_id=ctx.request_id,
        idempotency_key=ctx.idempotency_key,
        livemode=bool(obj.get("livemode", False)),
    )


async def list_events(
    uow: UnitOfWork,
    page: PageRequest,
    *,
    ctx: RequestContext,
    types: list[str] | None = None,
    location: str | None = None,
    **filters: Any,
) -> Page[Event]:
    return await uow.repo(EventRepository).list_page(
        page, types=types, location_id=ctx.list_location(location), **filters
    )
