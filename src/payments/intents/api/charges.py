from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from payments.intents.api.expand import expanded_list_response, expanded_response
from payments.intents.domain.commands import ListCharges
from payments.intents.domain.model import ChargeStatus
from payments.intents.render import charge_object
from payments.intents.schemas import ChargeList, ChargeOut
from payments.intents.service import charges as uc
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep
from payments.platform.http.params import CreatedRange, LocationFilter, expandable

router = APIRouter(prefix="/v1/charges", tags=["charges"])

EXPANDABLE = ("customer", "payment_intent")
Expand = Annotated[tuple[str, ...], Depends(expandable(*EXPANDABLE))]
ExpandList = Annotated[tuple[str, ...], Depends(expandable(*EXPANDABLE, lists=True))]


@router.get(
    "",
    responses={200: {"model": ChargeList}},
    summary="List charges (one per attempt), e.g. of one PaymentIntent",
)
async def list_all(
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
    created: CreatedRange,
    expand: ExpandList,
    location: LocationFilter = None,
    payment_intent: Annotated[str | None, Query(max_length=64)] = None,
    customer: Annotated[str | None, Query(max_length=64)] = None,
    status: ChargeStatus | None = None,
) -> Response:
    query = ListCharges(
        payment_intent=payment_intent,
        customer=customer,
        status=status.value if status else None,
        created=created,
        location=location,
    )
    result = await uc.list_charges(query, page, uow_factory=c.uow_factory, ctx=ctx)
    return await expanded_list_response(
        "/v1/charges", result, charge_object, expand, uow_factory=c.uow_factory, ctx=ctx
    )


@router.get("/{charge_id}", responses={200: {"model": ChargeOut}}, summary="Retrieve a charge")
async def retrieve(charge_id: str, c: ContainerDep, ctx: ContextDep, expand: Expand) -> Response:
    charge = await uc.retrieve_charge(charge_id, uow_factory=c.uow_factory, ctx=ctx)
    return await expanded_response(
        charge_object(charge), expand, uow_factory=c.uow_factory, ctx=ctx
    )
