"""Refunds: Stripe's ``/v1/refunds``, plus approval (``approve``, ``reject``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.gateways.runtime import GatewayDep
from payments.platform.http.deps import ContextDep, PageDep, services
from payments.platform.http.params import CreatedRange
from payments.platform.http.responses import json_response, list_response
from payments.platform.runtime import Runtime
from payments.refunds.domain.commands import CreateRefund, ListRefunds
from payments.refunds.domain.policy import RefundPolicy
from payments.refunds.domain.refund import Reason
from payments.refunds.render import refund_object
from payments.refunds.schemas import RefundCreate, RefundReject
from payments.refunds.service import approvals
from payments.refunds.service import refunds as uc

router = APIRouter(prefix="/v1/refunds", tags=["refunds"])


def policy(c: Runtime) -> RefundPolicy:
    return RefundPolicy(
        thresholds=c.settings.refund_approval_thresholds,
        window=timedelta(days=c.settings.refund_approval_window_days),
    )


@router.post("", summary="Refund a payment, fully or partly (may await approval)")
async def create(body: RefundCreate, c: GatewayDep, ctx: ContextDep) -> Response:
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


@router.get("", summary="List refunds (newest first)")
async def list_all(
    c: GatewayDep,
    ctx: ContextDep,
    page: PageDep,
    created: CreatedRange,
    payment_intent: Annotated[str | None, Query(max_length=64)] = None,
    charge: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    query = ListRefunds(
        payment_intent=payment_intent, charge=charge, status=status, created=created
    )
    result = await uc.list_refunds(query, page, uow_factory=c.uow_factory, ctx=ctx)
    return list_response("/v1/refunds", result, refund_object)


@router.get("/{refund_id}", summary="Retrieve a refund")
async def retrieve(refund_id: str, c: GatewayDep, ctx: ContextDep) -> Response:
    refund = await uc.retrieve_refund(refund_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(refund_object(refund))


@router.post("/{refund_id}/approve", summary="Approve a refund awaiting approval (finance)")
async def approve(refund_id: str, c: GatewayDep, ctx: ContextDep) -> Response:
    refund = await approvals.approve_refund(refund_id, gateway=c.gateway, ctx=ctx, **services(c))
    return json_response(refund_object(refund))


@router.post("/{refund_id}/reject", summary="Reject a refund awaiting approval (finance)")
async def reject(refund_id: str, body: RefundReject, c: GatewayDep, ctx: ContextDep) -> Response:
    refund = await approvals.reject_refund(refund_id, body.reason, ctx=ctx, **services(c))
    return json_response(refund_object(refund))


@router.post("/{refund_id}/cancel", summary="Cancel a refund not yet completed")
async def cancel(refund_id: str, c: GatewayDep, ctx: ContextDep) -> Response:
    refund = await approvals.cancel_refund(refund_id, gateway=c.gateway, ctx=ctx, **services(c))
    return json_response(refund_object(refund))
