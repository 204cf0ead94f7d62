from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.responses import Response

from payments.gateways.runtime import GatewayDep
from payments.intents.api.expand import expanded_list_response, expanded_response
from payments.intents.domain.commands import CardParams, CreatePaymentMethod
from payments.intents.render import payment_method_object
from payments.intents.schemas import (
    AttachIn,
    PaymentMethodCreate,
    PaymentMethodList,
    PaymentMethodOut,
    PaymentMethodType,
)
from payments.intents.service import payment_methods as uc
from payments.platform.http.deps import ContextDep, PageDep, services
from payments.platform.http.openapi import GATEWAY_ERRORS, Responses
from payments.platform.http.params import expandable
from payments.platform.http.responses import json_response

router = APIRouter(tags=["payment_methods"])

ONE: Responses = {200: {"model": PaymentMethodOut}}
Expand = Annotated[tuple[str, ...], Depends(expandable("customer"))]
ExpandList = Annotated[tuple[str, ...], Depends(expandable("customer", lists=True))]


def _create(body: PaymentMethodCreate) -> CreatePaymentMethod:
    card = body.card
    return CreatePaymentMethod(
        type=body.type,
        card=CardParams(**card.model_dump()) if card is not None else None,
        sepa_debit_iban=body.sepa_debit.iban if body.sepa_debit is not None else None,
        customer_balance_country=body.customer_balance.country if body.customer_balance else "DE",
        billing_details=body.billing_details.model_dump(exclude_none=True)
        if body.billing_details is not None
        else {},
        metadata=body.metadata,
    )


@router.post(
    "/v1/payment_methods",
    responses=ONE | GATEWAY_ERRORS,
    summary="Create a payment method (tokenized at the gateway)",
)
async def create(body: PaymentMethodCreate, c: GatewayDep, ctx: ContextDep) -> Response:
    pm = await uc.create_payment_method(_create(body), gateway=c.gateway, ctx=ctx, **services(c))
    return json_response(payment_method_object(pm))


@router.get("/v1/payment_methods/{pm_id}", responses=ONE, summary="Retrieve a payment method")
async def retrieve(pm_id: str, c: GatewayDep, ctx: ContextDep, expand: Expand) -> Response:
    pm = await uc.retrieve_payment_method(pm_id, uow_factory=c.uow_factory, ctx=ctx)
    return await expanded_response(
        payment_method_object(pm), expand, uow_factory=c.uow_factory, ctx=ctx
    )


@router.post("/v1/payment_methods/{pm_id}/attach", responses=ONE, summary="Attach to a customer")
async def attach(pm_id: str, body: AttachIn, c: GatewayDep, ctx: ContextDep) -> Response:
    pm = await uc.attach(pm_id, body.customer, ctx=ctx, **services(c))
    return json_response(payment_method_object(pm))


@router.post(
    "/v1/payment_methods/{pm_id}/detach", responses=ONE, summary="Detach from its customer"
)
async def detach(pm_id: str, c: GatewayDep, ctx: ContextDep) -> Response:
    pm = await uc.detach(pm_id, ctx=ctx, **services(c))
    return json_response(payment_method_object(pm))


@router.get(
    "/v1/customers/{customer_id}/payment_methods",
    responses={200: {"model": PaymentMethodList}},
    summary="A customer's methods",
)
async def list_for_customer(
    customer_id: str,
    c: GatewayDep,
    ctx: ContextDep,
    page: PageDep,
    expand: ExpandList,
    type: PaymentMethodType | None = None,
) -> Response:
    result = await uc.list_for_customer(
        customer_id, page, type=type, uow_factory=c.uow_factory, ctx=ctx
    )
    return await expanded_list_response(
        f"/v1/customers/{customer_id}/payment_methods",
        result,
        payment_method_object,
        expand,
        uow_factory=c.uow_factory,
        ctx=ctx,
    )
