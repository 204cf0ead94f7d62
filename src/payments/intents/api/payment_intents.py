from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query
from starlette.responses import Response

from payments.gateways.runtime import GatewayDep
from payments.intents.api.expand import (
    expanded_list_response,
    expanded_response,
    render_payment_intent,
)
from payments.intents.api.payment_methods import payment_method_command
from payments.intents.domain.commands import (
    CancelPaymentIntent,
    CapturePaymentIntent,
    ConfirmPaymentIntent,
    CreatePaymentIntent,
    CreatePaymentMethod,
    IncrementAuthorization,
    ListPaymentIntents,
    PaymentMethodOptions,
    UpdatePaymentIntent,
)
from payments.intents.domain.payment_intent import (
    CancellationReason,
    CaptureMethod,
    PaymentIntentStatus,
)
from payments.intents.schemas import (
    PaymentIntentCancel,
    PaymentIntentCapture,
    PaymentIntentConfirm,
    PaymentIntentCreate,
    PaymentIntentIncrementAuthorization,
    PaymentIntentList,
    PaymentIntentOut,
    PaymentIntentUpdate,
    PaymentMethodCreate,
    PaymentMethodOptionsIn,
)
from payments.intents.service import flow
from payments.intents.service import payment_intents as uc
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest
from payments.kernel.unset import Unset
from payments.platform.http.deps import ContextDep, PageDep, services
from payments.platform.http.openapi import CARD_ERRORS, GATEWAY_ERRORS, Responses
from payments.platform.http.params import CreatedRange, LocationFilter, expandable
from payments.platform.http.responses import json_response

router = APIRouter(prefix="/v1/payment_intents", tags=["payment_intents"])

EXPANDABLE = ("latest_charge", "customer", "payment_method", "invoice")
Expand = Annotated[tuple[str, ...], Depends(expandable(*EXPANDABLE))]
ExpandList = Annotated[tuple[str, ...], Depends(expandable(*EXPANDABLE, lists=True))]
ONE: Responses = {200: {"model": PaymentIntentOut}}


def _method_data(body: PaymentMethodCreate | None) -> CreatePaymentMethod | None:
    return payment_method_command(body) if body is not None else None


def _options(
    options: PaymentMethodOptionsIn | None, data: PaymentMethodCreate | None
) -> PaymentMethodOptions:
    """BLIK's code, from ``payment_method_options[blik][code]`` (Stripe's place) or, as a
    convenience, ``payment_method_data[blik][code]``."""
    code = options.blik.code if options is not None and options.blik is not None else None
    inline = data.blik.code if data is not None and data.blik is not None else None
    if code is not None and inline is not None and code != inline:
        raise InvalidRequest(
            "Two different BLIK codes were given; pass payment_method_options[blik][code] only.",
            code="parameter_invalid",
            param="payment_method_data[blik][code]",
        )
    return PaymentMethodOptions(blik_code=code or inline)


def _create(body: PaymentIntentCreate) -> CreatePaymentIntent:
    return CreatePaymentIntent(
        amount=body.amount,
        currency=body.currency,
        location=body.location,
        customer=body.customer,
        payment_method=body.payment_method,
        payment_method_data=_method_data(body.payment_method_data),
        payment_method_options=_options(body.payment_method_options, body.payment_method_data),
        payment_method_types=tuple(body.payment_method_types or ()),
        capture_method=CaptureMethod(body.capture_method),
        setup_future_usage=body.setup_future_usage,
        return_url=body.return_url,
        description=body.description,
        receipt_email=body.receipt_email,
        metadata=body.metadata,
        off_session=body.off_session,
        invoice=body.invoice,
        radar_session=body.radar_options.session if body.radar_options else None,
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
        metadata=body.given("metadata"),
    )


CREATE_EXAMPLES = {
    "pay_now": {
        "summary": "Pay 49.99 EUR at once with a test card",
        "value": {
            "amount": 4999,
            "currency": "eur",
            "location": "loc_01JD8ZQ0V8Y3J6T4W9B2C5D7FG",
            "payment_method": "pm_card_visa",
            "confirm": True,
        },
    },
    "authorize": {
        "summary": "Authorize 200.00 EUR at drop-off, capture at pickup",
        "value": {
            "amount": 20000,
            "location": "loc_01JD8ZQ0V8Y3J6T4W9B2C5D7FG",
            "capture_method": "manual",
            "payment_method": "pm_card_mastercard",
            "confirm": True,
            "metadata": {"repair_order": "R-1001"},
        },
    },
}


def _render(pi: object, ctx: RequestContext) -> Response:
    return json_response(render_payment_intent(ctx)(pi))


@router.post(
    "",
    responses=ONE | CARD_ERRORS | GATEWAY_ERRORS,
    summary="Create a PaymentIntent (optionally confirm it at once)",
    description=(
        "What the customer owes, at one shop (`location`; a key restricted to a shop "
        "defaults to its own). With `confirm=true` the first attempt is made at once: a "
        "decline answers `402 card_error` and the intent waits for another method."
    ),
)
async def create(
    body: Annotated[PaymentIntentCreate, Body(openapi_examples=CREATE_EXAMPLES)],
    c: GatewayDep,
    ctx: ContextDep,
) -> Response:
    cmd = _create(body)
    if body.confirm:  # one transaction for the intent and its first attempt
        pi = await flow.create_and_confirm_payment_intent(
            cmd, gateway=c.gateway, ctx=ctx, max_amount=c.settings.max_amount, **services(c)
        )
    else:
        pi = await uc.create_payment_intent(
            cmd, gateway=c.gateway, ctx=ctx, max_amount=c.settings.max_amount, **services(c)
        )
    return _render(pi, ctx)


@router.get(
    "",
    responses={200: {"model": PaymentIntentList}},
    summary="List PaymentIntents (newest first)",
)
async def list_all(
    c: GatewayDep,
    ctx: ContextDep,
    page: PageDep,
    created: CreatedRange,
    expand: ExpandList,
    location: LocationFilter = None,
    customer: Annotated[str | None, Query(max_length=64)] = None,
    status: PaymentIntentStatus | None = None,
) -> Response:
    query = ListPaymentIntents(
        customer=customer,
        status=status.value if status else None,
        created=created,
        location=location,
    )
    result = await uc.list_payment_intents(query, page, uow_factory=c.uow_factory, ctx=ctx)
    return await expanded_list_response(
        "/v1/payment_intents",
        result,
        render_payment_intent(ctx),
        expand,
        uow_factory=c.uow_factory,
        ctx=ctx,
    )


@router.get("/{pi_id}", responses=ONE, summary="Retrieve a PaymentIntent")
async def retrieve(pi_id: str, c: GatewayDep, ctx: ContextDep, expand: Expand) -> Response:
    pi = await uc.retrieve_payment_intent(pi_id, uow_factory=c.uow_factory, ctx=ctx)
    obj = render_payment_intent(ctx)(pi)
    return await expanded_response(obj, expand, uow_factory=c.uow_factory, ctx=ctx)


@router.post("/{pi_id}", responses=ONE | GATEWAY_ERRORS, summary="Update a PaymentIntent")
async def update(pi_id: str, body: PaymentIntentUpdate, c: GatewayDep, ctx: ContextDep) -> Response:
    pi = await uc.update_payment_intent(
        pi_id,
        _update(body),
        gateway=c.gateway,
        ctx=ctx,
        max_amount=c.settings.max_amount,
        **services(c),
    )
    return _render(pi, ctx)


@router.post(
    "/{pi_id}/confirm",
    responses=ONE | CARD_ERRORS | GATEWAY_ERRORS,
    summary="Confirm: make an attempt at the gateway",
)
async def confirm(
    pi_id: str, c: GatewayDep, ctx: ContextDep, body: PaymentIntentConfirm | None = None
) -> Response:
    body = body or PaymentIntentConfirm()
    cmd = ConfirmPaymentIntent(
        payment_method=body.payment_method,
        payment_method_data=_method_data(body.payment_method_data),
        payment_method_options=_options(body.payment_method_options, body.payment_method_data),
        off_session=body.off_session,
        setup_future_usage=body.setup_future_usage,
        return_url=body.return_url,
        radar_session=body.radar_options.session if body.radar_options else None,
    )
    pi = await flow.confirm_payment_intent(pi_id, cmd, gateway=c.gateway, ctx=ctx, **services(c))
    return _render(pi, ctx)


@router.post(
    "/{pi_id}/capture",
    responses=ONE | GATEWAY_ERRORS,
    summary="Capture an authorization (full or partial)",
)
async def capture(
    pi_id: str, c: GatewayDep, ctx: ContextDep, body: PaymentIntentCapture | None = None
) -> Response:
    cmd = CapturePaymentIntent(amount_to_capture=body.amount_to_capture if body else None)
    pi = await flow.capture_payment_intent(pi_id, cmd, gateway=c.gateway, ctx=ctx, **services(c))
    return _render(pi, ctx)


@router.post(
    "/{pi_id}/increment_authorization",
    responses=ONE | CARD_ERRORS | GATEWAY_ERRORS,
    summary="Raise the amount held by an authorization (incremental authorization)",
    description=(
        "For a `requires_capture` PaymentIntent whose card supports it: `amount` is the new "
        "total to hold (a repair estimate grew). A decline answers `402 card_error` and "
        "the hold stays capturable as it was. In the simulator, `pm_card_visa_incremental` "
        "supports it and `pm_card_visa_incrementalDeclined` declines every increment."
    ),
)
async def increment_authorization(
    pi_id: str, body: PaymentIntentIncrementAuthorization, c: GatewayDep, ctx: ContextDep
) -> Response:
    pi = await flow.increment_authorization(
        pi_id,
        IncrementAuthorization(amount=body.amount),
        gateway=c.gateway,
        ctx=ctx,
        max_amount=c.settings.max_amount,
        **services(c),
    )
    return _render(pi, ctx)


@router.post(
    "/{pi_id}/cancel",
    responses=ONE | GATEWAY_ERRORS,
    summary="Cancel; any authorization is released",
)
async def cancel(
    pi_id: str, c: GatewayDep, ctx: ContextDep, body: PaymentIntentCancel | None = None
) -> Response:
    reason = body.cancellation_reason if body else None
    cmd = CancelPaymentIntent(cancellation_reason=CancellationReason(reason) if reason else None)
    pi = await flow.cancel_payment_intent(pi_id, cmd, gateway=c.gateway, ctx=ctx, **services(c))
    return _render(pi, ctx)
