from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.kernel.clock import to_unix
from payments.ledger.repository import LedgerRepository
from payments.ledger.schemas import (
    LedgerAccountList,
    LedgerDimensionBalanceList,
    LedgerTransactionList,
)
from payments.ledger.service import account_balances, dimension_balances, require_ledger_reader
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep
from payments.platform.http.params import LocationFilter
from payments.platform.http.responses import json_response, list_object

router = APIRouter(prefix="/v1/ledger", tags=["ledger"])


@router.get(
    "/accounts",
    responses={200: {"model": LedgerAccountList}},
    summary="Balances per account and currency (finance, admin; unrestricted keys)",
)
async def accounts(c: ContainerDep, ctx: ContextDep) -> Response:
    require_ledger_reader(ctx)
    data = await account_balances(uow_factory=c.uow_factory)
    return json_response(list_object("/v1/ledger/accounts", data, False))


@router.get(
    "/accounts/{account}/dimensions",
    responses={200: {"model": LedgerDimensionBalanceList}},
    summary="An account's balance per dimension: VAT per country:category:rate, receivable "
    "per invoice (finance, admin; unrestricted keys)",
)
async def account_dimensions(
    account: str,
    c: ContainerDep,
    ctx: ContextDep,
    prefix: Annotated[
        str | None, Query(max_length=64, description="Only dimensions starting with it, e.g. DE:")
    ] = None,
) -> Response:
    require_ledger_reader(ctx)
    data = await dimension_balances(account, prefix=prefix, uow_factory=c.uow_factory)
    return json_response(list_object(f"/v1/ledger/accounts/{account}/dimensions", data, False))


@router.get(
    "/transactions",
    responses={200: {"model": LedgerTransactionList}},
    summary="Journal transactions with their entries (finance, admin; unrestricted keys)",
)
async def transactions(
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
    location: LocationFilter = None,
    source: Annotated[str | None, Query(max_length=64, description="Object id")] = None,
) -> Response:
    require_ledger_reader(ctx)
    async with c.uow_factory() as uow:
        result = await uow.repo(LedgerRepository).list_transactions(
            page, source_id=source, location_id=ctx.list_location(location)
        )
    data = [
        {
            "id": tx["id"],
            "object": "ledger_transaction",
            "kind": tx["kind"],
            "source": {"object": tx["source_type"], "id": tx["source_id"]},
            "description": tx["description"],
            "location": tx["location_id"],
            "entries": tx["entries"],
            "created": to_unix(tx["created"]),
        }
        for tx in result.data
    ]
    return json_response(list_object("/v1/ledger/transactions", data, result.has_more))
