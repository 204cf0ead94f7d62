from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.intents.render import charge_object
from payments.intents.repository import ChargeRepository
from payments.intents.tables import charges as t
from payments.kernel.errors import NotFound
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep
from payments.platform.http.responses import json_response, list_response

router = APIRouter(prefix="/v1/charges", tags=["charges"])


@router.get("", summary="List charges (one per attempt), e.g. of one PaymentIntent")
async def list_all(
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
    payment_intent: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    where = []
    if payment_intent:
        where.append(t.c.payment_intent_id == payment_intent)
    if ctx.principal.location_id:
        where.append(t.c.location_id == ctx.principal.location_id)
    async with c.uow_factory() as uow:
        result = await uow.repo(ChargeRepository).page(page, where)
    return list_response("/v1/charges", result, charge_object)


@router.get("/{charge_id}", summary="Retrieve a charge")
async def retrieve(charge_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    async with c.uow_factory() as uow:
        charge = await uow.repo(ChargeRepository).get(charge_id)
    if charge is None or not ctx.principal.sees_location(charge.location_id):
        raise NotFound.of("charge", charge_id)
    return json_response(charge_object(charge))
