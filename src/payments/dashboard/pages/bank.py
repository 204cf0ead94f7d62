"""Unmatched bank transactions: money that came in on a bank statement and could not be
matched to an invoice yet (read-only; matching stays with the API). Company-wide, like
the ledger: finance and admin not kept to one shop (bank statements' ``reconcile_bank``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from payments.dashboard.forms import page_of
from payments.dashboard.service.queues import unmatched_transactions
from payments.dashboard.web import PREFIX, DashboardRoute, StaffDep, gettext, query, render

router = APIRouter(
    prefix=f"{PREFIX}/bank_transactions", include_in_schema=False, route_class=DashboardRoute
)


@router.get("")
async def bank_transactions(
    request: Request,
    staff: StaffDep,
    starting_after: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    c = request.app.state.container
    found = await unmatched_transactions(
        page_of(starting_after, None), uow_factory=c.uow_factory, ctx=staff.ctx
    )
    older = query({"starting_after": found.data[-1].id}) if found.has_more else ""
    return render(
        request,
        "bank_transactions.html",
        staff=staff,
        title=gettext(request, "Unmatched bank transactions"),
        transactions=found.data,
        older=older,
    )
