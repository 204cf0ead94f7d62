"""Value lists and their items, in Stripe Radar's shapes, under ``/v1/fraud``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.fraud.domain.model import CreateValueList, CreateValueListItem
from payments.fraud.render import value_list_item_object, value_list_object
from payments.fraud.schemas import (
    DeletedOut,
    ValueListCreate,
    ValueListItemCreate,
    ValueListItemList,
    ValueListItemOut,
    ValueListList,
    ValueListOut,
)
from payments.fraud.service import lists as uc
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep, services
from payments.platform.http.responses import json_response, list_response

router = APIRouter(prefix="/v1/fraud", tags=["fraud"])


@router.post(
    "/value_lists",
    responses={200: {"model": ValueListOut}},
    summary="Create a value list (admin, finance; keys of every shop)",
    description="`item_type`: card_fingerprint, email, ip_address, customer_id, iban, "
    "sepa_debit_fingerprint, country or string. Rules use it as `@alias`.",
)
async def create_value_list(body: ValueListCreate, c: ContainerDep, ctx: ContextDep) -> Response:
    cmd = CreateValueList(
        alias=body.alias, name=body.name, item_type=body.item_type, metadata=body.metadata or {}
    )
    vl = await uc.create_value_list(cmd, ctx=ctx, **services(c))
    return json_response(value_list_object(vl, [], False))


@router.get("/value_lists", responses={200: {"model": ValueListList}}, summary="List value lists")
async def list_value_lists(c: ContainerDep, ctx: ContextDep, page: PageDep) -> Response:
    result = await uc.list_value_lists(page, uow_factory=c.uow_factory, ctx=ctx)
    return list_response(
        "/v1/fraud/value_lists", result, lambda vl: value_list_object(vl, [], False)
    )


@router.get(
    "/value_lists/{list_id}",
    responses={200: {"model": ValueListOut}},
    summary="Retrieve a value list (with its first items)",
)
async def retrieve_value_list(list_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    vl, items = await uc.retrieve_value_list(list_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(value_list_object(vl, items.data, items.has_more))


@router.delete(
    "/value_lists/{list_id}",
    responses={200: {"model": DeletedOut}},
    summary="Delete a value list no rule uses",
)
async def delete_value_list(list_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    vl = await uc.delete_value_list(list_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response({"id": vl.id, "object": "radar.value_list", "deleted": True})


@router.post(
    "/value_list_items",
    responses={200: {"model": ValueListItemOut}},
    summary="Add a value to a list (checked against the list's item_type)",
    description="Pass `value`, or `charge` / `review` to add that payment's card (e-mail, IP "
    "address, customer, country: whatever the list holds) in one call.",
)
async def create_value_list_item(
    body: ValueListItemCreate, c: ContainerDep, ctx: ContextDep
) -> Response:
    cmd = CreateValueListItem(
        value_list_id=body.value_list,
        value=body.value,
        charge_id=body.charge,
        review_id=body.review,
    )
    item = await uc.create_value_list_item(cmd, ctx=ctx, **services(c))
    return json_response(value_list_item_object(item))


@router.get(
    "/value_list_items",
    responses={200: {"model": ValueListItemList}},
    summary="List the items of a value list",
)
async def list_value_list_items(
    value_list: Annotated[str, Query(max_length=64)],
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
) -> Response:
    result = await uc.list_value_list_items(value_list, page, uow_factory=c.uow_factory, ctx=ctx)
    return list_response(
        f"/v1/fraud/value_list_items?value_list={value_list}", result, value_list_item_object
    )


@router.get(
    "/value_list_items/{item_id}",
    responses={200: {"model": ValueListItemOut}},
    summary="Retrieve a value list item",
)
async def retrieve_value_list_item(item_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    item = await uc.retrieve_value_list_item(item_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(value_list_item_object(item))


@router.delete(
    "/value_list_items/{item_id}",
    responses={200: {"model": DeletedOut}},
    summary="Remove a value from its list",
)
async def delete_value_list_item(item_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    item = await uc.delete_value_list_item(item_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response({"id": item.id, "object": "radar.value_list_item", "deleted": True})
