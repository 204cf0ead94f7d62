from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query
from starlette.responses import Response

from payments.customers.domain import CreateTaxId
from payments.customers.render import customer_object, tax_id_object
from payments.customers.runtime import CustomersDep
from payments.customers.schemas import (
    CustomerCreate,
    CustomerList,
    CustomerOut,
    CustomerUpdate,
    DeletedCustomerOut,
    DeletedTaxIdOut,
    DirectoryEventIn,
    DirectoryEventOut,
    TaxIdCreate,
    TaxIdList,
    TaxIdOut,
)
from payments.customers.service import customers as uc
from payments.customers.service import tax_ids as tx
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep, services
from payments.platform.http.params import CreatedRange, LocationFilter
from payments.platform.http.responses import json_response, list_response
from payments.tax.runtime import TaxDep

integrations_router = APIRouter(prefix="/v1/integrations", tags=["integrations"])
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
    description="A customer of one shop (`location`, default: the key's shop), with its "
    "tax ids (`tax_id_data`, each checked before it is stored).",
)
async def create_customer(
    body: Annotated[CustomerCreate, Body(openapi_examples=CUSTOMER_EXAMPLES)],
    c: CustomersDep,
    ctx: ContextDep,
) -> Response:
    customer = await uc.create_customer(
        body.model_dump(exclude_unset=True),
        ctx=ctx,
        vat_id_checker=c.vat_id_checker,
        directory=c.customer_directory,
        **services(c),
    )
    return json_response(customer_object(customer))


@integrations_router.post(
    "/customer_base/events",
    responses={200: {"model": DirectoryEventOut}},
    summary=(
        "Receive a Customer Base notification (customer.updated, customer.deleted, "
        "customer.erasure_requested)"
    ),
    description=(
        "The Customer Base tells us that one of its customers changed or was deleted "
        "(`data.object.id`: its id). The linked customer's billing profile is read again "
        "from the Customer Base (so notifications may arrive late or twice), or the "
        "customer is deleted; `customer.erasure_requested` (GDPR) erases the linked customer "
        "as `POST /v1/customers/{id}/erase` does (and needs an admin key). Needs a "
        "`write_customers` key not restricted to a shop."
    ),
)
async def customer_base_event(body: DirectoryEventIn, c: CustomersDep, ctx: ContextDep) -> Response:
    customer_id, changed = await uc.apply_directory_event(
        body.model_dump(),
        ctx=ctx,
        directory=c.customer_directory,
        settings=c.settings,
        **services(c),
    )
    return json_response(
        {
            "object": "customer_base_event",
            "id": body.id,
            "type": body.type,
            "customer": customer_id,
            "changed": changed,
        }
    )


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


@router.post(
    "/{customer_id}/tax_ids", responses={200: {"model": TaxIdOut}}, summary="Create a tax id"
)
async def create_tax_id(
    customer_id: str, body: TaxIdCreate, c: TaxDep, ctx: ContextDep
) -> Response:
    tax_id = await tx.create_tax_id(
        customer_id,
        CreateTaxId(type=body.type.value, value=body.value),
        ctx=ctx,
        vat_id_checker=c.vat_id_checker,
        **services(c),
    )
    return json_response(tax_id_object(tax_id))


@router.get(
    "/{customer_id}/tax_ids",
    responses={200: {"model": TaxIdList}},
    summary="List a customer's tax ids (newest first)",
)
async def list_tax_ids(
    customer_id: str, c: ContainerDep, ctx: ContextDep, page: PageDep
) -> Response:
    result = await tx.list_tax_ids(customer_id, page, uow_factory=c.uow_factory, ctx=ctx)
    return list_response(f"/v1/customers/{customer_id}/tax_ids", result, tax_id_object)


@router.get(
    "/{customer_id}/tax_ids/{tax_id}",
    responses={200: {"model": TaxIdOut}},
    summary="Retrieve a tax id",
)
async def retrieve_tax_id(
    customer_id: str, tax_id: str, c: ContainerDep, ctx: ContextDep
) -> Response:
    found = await tx.retrieve_tax_id(customer_id, tax_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(tax_id_object(found))


@router.delete(
    "/{customer_id}/tax_ids/{tax_id}",
    responses={200: {"model": DeletedTaxIdOut}},
    summary="Delete a tax id",
)
async def delete_tax_id(
    customer_id: str, tax_id: str, c: ContainerDep, ctx: ContextDep
) -> Response:
    deleted = await tx.delete_tax_id(customer_id, tax_id, ctx=ctx, **services(c))
    return json_response(tax_id_object(deleted))
