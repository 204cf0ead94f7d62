from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.locations import service as uc
from payments.locations.render import location_object
from payments.locations.schemas import LocationCreate, LocationList, LocationOut, LocationUpdate
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep, services
from payments.platform.http.responses import json_response, list_response

router = APIRouter(prefix="/v1/locations", tags=["locations"])


@router.post("", responses={200: {"model": LocationOut}}, summary="Create a shop (admin)")
async def create_location(body: LocationCreate, c: ContainerDep, ctx: ContextDep) -> Response:
    location = await uc.create_location(body.model_dump(exclude_unset=True), ctx=ctx, **services(c))
    return json_response(location_object(location))


@router.get("", responses={200: {"model": LocationList}}, summary="List shops")
async def list_locations(
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
    active: bool | None = None,
    external_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    result = await uc.list_locations(
        page, uow_factory=c.uow_factory, ctx=ctx, active=active, external_id=external_id
    )
    return list_response("/v1/locations", result, location_object)


@router.get("/{location_id}", responses={200: {"model": LocationOut}}, summary="Retrieve a shop")
async def retrieve_location(location_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    location = await uc.retrieve_location(location_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(location_object(location))


@router.post("/{location_id}", responses={200: {"model": LocationOut}}, summary="Update (admin)")
async def update_location(
    location_id: str, body: LocationUpdate, c: ContainerDep, ctx: ContextDep
) -> Response:
    location = await uc.update_location(
        location_id, body.model_dump(exclude_unset=True), ctx=ctx, **services(c)
    )
    return json_response(location_object(location))
