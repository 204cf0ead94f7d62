"""Customers: search by e-mail, detail with their credit balance, payments, invoices and
saved payment methods."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from payments.customers.service.customers import list_customers, retrieve_customer
from payments.dashboard.forms import page_of
from payments.dashboard.web import PREFIX, DashboardRoute, StaffDep, gettext, query, render
from payments.intents.domain.commands import ListPaymentIntents
from payments.intents.service.payment_intents import list_payment_intents
from payments.intents.service.payment_methods import list_for_customer
from payments.invoices.domain.commands import ListInvoices
from payments.invoices.service.drafts import list_invoices
from payments.kernel.pagination import PageRequest
from payments.ledger.service import customer_credit

router = APIRouter(
    prefix=f"{PREFIX}/customers", include_in_schema=False, route_class=DashboardRoute
)


@router.get("")
async def customers(
    request: Request,
    staff: StaffDep,
    email: Annotated[str, Query(max_length=254)] = "",
    starting_after: Annotated[str, Query(max_length=64)] = "",
    ending_before: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    c = request.app.state.container
    result = await list_customers(
        page_of(starting_after, ending_before),
        email=email.strip() or None,
        uow_factory=c.uow_factory,
        ctx=staff.ctx,
    )
    older = (
        query({"email": email, "starting_after": result.data[-1].id})
        if result.data and (result.has_more or ending_before)
        else ""
    )
    newer = (
        query({"email": email, "ending_before": result.data[0].id})
        if result.data and (starting_after or (ending_before and result.has_more))
        else ""
    )
    return render(
        request,
        "customers.html",
        staff=staff,
        title=gettext(request, "Customers"),
        customers=result.data,
        email=email,
        older=older,
        newer=newer,
    )


@router.get("/{customer_id}")
async def customer(request: Request, customer_id: str, staff: StaffDep) -> Response:
    c = request.app.state.container
    found = await retrieve_customer(customer_id, uow_factory=c.uow_factory, ctx=staff.ctx)
    payments = await list_payment_intents(
        ListPaymentIntents(customer=found.id),
        PageRequest(limit=25),
        uow_factory=c.uow_factory,
        ctx=staff.ctx,
    )
    invoices = await list_invoices(
        ListInvoices(customer=found.id),
        PageRequest(limit=25),
        uow_factory=c.uow_factory,
        ctx=staff.ctx,
    )
    methods = await list_for_customer(
        found.id, PageRequest(limit=25), uow_factory=c.uow_factory, ctx=staff.ctx
    )
    credit = await customer_credit(found.id, uow_factory=c.uow_factory, ctx=staff.ctx)
    return render(
        request,
        "customer.html",
        methods=methods.data,
        staff=staff,
        title=found.name or found.email or found.id,
        customer=found,
        payments=payments,
        invoices=invoices,
        credit=credit,
    )
