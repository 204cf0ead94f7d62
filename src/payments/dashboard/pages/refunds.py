"""Refunds: those awaiting approval first, each approved or rejected by a second person
(the approval use case refuses the requester), and recent ones."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from payments.dashboard.forms import page_of
from payments.dashboard.web import (
    PREFIX,
    DashboardRoute,
    FormDep,
    StaffDep,
    confirm,
    gettext,
    query,
    redirect,
    render,
)
from payments.kernel.access import Permission
from payments.kernel.errors import InvalidRequest
from payments.kernel.pagination import MAX_LIMIT, PageRequest
from payments.refunds.domain.commands import ListRefunds
from payments.refunds.service.approvals import approve_refund, reject_refund
from payments.refunds.service.refunds import list_refunds, retrieve_refund

router = APIRouter(prefix=f"{PREFIX}/refunds", include_in_schema=False, route_class=DashboardRoute)


@router.get("")
async def refunds(
    request: Request,
    staff: StaffDep,
    starting_after: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    c = request.app.state.container
    awaiting = await list_refunds(
        ListRefunds(status="pending_approval"),
        PageRequest(limit=MAX_LIMIT),
        uow_factory=c.uow_factory,
        ctx=staff.ctx,
    )
    recent = await list_refunds(
        ListRefunds(), page_of(starting_after, None), uow_factory=c.uow_factory, ctx=staff.ctx
    )
    older = query({"starting_after": recent.data[-1].id}) if recent.has_more else ""
    return render(
        request,
        "refunds.html",
        staff=staff,
        title=gettext(request, "Refunds"),
        awaiting=awaiting.data,
        recent=recent.data,
        older=older,
        notice=_notice(request),
    )


def _notice(request: Request) -> str:
    done = request.query_params.get("done", "")
    messages = {
        "approved": "The refund was approved and sent.",
        "rejected": "The refund was rejected; nothing was sent.",
    }
    return gettext(request, messages[done]) if done in messages else ""


@router.get("/{refund_id}")
async def refund(request: Request, refund_id: str, staff: StaffDep) -> Response:
    c = request.app.state.container
    found = await retrieve_refund(refund_id, uow_factory=c.uow_factory, ctx=staff.ctx)
    return render(
        request,
        "refund.html",
        staff=staff,
        title=gettext(request, "Refund") + " " + refund_id,
        r=found,
        notice=_notice(request),
    )


@router.post("/{refund_id}/approve")
async def approve(request: Request, refund_id: str, posted: FormDep) -> Response:
    posted.staff.require(Permission.approve_refunds)
    c = request.app.state.container
    found = await retrieve_refund(refund_id, uow_factory=c.uow_factory, ctx=posted.staff.ctx)
    if not posted.confirmed:
        return confirm(
            request,
            posted,
            title=gettext(request, "Approve the refund?"),
            question=gettext(request, "The money goes back to the customer now."),
            button=gettext(request, "Approve"),
            cancel_url=f"{PREFIX}/refunds/{found.id}",
        )
    await approve_refund(
        refund_id, uow_factory=c.uow_factory, gateway=c.gateway, clock=c.clock, ctx=posted.staff.ctx
    )
    return redirect(f"{PREFIX}/refunds/{refund_id}?done=approved")


@router.post("/{refund_id}/reject")
async def reject(request: Request, refund_id: str, posted: FormDep) -> Response:
    posted.staff.require(Permission.approve_refunds)
    c = request.app.state.container
    found = await retrieve_refund(refund_id, uow_factory=c.uow_factory, ctx=posted.staff.ctx)
    reason = posted.get("reason")[:500]
    if not reason:
        raise InvalidRequest(gettext(request, "Give a reason for the rejection."), param="reason")
    if not posted.confirmed:
        return confirm(
            request,
            posted,
            title=gettext(request, "Reject the refund?"),
            question=gettext(request, "Nothing is sent to the customer."),
            button=gettext(request, "Reject"),
            cancel_url=f"{PREFIX}/refunds/{found.id}",
        )
    await reject_refund(
        refund_id, reason, uow_factory=c.uow_factory, clock=c.clock, ctx=posted.staff.ctx
    )
    return redirect(f"{PREFIX}/refunds/{refund_id}?done=rejected")
