"""Refunds: Stripe's ``/v1/refunds``, plus approval (``approve``, ``reject``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query
from starlette.responses import Response

from payments.gateways.runtime import GatewayDep
from payments.intents.api.expand import expanded_list_response, expanded_response
from payments.platform.http.deps import ContextDep, PageDep, services
from payments.platform.http.openapi import GATEWAY_ERRORS, Responses
from payments.platform.http.params import CreatedRange, LocationFilter, expandable
from payments.platform.http.responses import json_response
from payments.platform.runtime import Runtime
from payments.refunds.domain.commands import CreateRefund, ListRefunds
from payments.refunds.domain.policy import RefundPolicy
from payments.refunds.domain.refund import Reason, RefundStatus
from payments.refunds.render import refund_object
from payments.refunds.schemas import RefundCreate, RefundList, RefundOut, RefundReject
from payments.refunds.service import approvals
from payments.refunds.service import refunds as uc

router = APIRouter(prefix="/v1/refunds", tags=["refunds"])

REFUND_EXAMPLES = {
    "warranty": {
        "summary": "Refund 20.00 of a payment as a warranty case",
        "value": {
            "payment_intent": "pi_01JD8ZQ0V8Y3J6T4W9B2C5D7FG",
            "amount": 2000,
            "reason": "warranty",
            "note": "fan replaced under warranty",
        },
    },
    "everything": {
        "summary": "Refund whatever is left of a payment",
        "value": {"payment_intent": "pi_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"},
    },
}
EXPANDABLE = ("charge", "payment_intent")
Expand = Annotated[tuple[str, ...], Depends(expandable(*EXPANDABLE))]
ExpandList = Annotated[tuple[str, ...], Depends(expandable(*EXPANDABLE, lists=True))]
ONE: Responses = {200: {"model": RefundOut}}


def policy(c: Runtime) -> RefundPolicy:
    return RefundPolicy(
        thresholds=c.settings.refund_approval_thresholds,
        window=timedelta(days=c.settings.refund_approval_window_days),
    )


@router.post(
    "",
    responses=ONE | GATEWAY_ERRORS,
    summary="Refund a payment, fully or partly (may await approval)",
)
async def create(
    body: Annotated[RefundCreate, Body(openapi_examples=REFUND_EXAMPLES)],
    c: GatewayDep,
    ctx: ContextDep,
) -> Response:
    cmd = CreateRefund(
        payment_intent=body.payment_intent,
        charge=body.charge,
        amount=body.amount,
        currency=body.currency,
        reason=Reason(body.reason) if body.reason else None,
        note=body.note,
        metadata=body.metadata,
    )
    refund = await uc.create_refund(
        cmd, gateway=c.gateway, ctx=ctx, policy=policy(c), **services(c)
    )
    return json_response(refund_object(refund))


@router.get("", responses={200: {"model": RefundList}}, summary="List refunds (newest first)")
async def list_all(
    c: GatewayDep,
    ctx: ContextDep,
    page: PageDep,
    created: CreatedRange,
    expand: ExpandList,
    location: LocationFilter = None,
    payment_intent: Annotated[str | None, Query(max_length=64)] = None,
    charge: Annotated[str | None, Query(max_length=64)] = None,
    status: RefundStatus | None = None,
) -> Response:
    query = ListRefunds(
        payment_intent=payment_intent,
        charge=charge,
        status=status.value if status else None,
        created=created,
        location=location,
    )
    result = await uc.list_refunds(query, page, uow_factory=c.uow_factory, ctx=ctx)
    return await expanded_list_response(
        "/v1/refunds", result, refund_object, expand, uow_factory=c.uow_factory, ctx=ctx
    )


@router.get("/{refund_id}", responses=ONE, summary="Retrieve a refund")
async def retrieve(refund_id: str, c: GatewayDep, ctx: ContextDep, expand: Expand) -> Response:
    refund = await uc.retrieve_refund(refund_id, uow_factory=c.uow_factory, ctx=ctx)
    return await expanded_response(
        refund_object(refund), expand, uow_factory=c.uow_factory, ctx=ctx
    )


@router.post(
    "/{refund_id}/approve",
    responses=ONE | GATEWAY_ERRORS,
    summary="Approve a refund awaiting approval (finance)",
)
async def approve(refund_id: str, c: GatewayDep, ctx: ContextDep) -> Response:
    refund = await approvals.approve_refund(refund_id, gateway=c.gateway, ctx=ctx, **services(c))
    return json_response(refund_object(refund))


@router.post(
    "/{refund_id}/reject", responses=ONE, summary="Reject a refund awaiting approval (finance)"
)
async def reject(refund_id: str, body: RefundReject, c: GatewayDep, ctx: ContextDep) -> Response:
    refund = await approvals.reject_refund(refund_id, body.reason, ctx=ctx, **services(c))
    return json_response(refund_object(refund))


@router.post(
    "/{refund_id}/cancel",
    responses=ONE | GATEWAY_ERRORS,
    summary="Cancel a refund not yet completed",
)
async def cancel(refund_id: str, c: GatewayDep, ctx: ContextDep) -> Response:
    refund = await approvals.cancel_refund(refund_id, gateway=c.gateway, ctx=ctx, **services(c))
    return json_response(refund_object(refund))
