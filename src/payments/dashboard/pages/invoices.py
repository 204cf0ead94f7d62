"""Invoices and credit notes: list, detail, PDF, send to the customer, record a payment
made at the counter (cash or card terminal: ``paid_out_of_band``), issue a credit note."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from payments.dashboard.forms import minor_units, page_of
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
from payments.invoices.domain.commands import (
    CreateCreditNote,
    ListCreditNotes,
    ListInvoices,
    PayInvoice,
)
from payments.invoices.domain.credit_note import CreditNoteReason
from payments.invoices.domain.status import InvoiceStatus
from payments.invoices.notifier import notifier_of
from payments.invoices.service.credit_notes import create_credit_note, list_credit_notes
from payments.invoices.service.documents import (
    DocumentFormat,
    credit_note_document_of,
    invoice_document_of,
    rendered,
)
from payments.invoices.service.drafts import list_invoices, retrieve_invoice
from payments.invoices.service.lifecycle import send_invoice
from payments.invoices.service.payments import pay_invoice
from payments.kernel.access import Permission
from payments.kernel.errors import InvalidRequest
from payments.kernel.pagination import MAX_LIMIT, PageRequest
from payments.refunds.api import policy

router = APIRouter(prefix=f"{PREFIX}/invoices", include_in_schema=False, route_class=DashboardRoute)

SETTLE = ("reduce", "refund", "credit", "out_of_band")  # reduce: lower what is still owed


@router.get("")
async def invoices(
    request: Request,
    staff: StaffDep,
    status: Annotated[str, Query(max_length=20)] = "",
    starting_after: Annotated[str, Query(max_length=64)] = "",
    ending_before: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    c = request.app.state.container
    chosen = InvoiceStatus(status) if status in {s.value for s in InvoiceStatus} else None
    result = await list_invoices(
        ListInvoices(status=chosen),
        page_of(starting_after, ending_before),
        uow_factory=c.uow_factory,
        ctx=staff.ctx,
    )
    data = result.data
    older = (
        query({"status": status, "starting_after": data[-1][0].id})
        if data and (result.has_more or ending_before)
        else ""
    )
    newer = (
        query({"status": status, "ending_before": data[0][0].id})
        if data and (starting_after or (ending_before and result.has_more))
        else ""
    )
    return render(
        request,
        "invoices.html",
        staff=staff,
        title=gettext(request, "Invoices"),
        invoices=data,
        chosen=status,
        statuses=[s.value for s in InvoiceStatus],
        older=older,
        newer=newer,
    )


@router.get("/{invoice_id}")
async def invoice(request: Request, invoice_id: str, staff: StaffDep) -> Response:
    c = request.app.state.container
    found, lines = await retrieve_invoice(invoice_id, uow_factory=c.uow_factory, ctx=staff.ctx)
    notes = await list_credit_notes(
        ListCreditNotes(invoice=found.id),
        PageRequest(limit=MAX_LIMIT),
        uow_factory=c.uow_factory,
        ctx=staff.ctx,
    )
    done = request.query_params.get("done", "")
    messages = {
        "paid": "The payment was recorded.",
        "credited": "The credit note was issued.",
        "sent": "The invoice was sent to the customer.",
    }
    return render(
        request,
        "invoice.html",
        staff=staff,
        title=gettext(request, "Invoice") + " " + (found.number or found.id),
        inv=found,
        lines=lines,
        notes=notes.data,
        reasons=[r.value for r in CreditNoteReason],
        notice=gettext(request, messages[done]) if done in messages else "",
    )


def _pdf(content: bytes, name: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{name}.pdf"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/{invoice_id}/pdf")
async def invoice_pdf(request: Request, invoice_id: str, staff: StaffDep) -> Response:
    c = request.app.state.container
    doc = await invoice_document_of(invoice_id, uow_factory=c.uow_factory, ctx=staff.ctx)
    return _pdf(await rendered(doc, DocumentFormat.PDF), invoice_id)


@router.get("/credit_notes/{note_id}/pdf")
async def credit_note_pdf(request: Request, note_id: str, staff: StaffDep) -> Response:
    c = request.app.state.container
    doc = await credit_note_document_of(note_id, uow_factory=c.uow_factory, ctx=staff.ctx)
    return _pdf(await rendered(doc, DocumentFormat.PDF), note_id)


@router.post("/{invoice_id}/send")
async def send(request: Request, invoice_id: str, posted: FormDep) -> Response:
    posted.staff.require(Permission.write_payments)
    c = request.app.state.container
    found, _ = await retrieve_invoice(invoice_id, uow_factory=c.uow_factory, ctx=posted.staff.ctx)
    await send_invoice(
        found.id,
        uow_factory=c.uow_factory,
        clock=c.clock,
        ctx=posted.staff.ctx,
        notifier=notifier_of(c.extras),
    )
    return redirect(f"{PREFIX}/invoices/{invoice_id}?done=sent")


@router.post("/{invoice_id}/pay")
async def record_payment(request: Request, invoice_id: str, posted: FormDep) -> Response:
    posted.staff.require(Permission.write_payments)
    c = request.app.state.container
    found, _ = await retrieve_invoice(invoice_id, uow_factory=c.uow_factory, ctx=posted.staff.ctx)
    if not posted.confirmed:
        return confirm(
            request,
            posted,
            title=gettext(request, "Record a payment at the counter?"),
            question=gettext(
                request,
                "The invoice is marked paid in full, paid outside this service (cash or the "
                "card terminal).",
            ),
            button=gettext(request, "Record the payment"),
            cancel_url=f"{PREFIX}/invoices/{found.id}",
        )
    await pay_invoice(
        PayInvoice(id=invoice_id, paid_out_of_band=True),
        uow_factory=c.uow_factory,
        gateway=c.gateway,
        clock=c.clock,
        ctx=posted.staff.ctx,
        max_amount=c.settings.max_amount,
    )
    return redirect(f"{PREFIX}/invoices/{invoice_id}?done=paid")


@router.post("/{invoice_id}/credit_notes")
async def credit(request: Request, invoice_id: str, posted: FormDep) -> Response:
    posted.staff.require(Permission.write_refunds)
    c = request.app.state.container
    found, _ = await retrieve_invoice(invoice_id, uow_factory=c.uow_factory, ctx=posted.staff.ctx)
    amount = minor_units(posted.get("amount"), found.currency)
    if amount is None:
        raise InvalidRequest(gettext(request, "Give the amount to credit."), param="amount")
    reason_text = posted.get("reason")
    reason = CreditNoteReason(reason_text) if reason_text in set(CreditNoteReason) else None
    settle = posted.get("settle")
    if settle not in SETTLE:
        raise InvalidRequest(gettext(request, "Choose how the credit is settled."), param="settle")
    if not posted.confirmed:
        return confirm(
            request,
            posted,
            title=gettext(request, "Issue the credit note?"),
            question=gettext(request, "A credit note is a legal document and cannot be deleted."),
            button=gettext(request, "Issue the credit note"),
            cancel_url=f"{PREFIX}/invoices/{found.id}",
        )
    await create_credit_note(
        CreateCreditNote(
            invoice=invoice_id,
            amount=amount,
            reason=reason,
            memo=posted.get("memo")[:500] or None,
            refund_amount=amount if settle == "refund" else 0,
            credit_amount=amount if settle == "credit" else 0,
            out_of_band_amount=amount if settle == "out_of_band" else 0,
        ),
        uow_factory=c.uow_factory,
        gateway=c.gateway,
        clock=c.clock,
        ctx=posted.staff.ctx,
        policy=policy(c),
    )
    return redirect(f"{PREFIX}/invoices/{invoice_id}?done=credited")
