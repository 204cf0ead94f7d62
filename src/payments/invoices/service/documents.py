"""The documents of finalized invoices and credit notes: PDF/A-3 (with Factur-X XML
inside), CII and UBL XML, rendered by :mod:`payments.einvoicing` from what was frozen
at issue. Rendering is CPU work (WeasyPrint, lxml): it runs in a worker thread, off the
event loop."""

from __future__ import annotations

import asyncio
from enum import StrEnum

from payments.einvoicing.cii import to_cii
from payments.einvoicing.model import InvoiceDocument
from payments.einvoicing.pdf import to_pdf
from payments.einvoicing.ubl import to_ubl
from payments.invoices.domain.document import credit_note_document, invoice_document
from payments.invoices.domain.status import InvoiceStatus
from payments.invoices.service.common import (
    credit_note_lines,
    lines_of,
    visible_credit_note,
    visible_invoice,
)
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest
from payments.platform.db.uow import UnitOfWorkFactory


class DocumentFormat(StrEnum):
    PDF = "pdf"
    CII = "cii"
    UBL = "ubl"

    @property
    def media_type(self) -> str:
        return "application/pdf" if self is DocumentFormat.PDF else "application/xml"

    @property
    def extension(self) -> str:
        match self:
            case DocumentFormat.PDF:
                return "pdf"
            case DocumentFormat.CII:
                return "cii.xml"
            case DocumentFormat.UBL:
                return "ubl.xml"


def render(doc: InvoiceDocument, fmt: DocumentFormat) -> bytes:
    match fmt:
        case DocumentFormat.PDF:
            return to_pdf(doc)
        case DocumentFormat.CII:
            return to_cii(doc)
        case DocumentFormat.UBL:
            return to_ubl(doc)


async def invoice_document_of(
    invoice_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> InvoiceDocument:
    async with uow_factory() as uow:
        invoice = await visible_invoice(uow, invoice_id, ctx)
        if invoice.status == InvoiceStatus.DRAFT:
            raise InvalidRequest(
                "A draft has no document yet: finalize the invoice first.",
                code="invoice_unexpected_state",
            )
        lines = await lines_of(uow, invoice.id)
        advance = (
            await visible_invoice(uow, invoice.advance_invoice_id, ctx)
            if invoice.advance_invoice_id is not None
            else None
        )
    return invoice_document(invoice, lines, advance)


async def credit_note_document_of(
    note_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> InvoiceDocument:
    async with uow_factory() as uow:
        note = await visible_credit_note(uow, note_id, ctx)
        lines = await credit_note_lines(uow, note.id)
        invoice = await visible_invoice(uow, note.invoice_id, ctx)
    return credit_note_document(note, lines, invoice)


async def rendered(doc: InvoiceDocument, fmt: DocumentFormat) -> bytes:
    return await asyncio.to_thread(render, doc, fmt)
