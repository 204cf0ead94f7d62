"""Readers: Stripe's ``/v1/terminal/readers`` (register, list, retrieve, and the
server-driven actions), ``/v1/terminal/connection_tokens``, the simulator's test helpers
and the receipts of card-present charges (``/v1/charges/{id}/receipt``)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query
from starlette.responses import Response

from payments.gateways.protocol import CardPresentInput
from payments.gateways.runtime import GatewayDep
from payments.intents.api.test_helpers import simulator_only
from payments.intents.service.gateway_call import gateway_call_refusable
from payments.kernel.access import Permission
from payments.kernel.errors import InvalidRequest
from payments.platform.http.deps import ContextDep, PageDep, services
from payments.platform.http.openapi import GATEWAY_ERRORS, Responses
from payments.platform.http.params import LocationFilter
from payments.platform.http.responses import json_response, list_object
from payments.terminal.domain import (
    CartLineItem,
    ProcessPaymentIntent,
    RefundPayment,
    RegisterReader,
    SetReaderDisplay,
)
from payments.terminal.notifier import receipt_notifier_of
from payments.terminal.receipt import receipt_html, receipt_pdf
from payments.terminal.render import connection_token_object, reader_object
from payments.terminal.schemas import (
    ConnectionTokenCreate,
    ConnectionTokenOut,
    PresentPaymentMethodIn,
    ProcessPaymentIntentIn,
    ReaderCreate,
    ReaderList,
    ReaderOut,
    ReaderStatusIn,
    ReceiptSentOut,
    RefundPaymentIn,
    SendReceiptIn,
    SetReaderDisplayIn,
)
from payments.terminal.service import actions, receipts
from payments.terminal.service import readers as uc
from payments.terminal.service.readers import ReaderView

router = APIRouter(prefix="/v1/terminal", tags=["terminal"])
test_helpers_router = APIRouter(prefix="/v1/test_helpers/terminal", tags=["test_helpers"])
receipts_router = APIRouter(prefix="/v1/charges", tags=["charges"])

ONE: Responses = {200: {"model": ReaderOut}}
TOKEN: Responses = {200: {"model": ConnectionTokenOut}}
READER_EXAMPLES = {
    "simulated": {
        "summary": "Register Stripe's simulated reader at the Berlin shop",
        "value": {
            "registration_code": "simulated-wpe",
            "label": "Counter 1",
            "location": "loc_01JD8ZQ0V8Y3J6T4W9B2C5D7FG",
        },
    }
}


def _reader(view: ReaderView) -> Response:
    return json_response(reader_object(view.reader, view.action))


@router.post(
    "/readers",
    responses=ONE | GATEWAY_ERRORS,
    summary="Register a reader at a shop (simulated-wpe on the simulator)",
)
async def register(
    body: Annotated[ReaderCreate, Body(openapi_examples=READER_EXAMPLES)],
    c: GatewayDep,
    ctx: ContextDep,
) -> Response:
    cmd = RegisterReader(
        registration_code=body.registration_code,
        label=body.label,
        location=body.location,
        metadata=dict(body.metadata),
    )
    return _reader(await uc.register_reader(cmd, gateway=c.gateway, ctx=ctx, **services(c)))


@router.get("/readers", responses={200: {"model": ReaderList}}, summary="List readers")
async def list_readers(
    c: GatewayDep,
    ctx: ContextDep,
    page: PageDep,
    location: LocationFilter = None,
    status: Literal["online", "offline"] | None = None,
    device_type: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    found = await uc.list_readers(
        page,
        status=status,
        location=location,
        device_type=device_type,
        uow_factory=c.uow_factory,
        ctx=ctx,
    )
    data = [reader_object(v.reader, v.action) for v in found.data]
    return json_response(list_object("/v1/terminal/readers", data, found.has_more))


@router.get("/readers/{reader_id}", responses=ONE, summary="Retrieve a reader")
async def retrieve(reader_id: str, c: GatewayDep, ctx: ContextDep) -> Response:
    ctx.require(Permission.read)
    view = await uc.retrieve_reader(
        reader_id, uow_factory=c.uow_factory, gateway=c.gateway, ctx=ctx
    )
    return _reader(view)


@router.post(
    "/readers/{reader_id}/process_payment_intent",
    responses=ONE | GATEWAY_ERRORS,
    summary="Collect a card_present PaymentIntent on the reader",
    description=(
        "The reader asks for the card; its action stays `in_progress` until the customer "
        "taps, inserts or swipes it. The outcome arrives as `terminal.reader.action_succeeded`"
        " or `terminal.reader.action_failed` (the intent then `succeeded` or "
        "`requires_capture`, or back to `requires_payment_method` with `last_payment_error`)."
    ),
)
async def process_payment_intent(
    reader_id: str, body: ProcessPaymentIntentIn, c: GatewayDep, ctx: ContextDep
) -> Response:
    cmd = ProcessPaymentIntent(payment_intent=body.payment_intent, invoice=body.invoice)
    view = await actions.process_payment_intent(
        reader_id,
        cmd,
        gateway=c.gateway,
        ctx=ctx,
        max_amount=c.settings.max_amount,
        **services(c),
    )
    return _reader(view)


@router.post(
    "/readers/{reader_id}/refund_payment",
    responses=ONE | GATEWAY_ERRORS,
    summary="Refund a card-present charge to the card presented on the reader",
)
async def refund_payment(
    reader_id: str, body: RefundPaymentIn, c: GatewayDep, ctx: ContextDep
) -> Response:
    cmd = RefundPayment(
        charge=body.charge,
        payment_intent=body.payment_intent,
        amount=body.amount,
        reason=body.reason,
    )
    view = await actions.refund_payment(reader_id, cmd, gateway=c.gateway, ctx=ctx, **services(c))
    return _reader(view)


@router.post(
    "/readers/{reader_id}/set_reader_display",
    responses=ONE | GATEWAY_ERRORS,
    summary="Show a cart (or an invoice's lines and total) on the reader",
)
async def set_reader_display(
    reader_id: str, body: SetReaderDisplayIn, c: GatewayDep, ctx: ContextDep
) -> Response:
    cart = body.cart
    if (cart is None) == (body.invoice is None):
        raise InvalidRequest(
            "Pass exactly one of cart or invoice.", code="parameter_missing", param="cart"
        )
    cmd = SetReaderDisplay(
        currency=cart.currency.lower() if cart else None,
        line_items=tuple(
            CartLineItem(description=li.description, amount=li.amount, quantity=li.quantity)
            for li in (cart.line_items if cart else [])
        ),
        tax=cart.tax if cart else None,
        total=cart.total if cart else None,
        invoice=body.invoice,
    )
    view = await actions.set_reader_display(
        reader_id, cmd, gateway=c.gateway, ctx=ctx, **services(c)
    )
    return _reader(view)


@router.post(
    "/readers/{reader_id}/cancel_action",
    responses=ONE | GATEWAY_ERRORS,
    summary="Cancel the reader's action in progress",
)
async def cancel_action(reader_id: str, c: GatewayDep, ctx: ContextDep) -> Response:
    view = await actions.cancel_action(reader_id, gateway=c.gateway, ctx=ctx, **services(c))
    return _reader(view)


@router.post(
    "/connection_tokens",
    responses=TOKEN | GATEWAY_ERRORS,
    summary="A connection token for an SDK-driven reader",
)
async def connection_token(
    c: GatewayDep, ctx: ContextDep, body: ConnectionTokenCreate | None = None
) -> Response:
    secret, location = await uc.create_connection_token(
        location=body.location if body else None,
        uow_factory=c.uow_factory,
        gateway=c.gateway,
        ctx=ctx,
    )
    return json_response(connection_token_object(secret, location))


@test_helpers_router.post(
    "/readers/{reader_id}/present_payment_method",
    responses=ONE | GATEWAY_ERRORS,
    summary="Present a card to a simulated reader (simulator)",
    description=(
        "As Stripe's test helper: the reader reads the card (default 4242424242424242; a "
        "declining test card such as 4000000000000002 declines) and finishes its action. "
        "The outcome arrives through the gateway's events (the worker polls them)."
    ),
)
async def present_payment_method(
    reader_id: str,
    c: GatewayDep,
    ctx: ContextDep,
    body: PresentPaymentMethodIn | None = None,
) -> Response:
    sim = simulator_only(c)
    ctx.require(Permission.write_payments)
    view = await uc.retrieve_reader(
        reader_id, uow_factory=c.uow_factory, gateway=c.gateway, ctx=ctx
    )
    body = body or PresentPaymentMethodIn()
    card = CardPresentInput(type=body.type, number=(body.card_present or {}).get("number"))
    await gateway_call_refusable(sim.present_payment_method(view.reader.gateway_ref, card))
    return _reader(view)


@test_helpers_router.post(
    "/readers/{reader_id}/set_status",
    responses=ONE | GATEWAY_ERRORS,
    summary="Take a simulated reader offline or back online (simulator)",
)
async def set_status(
    reader_id: str, body: ReaderStatusIn, c: GatewayDep, ctx: ContextDep
) -> Response:
    sim = simulator_only(c)
    ctx.require(Permission.write_payments)
    view = await uc.retrieve_reader(
        reader_id, uow_factory=c.uow_factory, gateway=c.gateway, ctx=ctx
    )
    await gateway_call_refusable(sim.set_reader_status(view.reader.gateway_ref, body.status))
    view = await uc.retrieve_reader(
        reader_id, uow_factory=c.uow_factory, gateway=c.gateway, ctx=ctx
    )
    return _reader(view)


RECEIPT: Responses = {
    200: {
        "description": "The receipt: HTML (format=html, the default) or PDF (format=pdf), "
        "80 mm wide for a receipt printer.",
        "content": {
            "text/html": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@receipts_router.get(
    "/{charge_id}/receipt",
    summary="The receipt of a card-present charge (HTML or PDF, 80 mm)",
    response_class=Response,
    responses=RECEIPT,
)
async def receipt(
    charge_id: str,
    c: GatewayDep,
    ctx: ContextDep,
    format: Annotated[Literal["html", "pdf"], Query(description="html or pdf")] = "html",
) -> Response:
    found = await receipts.receipt_of(charge_id, uow_factory=c.uow_factory, ctx=ctx)
    if format == "pdf":
        body = await asyncio.to_thread(receipt_pdf, found)
        return Response(
            body,
            media_type="application/pdf",
            headers={"content-disposition": f'inline; filename="receipt-{found.charge_id}.pdf"'},
        )
    return Response(receipt_html(found), media_type="text/html; charset=utf-8")


@receipts_router.post(
    "/{charge_id}/send_receipt",
    summary="E-mail the receipt of a card-present charge",
    responses={200: {"model": ReceiptSentOut}},
)
async def send_receipt(
    charge_id: str, c: GatewayDep, ctx: ContextDep, body: SendReceiptIn | None = None
) -> Response:
    sent = await receipts.send_receipt(
        charge_id,
        email=body.email if body else None,
        uow_factory=c.uow_factory,
        ctx=ctx,
        notifier=receipt_notifier_of(c.extras),
    )
    return json_response({"object": "receipt", "charge": sent.charge_id, "sent": True})
