"""``POST /webhooks/stripe``: Stripe's events in, verified, stored once, answered fast.

The signature is verified with the official SDK (``Stripe-Signature``, tolerance
300 s) before anything is stored; a bad or stale signature is a 400 and a log line
without the payload. A verified event is stored by its Stripe event id (a
duplicate is acknowledged and ignored) and applied by the worker job
``process_gateway_events``, which re-fetches the object and never moves it
backwards, so delivery order does not matter.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import Response

from payments.gateway_events.service import record_gateway_event
from payments.gateways.runtime import GatewayDep
from payments.gateways.stripe.errors import WebhookSignatureInvalid
from payments.platform.http.errors import error_response
from payments.platform.http.openapi import ErrorResponse
from payments.platform.http.responses import json_response
from payments.platform.logs import get_logger

router = APIRouter(tags=["webhooks"])
log = get_logger("payments.webhooks.stripe")

MAX_WEBHOOK_BYTES = 512 * 1024


class Received(BaseModel):
    received: bool
    handled: bool
    duplicate: bool | None = None


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


@router.post(
    "/webhooks/stripe",
    responses={
        200: {"model": Received},
        400: _error("The Stripe-Signature header did not verify."),
        404: _error("The service does not run on Stripe."),
        413: _error("The payload is too large."),
    },
    summary="Receive Stripe events (signed)",
)
async def receive(request: Request, c: GatewayDep) -> Response:
    gateway = c.gateway
    receive_event = getattr(gateway, "event_from_webhook", None)
    if gateway.name != "stripe" or receive_event is None:
        return error_response(
            404,
            "invalid_request_error",
            "resource_missing",
            "Stripe webhooks are only received with PAYMENTS_GATEWAY=stripe.",
        )
    declared = request.headers.get("content-length", "")
    too_big = declared.isdigit() and int(declared) > MAX_WEBHOOK_BYTES
    body = b"" if too_big else await request.body()
    if too_big or len(body) > MAX_WEBHOOK_BYTES:
        return error_response(
            413, "invalid_request_error", "request_too_large", "Webhook payload too large."
        )
    try:
        event = receive_event(body, request.headers.get("stripe-signature"))
    except WebhookSignatureInvalid as exc:
        log.warning(
            "stripe_webhook_rejected",
            reason=str(exc)[:200],
            ip=request.client.host if request.client else None,
        )
        return error_response(
            400,
            "invalid_request_error",
            "signature_invalid",
            "The Stripe-Signature header did not verify.",
        )
    if event is None:
        return json_response({"received": True, "handled": False})
    new = await record_gateway_event(
        event, uow_factory=c.uow_factory, gateway=gateway.name, clock=c.clock
    )
    log.info("stripe_webhook_received", event_id=event.id, type=event.type, duplicate=not new)
    return json_response({"received": True, "handled": True, "duplicate": not new})
