"""Invoices: Stripe's ``/v1/invoices`` and its verbs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.gateways.runtime import GatewayDep
from payments.invoices.domain.commands import (
    AddLines,
    CreateInvoice,
    LineChange,
    LineInput,
    ListInvoices,
    PayInvoice,
    RemoveLines,
    UpdateInvoice,
    UpdateLines,
)
from payments.invoices.domain.model import Invoice, InvoiceLine
from payments.invoices.notifier import notifier_of
from payments.invoices.render import invoice_object
from payments.invoices.schemas import (
    AddLinesIn,
    InvoiceCreate,
    InvoiceUpdate,
    LineIn,
    LineUpdateIn,
    PayIn,
    RemoveLinesIn,
    UpdateLinesIn,
)
from payments.invoices.service import drafts, finalize, lifecycle, payments
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep, services
from payments.platform.http.params import CreatedRange
from payments.platform.http.responses import json_response, list_object

router = APIRouter(prefix="/v1/invoices", tags=["invoices"])


def _render(result: tuple[Invoice, list[InvoiceLine]]) -> Response:
    return json_response(invoice_object(*result))


def _line(body: LineIn) -> LineInput:
    return LineInput(**body.model_dump())


def _change(body: LineUpdateIn) -> LineChange:
    return LineChange(**body.model_dump(exclude_unset=True))


@router.post("", summary="Create a draft invoice (optionally with its lines)")
async def create(body: InvoiceCreate, c: ContainerDep, ctx: ContextDep) -> Response:
    fields = body.model_dump(exclude_unset=True, exclude={"lines"})
    cmd = CreateInvoice(**fields, lines=tuple(_line(x) for x in body.lines))
    return _render(await drafts.create_invoice(cmd, ctx=ctx, **services(c)))


def _unix_day(value: int | None) -> date | None:
    return datetime.fromtimestamp(value, UTC).date() if value is not None else None


@router.get("", summary="List invoices (newest first)")
async def list_all(
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
    created: CreatedRange,
    customer: Annotated[str | None, Query(max_length=64)] = None,
    location: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    due_date_gte: Annotated[int | None, Query(alias="due_date[gte]", ge=0, le=2**33)] = None,
    due_date_lte: Annotated[int | None, Query(alias="due_date[lte]", ge=0, le=2**33)] = None,
) -> Response:
    query = ListInvoices(
        customer=customer,
        location=location,
        status=status,
        created_gte=created.gte,
        created_lte=created.lte,
        due_date_gte=_unix_day(due_date_gte),
        due_date_lte=_unix_day(due_date_lte),
    )
    result = await drafts.list_invoices(query, page, uow_factory=c.uow_factory, ctx=ctx)
    data = [invoice_object(i, lines) for i, lines in result.data]
    return json_response(list_object("/v1/invoices", data, result.has_more))


@router.get("/{invoice_id}", summary="Retrieve an invoice")
async def retrieve(invoice_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    return _render(await drafts.retrieve_invoice(invoice_id, uow_factory=c.uow_factory, ctx=ctx))


@router.post("/{invoice_id}", summary="Update a draft invoice")
async def update(
    invoice_id: str, body: InvoiceUpdate, c: ContainerDep, ctx: ContextDep
) -> Response:
    cmd = UpdateInvoice(id=invoice_id, **body.model_dump(exclude_unset=True))
    return _render(await drafts.update_invoice(cmd, ctx=ctx, **services(c)))


@router.post("/{invoice_id}/add_lines", summary="Add lines to a draft invoice")
async def add_lines(
    invoice_id: str, body: AddLinesIn, c: ContainerDep, ctx: ContextDep
) -> Response:
    cmd = AddLines(id=invoice_id, lines=tuple(_line(x) for x in body.lines))
    return _render(await drafts.add_lines(cmd, ctx=ctx, **services(c)))


@router.post("/{invoice_id}/remove_lines", summary="Remove lines from a draft invoice")
async def remove_lines(
    invoice_id: str, body: RemoveLinesIn, c: ContainerDep, ctx: ContextDep
) -> Response:
    cmd = RemoveLines(id=invoice_id, line_ids=tuple(x.id for x in body.lines))
    return _render(await drafts.remove_lines(cmd, ctx=ctx, **services(c)))


@router.post("/{invoice_id}/update_lines", summary="Change lines of a draft invoice")
async def update_lines(
    invoice_id: str, body: UpdateLinesIn, c: ContainerDep, ctx: ContextDep
) -> Response:
    cmd = UpdateLines(id=invoice_id, lines=tuple(_change(x) for x in body.lines))
    return _render(await drafts.update_lines(cmd, ctx=ctx, **services(c)))


@router.post("/{invoice_id}/finalize", summary="Finalize: number, freeze and post the invoice")
async def finalize_invoice(invoice_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    return _render(await finalize.finalize_invoice(invoice_id, ctx=ctx, **services(c)))


@router.post("/{invoice_id}/pay", summary="Pay: charge a payment method, or out of band")
async def pay(
    invoice_id: str, c: GatewayDep, ctx: ContextDep, body: PayIn | None = None
) -> Response:
    body = body or PayIn()
    cmd = PayInvoice(
        id=invoice_id, payment_method=body.payment_method, paid_out_of_band=body.paid_out_of_band
    )
    result = await payments.pay_invoice(
        cmd, gateway=c.gateway, ctx=ctx, max_amount=c.settings.max_amount, **services(c)
    )
    return _render(result)


@router.post("/{invoice_id}/void", summary="Void an invoice nothing was paid or credited on")
async def void(invoice_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    return _render(await lifecycle.void_invoice(invoice_id, ctx=ctx, **services(c)))


@router.post("/{invoice_id}/mark_uncollectible", summary="Mark an open invoice uncollectible")
async def mark_uncollectible(invoice_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    return _render(await lifecycle.mark_uncollectible(invoice_id, ctx=ctx, **services(c)))


@router.post("/{invoice_id}/send", summary="Send the invoice to the customer (invoice.sent)")
async def send(invoice_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    result = await lifecycle.send_invoice(
        invoice_id, ctx=ctx, notifier=notifier_of(c.extras), **services(c)
    )
    return _render(result)
