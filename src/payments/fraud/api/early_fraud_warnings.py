"""Early fraud warnings: ``/v1/radar/early_fraud_warnings`` (Stripe Radar's list and
retrieve), our one-call ``refund_and_block``, and the simulator's test helper that makes
a card's issuer send one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.fraud.render import early_fraud_warning_object
from payments.fraud.schemas import (
    EarlyFraudWarningList,
    EarlyFraudWarningOut,
    EarlyFraudWarningRaise,
    RefundAndBlockIn,
)
from payments.fraud.service import early_fraud_warnings as uc
from payments.gateways.runtime import GatewayDep
from payments.intents.api.test_helpers import simulator_only
from payments.intents.repository import ChargeRepository
from payments.intents.service.gateway_call import gateway_call_refusable
from payments.kernel.access import Permission
from payments.kernel.errors import NotFound
from payments.platform.http.deps import ContainerDep, ContextDep, PageDep
from payments.platform.http.openapi import GATEWAY_ERRORS, Responses
from payments.platform.http.params import LocationFilter
from payments.platform.http.responses import json_response, list_response
from payments.refunds.api import policy

router = APIRouter(prefix="/v1/radar/early_fraud_warnings", tags=["fraud"])
test_helpers_router = APIRouter(prefix="/v1/test_helpers/radar", tags=["test_helpers"])

ONE: Responses = {200: {"model": EarlyFraudWarningOut}}
IdFilter = Annotated[str | None, Query(max_length=40)]


@router.get(
    "",
    responses={200: {"model": EarlyFraudWarningList}},
    summary="List early fraud warnings (newest first)",
)
async def list_early_fraud_warnings(
    c: ContainerDep,
    ctx: ContextDep,
    page: PageDep,
    charge: IdFilter = None,
    payment_intent: IdFilter = None,
    location: LocationFilter = None,
) -> Response:
    result = await uc.list_early_fraud_warnings(
        page,
        charge=charge,
        payment_intent=payment_intent,
        location_id=location,
        uow_factory=c.uow_factory,
        ctx=ctx,
    )
    return list_response("/v1/radar/early_fraud_warnings", result, early_fraud_warning_object)


@router.get("/{warning_id}", responses=ONE, summary="Retrieve an early fraud warning")
async def retrieve_early_fraud_warning(
    warning_id: str, c: ContainerDep, ctx: ContextDep
) -> Response:
    warning = await uc.retrieve_early_fraud_warning(warning_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(early_fraud_warning_object(warning))


@router.post(
    "/{warning_id}/refund_and_block",
    responses=ONE | GATEWAY_ERRORS,
    summary="Refund (or release) the warned payment as fraudulent and block its card "
    "(admin, finance)",
    description="One call on an actionable warning: a held payment is canceled, a captured "
    "one refunded in full, both with reason `fraudulent`, and the charge's card fingerprint "
    "is added to `value_list` (a card_fingerprint list used by a block rule).",
)
async def refund_and_block(
    warning_id: str, body: RefundAndBlockIn, c: GatewayDep, ctx: ContextDep
) -> Response:
    warning = await uc.refund_and_block(
        warning_id,
        value_list_id=body.value_list,
        uow_factory=c.uow_factory,
        gateway=c.gateway,
        clock=c.clock,
        ctx=ctx,
        policy=policy(c),
    )
    return json_response(early_fraud_warning_object(warning))


@test_helpers_router.post(
    "/early_fraud_warnings",
    responses=ONE | GATEWAY_ERRORS,
    summary="The card's issuer sends an early fraud warning on a charge (simulator)",
)
async def raise_early_fraud_warning(
    body: EarlyFraudWarningRaise, c: GatewayDep, ctx: ContextDep
) -> Response:
    sim = simulator_only(c)
    ctx.require(Permission.write_payments)
    async with c.uow_factory() as uow:
        charge = await uow.repo(ChargeRepository).get(body.charge)
    if charge is None or charge.gateway_ref is None:
        raise NotFound.of("charge", body.charge, param="charge")
    ctx.check_location("charge", charge.id, charge.location_id)
    reported = await gateway_call_refusable(
        sim.create_early_fraud_warning(charge.gateway_ref, body.fraud_type)
    )
    await uc.apply_early_fraud_warning(
        reported, gateway=sim.name, uow_factory=c.uow_factory, clock=c.clock
    )
    warning = await uc.warning_of_gateway(
        reported.reference, gateway=sim.name, uow_factory=c.uow_factory
    )
    return json_response(early_fraud_warning_object(warning))
