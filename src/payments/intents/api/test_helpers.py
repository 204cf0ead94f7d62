"""Test helpers for the simulator gateway (Stripe has ``/v1/test_helpers`` too).

They stand in for the customer: passing or failing a 3-D Secure challenge, and
sending a bank transfer (the card network's decision on a dispute is in
:mod:`payments.disputes.api`). They exist only while ``PAYMENTS_GATEWAY=simulator``.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from payments.gateways.runtime import GatewayDep, GatewayRuntime
from payments.gateways.simulator import SimulatorGateway
from payments.intents.api.expand import shows_client_secret
from payments.intents.render import payment_intent_object
from payments.intents.repository import ChargeRepository
from payments.intents.schemas import AuthenticateIn, FundIn, PaymentIntentOut
from payments.intents.service.flow import sync_charge_from_gateway
from payments.intents.service.gateway_call import gateway_call_refusable
from payments.intents.service.payment_intents import retrieve_payment_intent
from payments.kernel.access import Permission
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, StateConflict
from payments.platform.http.deps import ContextDep, services
from payments.platform.http.openapi import GATEWAY_ERRORS, Responses
from payments.platform.http.responses import json_response

router = APIRouter(prefix="/v1/test_helpers", tags=["test_helpers"])

ONE: Responses = {200: {"model": PaymentIntentOut}}


def simulator_only(c: GatewayRuntime) -> SimulatorGateway:
    """The simulator gateway, or a 400 when the service runs on another gateway."""
    if not isinstance(c.gateway, SimulatorGateway):
        raise InvalidRequest(
            "Test helpers exist only with the simulator gateway.", code="test_helpers_unavailable"
        )
    return c.gateway


async def _charge_ref(pi_id: str, c: GatewayDep, ctx: RequestContext) -> tuple[str, str]:
    ctx.require(Permission.write_payments)
    pi = await retrieve_payment_intent(pi_id, uow_factory=c.uow_factory, ctx=ctx)
    async with c.uow_factory() as uow:
        charge = await uow.repo(ChargeRepository).get(pi.latest_charge_id or "")
    if charge is None or charge.gateway_ref is None:
        raise InvalidRequest(
            "This PaymentIntent has no attempt at the gateway yet.",
            code="payment_intent_unexpected_state",
        )
    return charge.id, charge.gateway_ref


@router.post(
    "/payment_intents/{pi_id}/authenticate",
    responses=ONE | GATEWAY_ERRORS,
    summary="Pass or fail the 3-D Secure challenge (simulator)",
)
async def authenticate(
    pi_id: str, body: AuthenticateIn, c: GatewayDep, ctx: ContextDep
) -> Response:
    sim = simulator_only(c)
    charge_id, ref = await _charge_ref(pi_id, c, ctx)
    pi = await retrieve_payment_intent(pi_id, uow_factory=c.uow_factory, ctx=ctx)
    if pi.status != "requires_action":
        raise StateConflict(
            f"This PaymentIntent has no 3-D Secure challenge to answer (its status is "
            f"{pi.status}).",
            code="payment_intent_unexpected_state",
        )
    result = await gateway_call_refusable(sim.complete_action(ref, succeed=body.succeed))
    await sync_charge_from_gateway(charge_id, result, gateway=c.gateway, ctx=ctx, **services(c))
    pi = await retrieve_payment_intent(pi_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(payment_intent_object(pi, client_secret=shows_client_secret(ctx)))


@router.post(
    "/payment_intents/{pi_id}/fund_bank_transfer",
    responses=ONE | GATEWAY_ERRORS,
    summary="Send a bank transfer for this PaymentIntent (simulator)",
)
async def fund(pi_id: str, body: FundIn, c: GatewayDep, ctx: ContextDep) -> Response:
    sim = simulator_only(c)
    charge_id, ref = await _charge_ref(pi_id, c, ctx)
    result = await gateway_call_refusable(sim.simulate_bank_transfer(ref, body.amount))
    await sync_charge_from_gateway(charge_id, result, gateway=c.gateway, ctx=ctx, **services(c))
    pi = await retrieve_payment_intent(pi_id, uow_factory=c.uow_factory, ctx=ctx)
    return json_response(payment_intent_object(pi, client_secret=shows_client_secret(ctx)))
