from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.gateways.runtime import GatewayDep
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
from payments.platform.http.deps import ContextDep, PageDep, services
from payments.platform.http.params import CreatedRange
from payments.platform.http.responses import json_response, list_response

router = APIRouter(prefix="/v1/payment_intents", tags=["payment_intents"])


@router.post("", summary="Create a PaymentIntent (optionally confirm it at once)")
async def create(body: PaymentIntentCreate, c: GatewayDep, ctx: ContextDep) -> Response:
    params = body.model_dump(exclude_unset=True)
    if body.confirm:  # one transaction for the intent and its first attempt
        pi = await flow.create_and_confirm_payment_intent(
            params,
            {"off_session": body.off_session},
            gateway=c.gateway,
            ctx=ctx,
            max_amount=c.settings.max_amount,
            **services(c),
        )
    else:
        pi = await uc.create_payment_intent(
            params, gateway=c.gateway, ctx=ctx, max_amount=c.settings.max_amount, **services(c)
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
    result = await uc.list_payment_intents(
        page,
        customer=customer,
        status=status,
        created_gte=created.gte,
        created_lte=created.lte,
        uow_factory=c.uow_factory,
        ctx=ctx,
    )
    return list_response("/v1/payment_intents", result, payment_intent_object)


@router.get("/{pi_id}", summary="Retrieve a PaymentIntent")
async def retrieve(pi_id: str, c: GatewayDep, ctx: ContextDep) -> Response:
    pi = await uc.retrieve_payment_intent(pi_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(payment_intent_object(pi))


@router.post("/{pi_id}", summary="Update a PaymentIntent")
async def update(pi_id: str, body: PaymentIntentUpdate, c: GatewayDep, ctx: ContextDep) -> Response:
    pi = await uc.update_payment_intent(
        pi_id,
        body.model_dump(exclude_unset=True),
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
    params = body.model_dump(exclude_unset=True) if body else {}
    pi = await flow.confirm_payment_intent(pi_id, params, gateway=c.gateway, ctx=ctx, **services(c))
    return json_response(payment_intent_object(pi))


@router.post("/{pi_id}/capture", summary="Capture an authorization (full or partial)")
async def capture(
    pi_id: str, c: GatewayDep, ctx: ContextDep, body: PaymentIntentCapture | None = None
) -> Response:
    params = body.model_dump(exclude_unset=True) if body else {}
    pi = await flow.capture_payment_intent(pi_id, params, gateway=c.gateway, ctx=ctx, **services(c))
    return json_response(payment_intent_object(pi))


@router.post("/{pi_id}/cancel", summary="Cancel; any authorization is released")
async def cancel(
    pi_id: str, c: GatewayDep, ctx: ContextDep, body: PaymentIntentCancel | None = None
) -> Response:
    params = body.model_dump(exclude_unset=True) if body else {}
    pi = await flow.cancel_payment_intent(pi_id, params, gateway=c.gateway, ctx=ctx, **services(c))
    return json_response(payment_intent_object(pi))
