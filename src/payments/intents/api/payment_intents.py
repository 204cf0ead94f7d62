from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.gateways.runtime import GatewayDep
from payments.intents.domain.commands import (
    CancelPaymentIntent,
    CapturePaymentIntent,
    ConfirmPaymentIntent,
    CreatePaymentIntent,
    ListPaymentIntents,
    UpdatePaymentIntent,
)
from payments.intents.domain.payment_intent import CancellationReason, CaptureMethod
from payments.intents.render import payment_intent_object
from payments.intents.schemas import (
    PaymentIntentCancel,
    PaymentIntentCapture,
    PaymentIntentConfirm,
    PaymentIntentCreate,
    PaymentIntentUpdate,
)
from payments.intents.service import flow
from payments.intents.service import payment_intents as uc
from payments.kernel.unset import Unset
from payments.platform.http.deps import ContextDep, PageDep, services
from payments.platform.http.params import CreatedRange
from payments.platform.http.responses import json_response, list_response

router = APIRouter(prefix="/v1/payment_intents", tags=["payment_intents"])


def _create(body: PaymentIntentCreate) -> CreatePaymentIntent:
    return CreatePaymentIntent(
        amount=body.amount,
        currency=body.currency,
        location=body.location,
        customer=body.customer,
        payment_method=body.payment_method,
        payment_method_types=tuple(body.payment_method_types or ()),
        capture_method=CaptureMethod(body.capture_method),
        setup_future_usage=body.setup_future_usage,
        return_url=body.return_url,
        description=body.description,
        receipt_email=body.receipt_email,
        metadata=body.metadata,
        off_session=body.off_session,
    )


def _update(body: PaymentIntentUpdate) -> UpdatePaymentIntent:
    capture_method = body.given_not_null("capture_method")
    return UpdatePaymentIntent(
        amount=body.given_not_null("amount"),
        currency=body.given_not_null("currency"),
        capture_method=capture_method
        if isinstance(capture_method, Unset)
        else CaptureMethod(capture_method),
        payment_method=body.payment_method,
        setup_future_usage=body.given("setup_future_usage"),
        return_url=body.given("return_url"),
        description=body.given("description"),
        receipt_email=body.given("receipt_email"),
        metadata=body.metadata,
    )


@router.post("", summary="Create a PaymentIntent (optionally confirm it at once)")
async def create(body: PaymentIntentCreate, c: GatewayDep, ctx: ContextDep) -> Response:
    cmd = _create(body)
    if body.confirm:  # one transaction for the intent and its first attempt
        pi = await flow.create_and_confirm_payment_intent(
            cmd, gateway=c.gateway, ctx=ctx, max_amount=c.settings.max_amount, **services(c)
        )
    else:
        pi = await uc.create_payment_intent(
            cmd, gateway=c.gateway, ctx=ctx, max_amount=c.settings.max_amount, **services(c)
        )
    return json_response(payment_intent_object(pi))


@router.get("", summary="List PaymentIntents (newest first)")
async def list_all(
    c: GatewayDep,
    ctx: ContextDep,
    page: PageDep,
    created: CreatedRange,
    customer: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    query = ListPaymentIntents(customer=customer, status=status, created=created)
    result = await uc.list_payment_intents(query, page, uow_factory=c.uow_factory, ctx=ctx)
    return list_response("/v1/payment_intents", result, payment_intent_object)


@router.get("/{pi_id}", summary="Retrieve a PaymentIntent")
async def retrieve(pi_id: str, c: GatewayDep, ctx: ContextDep) -> Response:
    pi = await uc.retrieve_payment_intent(pi_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(payment_intent_object(pi))


@router.post("/{pi_id}", summary="Update a PaymentIntent")
async def update(pi_id: str, body: PaymentIntentUpdate, c: GatewayDep, ctx: ContextDep) -> Response:
    pi = await uc.update_payment_intent(
        pi_id,
        _update(body),
        gateway=c.gateway,
        ctx=ctx,
        max_amount=c.settings.max_amount,
        **services(c),
    )
    return json_response(payment_intent_object(pi))


@router.post("/{pi_id}/confirm", summary="Confirm: make an attempt at the gateway")
async def confirm(
    pi_id: str, c: GatewayDep, ctx: ContextDep, body: PaymentIntentConfirm | None = None
) -> Response:
    body = body or PaymentIntentConfirm()
    cmd = ConfirmPaymentIntent(
        payment_method=body.payment_method,
        off_session=body.off_session,
        setup_future_usage=body.setup_future_usage,
        return_url=body.return_url,
    )
    pi = await flow.confirm_payment_intent(pi_id, cmd, gateway=c.gateway, ctx=ctx, **services(c))
    return json_response(payment_intent_object(pi))


@router.post("/{pi_id}/capture", summary="Capture an authorization (full or partial)")
async def capture(
    pi_id: str, c: GatewayDep, ctx: ContextDep, body: PaymentIntentCapture | None = None
) -> Response:
    cmd = CapturePaymentIntent(amount_to_capture=body.amount_to_capture if body else None)
    pi = await flow.capture_payment_intent(pi_id, cmd, gateway=c.gateway, ctx=ctx, **services(c))
    return json_response(payment_intent_object(pi))


@router.post("/{pi_id}/cancel", summary="Cancel; any authorization is released")
async def cancel(
    pi_id: str, c: GatewayDep, ctx: ContextDep, body: PaymentIntentCancel | None = None
) -> Response:
    reason = body.cancellation_reason if body else None
    cmd = CancelPaymentIntent(cancellation_reason=CancellationReason(reason) if reason else None)
    pi = await flow.cancel_payment_intent(pi_id, cmd, gateway=c.gateway, ctx=ctx, **services(c))
    return json_response(payment_intent_object(pi))
