"""Fraud reviews: the payments a ``review`` rule held (authorized, not captured), with
the charge's amount, risk level, score and the signals behind it; approving captures
the payment, canceling releases it as fraudulent, both through fraud's review use cases
and both confirmed first. Finance and admin only (fraud's ``manage_fraud``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from payments.dashboard.forms import page_of
from payments.dashboard.service.queues import open_reviews
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
    shop_names,
)
from payments.fraud.service.reviews import approve_review, cancel_review, retrieve_review
from payments.kernel.access import Permission

router = APIRouter(prefix=f"{PREFIX}/reviews", include_in_schema=False, route_class=DashboardRoute)


@router.get("")
async def reviews(
    request: Request,
    staff: StaffDep,
    starting_after: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    staff.require(Permission.manage_fraud)
    c = request.app.state.container
    found = await open_reviews(
        page_of(starting_after, None), uow_factory=c.uow_factory, ctx=staff.ctx
    )
    older = query({"starting_after": found.data[-1].review.id}) if found.has_more else ""
    done = request.query_params.get("done", "")
    messages = {
        "approved": "The review was approved: the payment was captured.",
        "canceled": "The review was canceled: the payment was released, nothing was taken.",
    }
    return render(
        request,
        "reviews.html",
        staff=staff,
        title=gettext(request, "Fraud reviews"),
        held=found.data,
        older=older,
        shops=await shop_names(request, staff),
        notice=gettext(request, messages[done]) if done in messages else "",
    )


@router.post("/{review_id}/approve")
async def approve(request: Request, review_id: str, posted: FormDep) -> Response:
    posted.staff.require(Permission.manage_fraud)
    c = request.app.state.container
    found = await retrieve_review(review_id, uow_factory=c.uow_factory, ctx=posted.staff.ctx)
    if not posted.confirmed:
        return confirm(
            request,
            posted,
            title=gettext(request, "Approve the payment?"),
            question=gettext(request, "The held payment is captured now: the customer pays."),
            button=gettext(request, "Approve"),
            cancel_url=f"{PREFIX}/reviews",
        )
    await approve_review(
        found.id, uow_factory=c.uow_factory, gateway=c.gateway, clock=c.clock, ctx=posted.staff.ctx
    )
    return redirect(f"{PREFIX}/reviews?done=approved")


@router.post("/{review_id}/cancel")
async def cancel(request: Request, review_id: str, posted: FormDep) -> Response:
    posted.staff.require(Permission.manage_fraud)
    c = request.app.state.container
    found = await retrieve_review(review_id, uow_factory=c.uow_factory, ctx=posted.staff.ctx)
    if not posted.confirmed:
        return confirm(
            request,
            posted,
            title=gettext(request, "Cancel the payment as fraudulent?"),
            question=gettext(
                request,
                "The held payment is released: nothing is taken from the customer, and this "
                "cannot be undone.",
            ),
            button=gettext(request, "Cancel the payment"),
            cancel_url=f"{PREFIX}/reviews",
        )
    await cancel_review(
        found.id, uow_factory=c.uow_factory, gateway=c.gateway, clock=c.clock, ctx=posted.staff.ctx
    )
    return redirect(f"{PREFIX}/reviews?done=canceled")
