"""GDPR endpoints: ``GET /v1/customers/{id}/data_export`` (JSON, or ``?format=zip`` with
the invoice PDFs) and ``POST /v1/customers/{id}/erase``. Admin keys only."""

from __future__ import annotations

import io
import zipfile
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.platform.http.deps import ContainerDep, ContextDep, services
from payments.platform.http.responses import json_response
from payments.privacy import service as uc
from payments.privacy.schemas import ErasureOut

router = APIRouter(prefix="/v1/customers", tags=["customers"])

ZIP: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The export as JSON, or (`format=zip`) a ZIP of `customer.json` and "
        "`invoices/<number>.pdf`.",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/zip": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.get(
    "/{customer_id}/data_export",
    responses=ZIP,
    summary="Export everything held about a customer (GDPR access and portability)",
    description=(
        "The customer, tax ids, payment methods (never a card number: brand, last 4 digits "
        "and expiry only), PaymentIntents, charges, refunds, disputes, invoices, credit "
        "notes, subscriptions, fraud assessments, the events about them and the audit "
        "records naming them. `format=zip` adds the PDF of every issued invoice. Admin "
        "keys only (not restricted to a shop); each export is recorded in the audit log."
    ),
)
async def data_export(
    customer_id: str,
    c: ContainerDep,
    ctx: ContextDep,
    format: Annotated[Literal["json", "zip"], Query()] = "json",
) -> Response:
    export = await uc.export_customer_data(customer_id, ctx=ctx, **services(c))
    if format == "json":
        return json_response(export)
    pdfs = await uc.invoice_pdfs(export, uow_factory=c.uow_factory, ctx=ctx)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("customer.json", orjson.dumps(export, option=orjson.OPT_INDENT_2))
        for name, data in pdfs:
            archive.writestr(name, data)
    return Response(
        buffer.getvalue(),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{customer_id}-data.zip"'},
    )


@router.post(
    "/{customer_id}/erase",
    responses={200: {"model": ErasureOut}},
    summary="Erase (pseudonymise) a customer's personal data (GDPR erasure)",
    description=(
        "Pseudonymises the customer's personal data everywhere it appears, at once; the "
        "billing details frozen on issued invoices are kept for the seller's legal "
        "retention period (`PAYMENTS_RETENTION_YEARS`) and pseudonymised by the retention "
        "job when it ends (`status: scheduled` until then, `retained_until`). Idempotent: "
        "asking again answers the same erasure. Refused (400, nothing written) while the "
        "customer has an open dispute (`customer_has_open_dispute`), an unpaid invoice "
        "(`customer_has_unpaid_invoice`) or a live subscription "
        "(`customer_has_active_subscription`). Admin keys only; audited."
    ),
)
async def erase(customer_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    erasure = await uc.erase_customer(
        customer_id, ctx=ctx, retention_years=c.settings.retention_years_for, **services(c)
    )
    return json_response(uc.erasure_object(erasure))
