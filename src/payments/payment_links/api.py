"""Payment links: ``POST /v1/invoices/{id}/payment_links`` creates one (its ``url`` is
shown only then), ``GET`` lists an invoice's, ``/v1/payment_links/{id}`` retrieves and
(de)activates one (Stripe's verb: update with ``active=false``)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from starlette.responses import Response

from payments.payment_links import service as uc
from payments.payment_links.domain import CreatePaymentLink
from payments.payment_links.render import payment_link_object
from payments.payment_links.schemas import (
    PaymentLinkCreate,
    PaymentLinkList,
    PaymentLinkOut,
    PaymentLinkUpdate,
)
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep, services
from payments.platform.http.openapi import Responses
from payments.platform.http.responses import json_response, list_response

router = APIRouter(tags=["payment_links"])

ONE: Responses = {200: {"model": PaymentLinkOut}}


def pay_url(base: str, token: str) -> str:
    return f"{base}/pay/{token}"


@router.post(
    "/v1/invoices/{invoice_id}/payment_links",
    responses=ONE,
    summary="Create a link to the hosted pay page of an open invoice",
    description=(
        "An unguessable link (`url`, shown only in this answer: only a hash of its token "
        "is kept) to a page where the customer sees the invoice and pays it by card or "
        "bank transfer. It expires at `expires_at` (default 30 days) and may collect at "
        "most `amount` (what the invoice owes now). With `share` (an open share of the "
        "invoice's payment plan) the link is that share's payer's: it collects at most "
        "what the share owes, its page shows the share's amount due, and its payment pays "
        "that share; a paid share, or one that is not the invoice's, is refused naming "
        "`share`. A draft, void or paid invoice is refused (`invoice_unexpected_state`). "
        "Clerks and above."
    ),
)
async def create_payment_link(
    invoice_id: str, c: ContainerDep, ctx: ContextDep, body: PaymentLinkCreate | None = None
) -> Response:
    body = body or PaymentLinkCreate()
    cmd = CreatePaymentLink(
        invoice=invoice_id,
        share=body.share,
        expires_at=datetime.fromtimestamp(body.expires_at, UTC) if body.expires_at else None,
        metadata=body.metadata,
    )
    link, token = await uc.create_payment_link(cmd, ctx=ctx, **services(c))
    url = pay_url(c.settings.resolved_public_url, token)
    return json_response(payment_link_object(link, url))


@router.get(
    "/v1/invoices/{invoice_id}/payment_links",
    responses={200: {"model": PaymentLinkList}},
    summary="List an invoice's payment links (newest first)",
)
async def list_payment_links(
    invoice_id: str, c: ContainerDep, ctx: ContextDep, page: PageDep
) -> Response:
    result = await uc.list_payment_links(invoice_id, page, uow_factory=c.uow_factory, ctx=ctx)
    return list_response(f"/v1/invoices/{invoice_id}/payment_links", result, payment_link_object)


@router.get("/v1/payment_links/{link_id}", responses=ONE, summary="Retrieve a payment link")
async def retrieve_payment_link(link_id: str, c: ContainerDep, ctx: ContextDep) -> Response:
    link = await uc.retrieve_payment_link(link_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(payment_link_object(link))


@router.post(
    "/v1/payment_links/{link_id}",
    responses=ONE,
    summary="Update a payment link: `active=false` deactivates it",
)
async def update_payment_link(
    link_id: str, body: PaymentLinkUpdate, c: ContainerDep, ctx: ContextDep
) -> Response:
    link = await uc.update_payment_link(
        link_id, active=body.active, metadata=body.metadata, ctx=ctx, **services(c)
    )
    return json_response(payment_link_object(link))
