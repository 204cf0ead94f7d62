"""The documents: ``GET /v1/invoices/{id}/pdf``, ``.../xml?syntax=cii|ubl``, and the same
for credit notes. They answer ``application/pdf`` and ``application/xml`` (declared so in
the OpenAPI document: binary bodies, not JSON); errors are Stripe's JSON as anywhere."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.einvoicing.model import InvoiceDocument
from payments.invoices.service.documents import (
    DocumentFormat,
    credit_note_document_of,
    invoice_document_of,
    rendered,
)
from payments.platform.http.deps import ContainerDep, ContextDep
from payments.platform.http.openapi import Responses

router = APIRouter(prefix="/v1/invoices", tags=["invoices"])
credit_notes_router = APIRouter(prefix="/v1/credit_notes", tags=["credit_notes"])

PDF: Responses = {
    200: {
        "description": "A PDF/A-3 document with its EN 16931 XML embedded (Factur-X).",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}
XML: Responses = {
    200: {
        "description": "An EN 16931 document: UN/CEFACT CII or UBL 2.1 XML.",
        "content": {"application/xml": {"schema": {"type": "string", "format": "binary"}}},
    }
}

Syntax = Annotated[
    Literal["cii", "ubl"],
    Query(description="cii: UN/CEFACT CII (Factur-X EN 16931); ubl: UBL 2.1 (XRechnung)"),
]


async def _file(doc: InvoiceDocument, fmt: DocumentFormat) -> Response:
    body = await rendered(doc, fmt)
    filename = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in doc.number)
    return Response(
        body,
        media_type=fmt.media_type,
        headers={"content-disposition": f'inline; filename="{filename}.{fmt.extension}"'},
    )


@router.get(
    "/{invoice_id}/pdf",
    summary="The invoice as PDF/A-3 with its Factur-X XML embedded",
    response_class=Response,
    responses=PDF,
)
async def invoice_pdf(invoice_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    doc = await invoice_document_of(invoice_id, uow_factory=c.uow_factory, ctx=ctx)
    return await _file(doc, DocumentFormat.PDF)


@router.get(
    "/{invoice_id}/xml",
    summary="The invoice as EN 16931 XML (CII or UBL)",
    response_class=Response,
    responses=XML,
)
async def invoice_xml(
    invoice_id: str, c: ContainerDep, ctx: ContextDep, syntax: Syntax = "cii"
) -> Response:
    doc = await invoice_document_of(invoice_id, uow_factory=c.uow_factory, ctx=ctx)
    return await _file(doc, DocumentFormat(syntax))


@credit_notes_router.get(
    "/{note_id}/pdf",
    summary="The credit note as PDF/A-3 with its Factur-X XML embedded",
    response_class=Response,
    responses=PDF,
)
async def credit_note_pdf(note_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    doc = await credit_note_document_of(note_id, uow_factory=c.uow_factory, ctx=ctx)
    return await _file(doc, DocumentFormat.PDF)


@credit_notes_router.get(
    "/{note_id}/xml",
    summary="The credit note as EN 16931 XML (CII or UBL, type 381)",
    response_class=Response,
    responses=XML,
)
async def credit_note_xml(
    note_id: str, c: ContainerDep, ctx: ContextDep, syntax: Syntax = "cii"
) -> Response:
    doc = await credit_note_document_of(note_id, uow_factory=c.uow_factory, ctx=ctx)
    return await _file(doc, DocumentFormat(syntax))
