"""The parts catalogue: ``/v1/parts`` (finance and admins write; every key reads).

With ``PAYMENTS_INVENTORY_URL`` set, invoice lines are priced by the Inventory Service
instead; this catalogue is then unused by invoices (it stays readable)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.parts import service as uc
from payments.parts.domain import CreatePart, UpdatePart
from payments.parts.render import part_object
from payments.parts.schemas import PartCreate, PartList, PartOut, PartUpdate
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep, services
from payments.platform.http.openapi import Responses
from payments.platform.http.responses import json_response, list_response

router = APIRouter(prefix="/v1/parts", tags=["parts"])

ONE: Responses = {200: {"model": PartOut}}


@router.post(
    "",
    responses=ONE,
    summary="Add a part to the catalogue (finance, admin)",
    description=(
        "One price per currency: the same `sku` may have a EUR and a PLN price. Invoice "
        "lines with this `sku` and no `unit_amount` take its description, price and tax "
        "category when they are added."
    ),
)
async def create_part(body: PartCreate, c: ContainerDep, ctx: ContextDep) -> Response:
    part = await uc.create_part(CreatePart(**body.model_dump()), ctx=ctx, **services(c))
    return json_response(part_object(part))


@router.get("", responses={200: {"model": PartList}}, summary="List parts (newest first)")
async def list_parts(
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
    sku: Annotated[str | None, Query(max_length=64)] = None,
    currency: Annotated[str | None, Query(min_length=3, max_length=3)] = None,
    active: bool | None = None,
) -> Response:
    result = await uc.list_parts(
        page, uow_factory=c.uow_factory, ctx=ctx, sku=sku, currency=currency, active=active
    )
    return list_response("/v1/parts", result, part_object)


@router.get("/{part_id}", responses=ONE, summary="Retrieve a part")
async def retrieve_part(part_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    part = await uc.retrieve_part(part_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(part_object(part))


@router.post("/{part_id}", responses=ONE, summary="Update a part (finance, admin)")
async def update_part(part_id: str, body: PartUpdate, c: ContainerDep, ctx: ContextDep) -> Response:
    cmd = UpdatePart(id=part_id, **body.model_dump(exclude_unset=True))
    part = await uc.update_part(cmd, ctx=ctx, **services(c))
    return json_response(part_object(part))
