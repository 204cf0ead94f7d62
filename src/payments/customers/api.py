from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query
from starlette.responses import Response

from payments.customers import service as uc
from payments.customers.render import customer_object
from payments.customers.schemas import (
    CustomerCreate,
    CustomerList,
    CustomerOut,
    CustomerUpdate,
    DeletedCustomerOut,
)
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep, services
from payments.platform.http.params import CreatedRange, LocationFilter
from payments.platform.http.responses import json_response, list_response

router = APIRouter(prefix="/v1/customers", tags=["customers"])

CUSTOMER_EXAMPLES = {
    "walk_in": {
        "summary": "A walk-in customer of the Berlin shop",
        "value": {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "address": {"country": "DE"},
            "preferred_locales": ["de-DE"],
            "metadata": {"crm_id": "C-1001"},
        },
    }
}


@router.post(
    "",
    responses={200: {"model": CustomerOut}},
    summary="Create a customer",
    description="A customer of one shop (`location`, default: the key's shop).",
)
async def create_customer(
    body: Annotated[CustomerCreate, Body(openapi_examples=CUSTOMER_EXAMPLES)],
    c: ContainerDep,
    ctx: ContextDep,
) -> Response:
    customer = await uc.create_customer(body.model_dump(exclude_unset=True), ctx=ctx, **services(c))
    return json_response(customer_object(customer))


@router.get("", responses={200: {"model": CustomerList}}, summary="List customers (newest first)")
async def list_customers(
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
    created: CreatedRange,
    location: LocationFilter = None,
    email: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    result = await uc.list_customers(
        page,
        email=email,
        location=location,
        created_gte=created.gte,
        created_lte=created.lte,
        uow_factory=c.uow_factory,
        ctx=ctx,
    )
    return list_response("/v1/customers", result, customer_object)


@router.get(
    "/{customer_id}", responses={200: {"model": CustomerOut}}, summary="Retrieve a customer"
)
async def retrieve_customer(customer_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    customer = await uc.retrieve_customer(customer_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(customer_object(customer))


@router.post("/{customer_id}", responses={200: {"model": CustomerOut}}, summary="Update a customer")
async def update_customer(
    customer_id: str, body: CustomerUpdate, c: ContainerDep, ctx: ContextDep
) -> Response:
    customer = await uc.update_customer(
        customer_id, body.model_dump(exclude_unset=True), ctx=ctx, **services(c)
    )
    return json_response(customer_object(customer))


@router.delete(
    "/{customer_id}", responses={200: {"model": DeletedCustomerOut}}, summary="Delete a customer"
)
async def delete_customer(customer_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    customer = await uc.delete_customer(customer_id, ctx=ctx, **services(c))
    return json_response(customer_object(customer))
