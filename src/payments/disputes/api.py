"""Disputes: Stripe's ``/v1/disputes`` (created by the gateway, never by a client)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from payments.disputes.domain import DisputeStatus, ListDisputes, UpdateDispute
from payments.disputes.render import dispute_object
from payments.disputes.schemas import DisputeList, DisputeOut, DisputeResolve, DisputeUpdate
from payments.disputes.service import disputes as uc
from payments.disputes.service.apply import sync_dispute_from_gateway
from payments.disputes.service.disputes import gateway_call_checked, retrieve_dispute
from payments.gateways.runtime import GatewayDep
from payments.intents.api.expand import expanded_list_response, expanded_response
from payments.intents.api.test_helpers import simulator_only
from payments.kernel.access import Permission
from payments.platform.http.deps import ContextDep, PageDep, services
from payments.platform.http.openapi import GATEWAY_ERRORS, Responses
from payments.platform.http.params import CreatedRange, LocationFilter, expandable
from payments.platform.http.responses import json_response

router = APIRouter(prefix="/v1/disputes", tags=["disputes"])

EXPANDABLE = ("charge", "payment_intent")
Expand = Annotated[tuple[str, ...], Depends(expandable(*EXPANDABLE))]
ExpandList = Annotated[tuple[str, ...], Depends(expandable(*EXPANDABLE, lists=True))]
ONE: Responses = {200: {"model": DisputeOut}}


@router.get("", responses={200: {"model": DisputeList}}, summary="List disputes (newest first)")
async def list_all(
    c: GatewayDep,
    ctx: ContextDep,
    page: PageDep,
    created: CreatedRange,
    expand: ExpandList,
    location: LocationFilter = None,
    charge: Annotated[str | None, Query(max_length=64)] = None,
    payment_intent: Annotated[str | None, Query(max_length=64)] = None,
    status: DisputeStatus | None = None,
) -> Response:
    query = ListDisputes(
        charge=charge,
        payment_intent=payment_intent,
        status=status.value if status else None,
        created=created,
        location=location,
    )
    result = await uc.list_disputes(query, page, uow_factory=c.uow_factory, ctx=ctx)
    return await expanded_list_response(
        "/v1/disputes", result, dispute_object, expand, uow_factory=c.uow_factory, ctx=ctx
    )


@router.get("/{dispute_id}", responses=ONE, summary="Retrieve a dispute")
async def retrieve(dispute_id: str, c: GatewayDep, ctx: ContextDep, expand: Expand) -> Response:
    dispute = await uc.retrieve_dispute(dispute_id, uow_factory=c.uow_factory, ctx=ctx)
    return await expanded_response(
        dispute_object(dispute), expand, uow_factory=c.uow_factory, ctx=ctx
    )


@router.post(
    "/{dispute_id}",
    responses=ONE | GATEWAY_ERRORS,
    summary="Add evidence (and submit it with submit=true)",
)
async def update(dispute_id: str, body: DisputeUpdate, c: GatewayDep, ctx: ContextDep) -> Response:
    evidence: dict[str, str] = (
        body.evidence.model_dump(exclude_none=True) if body.evidence is not None else {}
    )
    cmd = UpdateDispute(evidence=evidence, submit=body.submit, metadata=body.given("metadata"))
    dispute = await uc.update_dispute(dispute_id, cmd, gateway=c.gateway, ctx=ctx, **services(c))
    return json_response(dispute_object(dispute))


@router.post(
    "/{dispute_id}/close", responses=ONE | GATEWAY_ERRORS, summary="Accept the dispute (it is lost)"
)
async def close(dispute_id: str, c: GatewayDep, ctx: ContextDep) -> Response:
    dispute = await uc.close_dispute(dispute_id, gateway=c.gateway, ctx=ctx, **services(c))
    return json_response(dispute_object(dispute))


test_helpers_router = APIRouter(prefix="/v1/test_helpers", tags=["test_helpers"])


@test_helpers_router.post(
    "/disputes/{dispute_id}/resolve",
    responses=ONE | GATEWAY_ERRORS,
    summary="The card network decides a dispute: won or lost (simulator)",
)
async def resolve_dispute(
    dispute_id: str, body: DisputeResolve, c: GatewayDep, ctx: ContextDep
) -> Response:
    sim = simulator_only(c)
    ctx.require(Permission.write_payments)
    dispute = await retrieve_dispute(dispute_id, uow_factory=c.uow_factory, ctx=ctx)
    result = await gateway_call_checked(sim.resolve_dispute(dispute.gateway_ref, body.outcome))
    dispute = await sync_dispute_from_gateway(dispute.id, result, ctx=ctx, **services(c))
    return json_response(dispute_object(dispute))
