"""Reconciliation: ``/v1/reconciliations`` (one per payout) and
``/v1/reconciliation_runs`` (one per day)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.platform.http.deps import ContainerDep, ContextDep, PageDep
from payments.platform.http.responses import json_response, list_object
from payments.reconciliation.schemas import (
    ReconciliationList,
    ReconciliationOut,
    ReconciliationRunList,
)
from payments.reconciliation.service import queries

router = APIRouter(prefix="/v1/reconciliations", tags=["reconciliation"])
runs_router = APIRouter(prefix="/v1/reconciliation_runs", tags=["reconciliation"])


@router.get(
    "",
    responses={200: {"model": ReconciliationList}},
    summary="List payout reconciliations, newest first (finance, admin)",
    description=(
        "One per payout of the gateway: the charges, refunds, disputes and fees it "
        "contains and the differences with our books. Filter by the payouts' arrival "
        "`date` (YYYY-MM-DD), `status` (reconciled, discrepancies) or `payout`."
    ),
)
async def list_reconciliations(
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
    date: Annotated[str | None, Query(max_length=10)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    payout: Annotated[str | None, Query(max_length=255)] = None,
) -> Response:
    data, more = await queries.list_reconciliations(
        page, day=date, status=status, payout=payout, uow_factory=c.uow_factory, ctx=ctx
    )
    return json_response(list_object("/v1/reconciliations", data, more))


@router.get(
    "/{reconciliation_id}",
    responses={200: {"model": ReconciliationOut}},
    summary="Retrieve a payout's reconciliation with its lines (by its id or the payout's)",
)
async def retrieve_reconciliation(
    reconciliation_id: str, c: ContainerDep, ctx: ContextDep
) -> Response:
    data = await queries.retrieve_reconciliation(
        reconciliation_id, uow_factory=c.uow_factory, ctx=ctx
    )
    return json_response(data)


@runs_router.get(
    "",
    responses={200: {"model": ReconciliationRunList}},
    summary="List the daily reconciliation runs, newest first (finance, admin)",
)
async def list_runs(c: ContainerDep, ctx: ContextDep, page: PageDep) -> Response:
    data, more = await queries.list_runs(page, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(list_object("/v1/reconciliation_runs", data, more))
