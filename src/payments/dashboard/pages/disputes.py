"""Disputes: the list, those needing a response first (evidence is answered through the
API for now; the page links each to its payment)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from payments.dashboard.forms import page_of
from payments.dashboard.web import PREFIX, DashboardRoute, StaffDep, gettext, query, render
from payments.disputes.domain import DisputeStatus, ListDisputes
from payments.disputes.service.disputes import list_disputes

router = APIRouter(prefix=f"{PREFIX}/disputes", include_in_schema=False, route_class=DashboardRoute)


@router.get("")
async def disputes(
    request: Request,
    staff: StaffDep,
    status: Annotated[str, Query(max_length=40)] = "",
    starting_after: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    c = request.app.state.container
    result = await list_disputes(
        ListDisputes(status=status or None),
        page_of(starting_after, None),
        uow_factory=c.uow_factory,
        ctx=staff.ctx,
    )
    older = (
        query({"status": status, "starting_after": result.data[-1].id}) if result.has_more else ""
    )
    return render(
        request,
        "disputes.html",
        staff=staff,
        title=gettext(request, "Disputes"),
        disputes=result.data,
        chosen=status,
        statuses=[s.value for s in DisputeStatus],
        older=older,
        now=c.clock.now(),
    )
