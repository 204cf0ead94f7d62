"""``/v1/setup_intents``: save a customer's card or SEPA mandate for later off-session
payments (Stripe's SetupIntents)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from payments.gateways.runtime import GatewayDep
from payments.intents.api.expand import shows_client_secret
from payments.intents.domain.setup_intent import (
    ConfirmSetupIntent,
    CreateSetupIntent,
    ListSetupIntents,
    MandateData,
    SetupIntent,
    SetupIntentStatus,
)
from payments.intents.render import setup_intent_object
from payments.intents.schemas import (
    MandateDataIn,
    SetupIntentCancel,
    SetupIntentConfirm,
    SetupIntentCreate,
    SetupIntentList,
    SetupIntentOut,
)
from payments.intents.service import setup_intents as uc
from payments.kernel.context import RequestContext
from payments.platform.http.deps import ContextDep, PageDep, services
from payments.platform.http.openapi import CARD_ERRORS, GATEWAY_ERRORS, Responses
from payments.platform.http.params import CreatedRange
from payments.platform.http.responses import json_response, list_object

router = APIRouter(prefix="/v1/setup_intents", tags=["setup_intents"])
ONE: Responses = {200: {"model": SetupIntentOut}}


def _mandate(body: MandateDataIn | None) -> MandateData | None:
    if body is None:
        return None
    online = body.customer_acceptance.online
    return MandateData(ip_address=online.ip_address, user_agent=online.user_agent)


def _render(si: SetupIntent, ctx: RequestContext) -> Response:
    return json_response(setup_intent_object(si, client_secret=shows_client_secret(ctx)))


@router.post(
    "",
    responses=ONE | CARD_ERRORS | GATEWAY_ERRORS,
    summary="Create a SetupIntent (optionally confirm it at once)",
    description=(
        "Saves a payment method for the customer's later off-session payments, charging "
        "nothing. With `confirm=true` (and `payment_method`) the gateway is asked at once: "
        "a decline answers `402 card_error` with the SetupIntent inside, a card that asks "
        "for 3-D Secure leaves it `requires_action` (`next_action.redirect_to_url`). On "
        "success the method is attached to the customer. `sepa_debit` needs `mandate_data`."
    ),
)
async def create(body: SetupIntentCreate, c: GatewayDep, ctx: ContextDep) -> Response:
    cmd = CreateSetupIntent(
        customer=body.customer,
        payment_method=body.payment_method,
        payment_method_types=tuple(body.payment_method_types or ()),
        usage=body.usage,
        confirm=body.confirm,
        return_url=body.return_url,
        mandate_data=_mandate(body.mandate_data),
        metadata=body.metadata,
    )
    si = await uc.create_setup_intent(cmd, gateway=c.gateway, ctx=ctx, **services(c))
    return _render(si, ctx)


@router.get(
    "", responses={200: {"model": SetupIntentList}}, summary="List SetupIntents (newest first)"
)
async def list_all(
    c: GatewayDep,
    ctx: ContextDep,
    page: PageDep,
    created: CreatedRange,
    customer: Annotated[str | None, Query(max_length=64)] = None,
    payment_method: Annotated[str | None, Query(max_length=100)] = None,
    status: SetupIntentStatus | None = None,
) -> Response:
    query = ListSetupIntents(
        customer=customer,
        payment_method=payment_method,
        status=status.value if status else None,
        created=created,
    )
    result = await uc.list_setup_intents(query, page, uow_factory=c.uow_factory, ctx=ctx)
    secret = shows_client_secret(ctx)
    data = [setup_intent_object(si, client_secret=secret) for si in result.data]
    return json_response(list_object("/v1/setup_intents", data, result.has_more))


@router.get("/{si_id}", responses=ONE, summary="Retrieve a SetupIntent")
async def retrieve(si_id: str, c: GatewayDep, ctx: ContextDep) -> Response:
    si = await uc.retrieve_setup_intent(si_id, uow_factory=c.uow_factory, ctx=ctx)
    return _render(si, ctx)


@router.post(
    "/{si_id}/confirm",
    responses=ONE | CARD_ERRORS | GATEWAY_ERRORS,
    summary="Confirm: set the payment method up at the gateway",
)
async def confirm(
    si_id: str, c: GatewayDep, ctx: ContextDep, body: SetupIntentConfirm | None = None
) -> Response:
    body = body or SetupIntentConfirm()
    cmd = ConfirmSetupIntent(
        payment_method=body.payment_method,
        return_url=body.return_url,
        mandate_data=_mandate(body.mandate_data),
    )
    si = await uc.confirm_setup_intent(si_id, cmd, gateway=c.gateway, ctx=ctx, **services(c))
    return _render(si, ctx)


@router.post("/{si_id}/cancel", responses=ONE | GATEWAY_ERRORS, summary="Cancel a SetupIntent")
async def cancel(
    si_id: str, c: GatewayDep, ctx: ContextDep, body: SetupIntentCancel | None = None
) -> Response:
    reason = body.cancellation_reason if body else None
    si = await uc.cancel_setup_intent(si_id, reason, gateway=c.gateway, ctx=ctx, **services(c))
    return _render(si, ctx)
