from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.intents.domain.commands import ListCharges
from payments.intents.render import charge_object
from payments.intents.service import charges as uc
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
    query = ListCharges(payment_intent=payment_intent)
    result = await uc.list_charges(query, page, uow_factory=c.uow_factory, ctx=ctx)
    return list_response("/v1/charges", result, charge_object)


@router.get("/{charge_id}", summary="Retrieve a charge")
async def retrieve(charge_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    charge = await uc.retrieve_charge(charge_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(charge_object(charge))
