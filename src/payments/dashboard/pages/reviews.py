"""Fraud reviews: the payments a ``review`` rule held (authorized, not captured), with
the charge's amount, risk level, score and the signals behind it; approving captures
the payment, canceling releases it as fraudulent, both through fraud's review use cases
and both confirmed first. Below them, the actionable early fraud warnings (the issuer
reported a payment as fraud): one confirmed action refunds (or releases) the payment as
fraudulent and adds its card to a block list. Finance and admin only (fraud's
``manage_fraud``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from payments.dashboard.forms import page_of
from payments.dashboard.service.queues import open_reviews, warned_payments
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
from payments.fraud.service.early_fraud_warnings import (
    refund_and_block,
    retrieve_early_fraud_warning,
)
from payments.fraud.service.reviews import approve_review, cancel_review, retrieve_review
from payments.kernel.access import Permission
from payments.kernel.errors import InvalidRequest
from payments.refunds.api import policy

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
    warned, card_lists = await warned_payments(uow_factory=c.uow_factory, ctx=staff.ctx)
    done = request.query_params.get("done", "")
    messages = {
        "approved": "The review was approved: the payment was captured.",
        "canceled": "The review was canceled: the payment was released, nothing was taken.",
        "blocked": "The warned payment was refunded as fraudulent and its card blocked.",
    }
    return render(
        request,
        "reviews.html",
        staff=staff,
        title=gettext(request, "Fraud reviews"),
        held=found.data,
        warned=warned,
        card_lists=card_lists,
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


@router.post("/warnings/{warning_id}/refund_and_block")
async def block_warned(request: Request, warning_id: str, posted: FormDep) -> Response:
    posted.staff.require(Permission.manage_fraud)
    c = request.app.state.container
    found = await retrieve_early_fraud_warning(
        warning_id, uow_factory=c.uow_factory, ctx=posted.staff.ctx
    )
    value_list = posted.get("value_list")
    if not value_list:
        raise InvalidRequest("Choose the block list for the card.", param="value_list")
    if not posted.confirmed:
        return confirm(
            request,
            posted,
            title=gettext(request, "Refund the payment and block the card?"),
            question=gettext(
                request,
                "The payment is refunded in full as fraudulent (a held one is released) and "
                "its card is added to the block list. This cannot be undone.",
            ),
            button=gettext(request, "Refund and block the card"),
            cancel_url=f"{PREFIX}/reviews",
        )
    await refund_and_block(
        found.id,
        value_list_id=value_list,
        uow_factory=c.uow_factory,
        gateway=c.gateway,
        clock=c.clock,
        ctx=posted.staff.ctx,
        policy=policy(c),
    )
    return redirect(f"{PREFIX}/reviews?done=blocked")
