"""Subscriptions (read-only): a list by status with the customer, the amount of one
period and the current period's end; a subscription's page with its items and invoices.
Through billing's use cases, so a clerk of one shop sees only that shop's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from payments.billing.domain.model import SubscriptionStatus
from payments.billing.service.common import billing_of
from payments.dashboard.forms import page_of
from payments.dashboard.service.queues import subscription_detail, subscriptions
from payments.dashboard.web import (
    PREFIX,
    DashboardRoute,
    StaffDep,
    gettext,
    query,
    render,
    shop_names,
)

router = APIRouter(
    prefix=f"{PREFIX}/subscriptions", include_in_schema=False, route_class=DashboardRoute
)

#: billing's filters beside the statuses: every one, and those that ended
STATUSES = [s.value for s in SubscriptionStatus] + ["ended", "all"]


@router.get("")
async def subscription_list(
    request: Request,
    staff: StaffDep,
    status: Annotated[str, Query(max_length=20)] = "",
    starting_after: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    c = request.app.state.container
    chosen = status if status in STATUSES else ""
    found = await subscriptions(
        chosen, page_of(starting_after, None), billing=billing_of(c), ctx=staff.ctx
    )
    older = query({"status": chosen, "starting_after": found.data[-1].id}) if found.has_more else ""
    return render(
        request,
        "subscriptions.html",
        staff=staff,
        title=gettext(request, "Subscriptions"),
        subscriptions=found.data,
        statuses=STATUSES,
        chosen=chosen,
        older=older,
        shops=await shop_names(request, staff),
    )


@router.get("/{subscription_id}")
async def subscription(request: Request, subscription_id: str, staff: StaffDep) -> Response:
    c = request.app.state.container
    detail = await subscription_detail(subscription_id, billing=billing_of(c), ctx=staff.ctx)
    return render(
        request,
        "subscription.html",
        staff=staff,
        title=gettext(request, "Subscription") + " " + subscription_id,
        s=detail.subscription,
        products=detail.products,
        invoices=detail.invoices,
        more_invoices=detail.more_invoices,
        shops=await shop_names(request, staff),
    )
