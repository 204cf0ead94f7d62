"""The home page: figures per shop, a daily volume chart, items needing attention."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from starlette.responses import Response

from payments.dashboard import i18n
from payments.dashboard.charts import bar_chart
from payments.dashboard.service.overview import overview
from payments.dashboard.web import (
    PREFIX,
    DashboardRoute,
    StaffDep,
    error_page,
    gettext,
    language_of,
    redirect,
    render,
    shop_names,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=DashboardRoute)
#: registered after every other dashboard router: it answers any address they do not
fallback_router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=DashboardRoute)


@router.get("")
async def home(request: Request, staff: StaffDep) -> Response:
    c = request.app.state.container
    data = await overview(uow_factory=c.uow_factory, clock=c.clock, ctx=staff.ctx)
    lang = language_of(request)

    def describe(currency: str) -> Callable[[int], str]:
        return lambda amount: i18n.money(amount, currency, lang)

    charts = {
        currency: bar_chart(
            points,
            label=gettext(request, "Payment volume per day this month") + f" ({currency.upper()})",
            describe=describe(currency),
        )
        for currency, points in data.daily.items()
    }
    return render(
        request,
        "home.html",
        staff=staff,
        title=gettext(request, "Home"),
        data=data,
        charts=charts,
        shops=await shop_names(request, staff),
        now=c.clock.now(),
    )


@fallback_router.get("/{rest:path}")
async def not_found(request: Request, rest: str, staff: StaffDep) -> Response:
    """Any other dashboard address: the friendly 404 (after sign-in, so nobody learns
    which pages exist without one)."""
    if rest == "":
        return redirect(PREFIX)  # /dashboard/ is the home page
    return error_page(
        request, 404, gettext(request, "There is nothing here, or it belongs to another shop.")
    )
