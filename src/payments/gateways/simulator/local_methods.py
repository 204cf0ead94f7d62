"""The local methods (iDEAL, Bancontact, EPS, Przelewy24, BLIK, TWINT, Swish, Klarna) as
Stripe test mode runs them.

A confirmed payment waits for the customer (``requires_action``):

* redirect methods send the customer to the method's page
  (``{pages_url_base}/{type}/{reference}``; the service serves it, see
  :mod:`payments.web.simulator`), which needs a ``return_url`` to send them back to;
* BLIK waits for the customer to approve in their banking app (the page finds the
  payment by the 6-digit code they entered); unapproved after ``blik_approval_window``
  (Stripe: 60 seconds), it fails;
* Swish waits for the Swish app (the page is its hosted instructions, with a QR code).

On the page (or with :meth:`SimulatorGateway.authorize_payment`) the customer authorizes
or fails the payment. Authorized, it is ``processing`` and succeeds
``local_settlement_delay`` later (Klarna with ``capture_method=manual``: authorized,
``requires_capture``, at once); failed, it is ``failed`` at once. Each change is an event
of the gateway's feed, which is how the service learns of it, as from Stripe's webhooks.

The rules of each method (currencies, manual capture, return_url) are the service's table
in :mod:`payments.locations.domain.payment_methods`, written down from Stripe's pages.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from payments.gateways.protocol import ActionType, ChargeRequest, Decline, GatewayInvalidRequest
from payments.locations.domain.payment_methods import (
    LOCAL_METHODS,
    CustomerAction,
    LocalMethod,
    currency_refusal,
)

from .settings import SimulatorSettings

BLIK_CODE = re.compile(r"^[0-9]{6}$")

#: Why a local payment failed (Stripe's error codes for a failed authorization).
DECLINES: dict[str, Decline] = {
    "failed": Decline(
        code="payment_intent_authentication_failure",
        message="The customer did not authorize the payment.",
    ),
    "expired": Decline(
        code="payment_intent_authentication_failure",
        message="The customer did not approve the BLIK payment in time.",
    ),
}


def is_local(kind: str) -> bool:
    return kind in LOCAL_METHODS


_ACTIONS: dict[CustomerAction, ActionType] = {
    CustomerAction.REDIRECT: "redirect_to_url",
    CustomerAction.BLIK_CODE: "blik_authorize",
    CustomerAction.SWISH_APP: "swish_handle_redirect_or_display_qr_code",
}


def action_type(kind: str) -> ActionType:
    method = LOCAL_METHODS.get(kind)
    return _ACTIONS[method.action] if method else "redirect_to_url"  # cards: 3-D Secure


def page_url(kind: str, reference: str, settings: SimulatorSettings) -> str:
    return f"{settings.pages_url_base.rstrip('/')}/{kind}/{reference}"


def initial_values(
    kind: str,
    request: ChargeRequest,
    currency: str,
    reference: str,
    now: datetime,
    settings: SimulatorSettings,
) -> dict[str, Any]:
    """A new attempt with a local method: checked as Stripe checks a confirm, then waiting
    for the customer."""
    method = LOCAL_METHODS[kind]
    _check(method, request, currency)
    values: dict[str, Any] = {"status": "requires_action"}
    if method.type == "blik":
        values["settle_at"] = now + settings.blik_approval_window
        values["settle_outcome"] = "expired"
    else:
        values["redirect_url"] = page_url(kind, reference, settings)
    return values


def _check(method: LocalMethod, request: ChargeRequest, currency: str) -> None:
    if currency not in method.currencies:
        raise GatewayInvalidRequest(
            currency_refusal(method, currency),
            code="payment_intent_invalid_parameter",
            param="currency",
        )
    if request.capture_method == "manual" and not method.manual_capture:
        raise GatewayInvalidRequest(
            f"capture_method=manual is not supported for {method.type} payments.",
            code="payment_intent_invalid_parameter",
            param="capture_method",
        )
    if request.off_session:
        raise GatewayInvalidRequest(
            f"{method.type} payments need the customer: they cannot be off_session.",
            code="payment_intent_invalid_parameter",
            param="off_session",
        )
    if method.needs_return_url and not request.return_url:
        raise GatewayInvalidRequest(
            f"A return_url is required to confirm a {method.type} payment: the customer "
            "is redirected to authorize it and comes back there.",
            code="parameter_missing",
            param="return_url",
        )
    if method.type == "blik" and not BLIK_CODE.match(request.blik_code or ""):
        raise GatewayInvalidRequest(
            "A 6-digit BLIK code from the customer's banking app is required.",
            code="parameter_missing" if not request.blik_code else "parameter_invalid",
            param="payment_method_options[blik][code]",
        )
    if method.type != "blik" and request.blik_code:
        raise GatewayInvalidRequest(
            "A BLIK code is only for blik payments.",
            code="parameter_unknown",
            param="payment_method_options[blik][code]",
        )


def authorized(row: Any, now: datetime, settings: SimulatorSettings) -> dict[str, Any]:
    """The customer authorized: processing until it settles (held, for a manual capture)."""
    if row.capture_method == "manual":
        return {
            "status": "requires_capture",
            "amount_capturable": row.amount,
            "redirect_url": None,
            "settle_at": None,
            "settle_outcome": None,
        }
    return {
        "status": "processing",
        "redirect_url": None,
        "settle_at": now + settings.local_settlement_delay,
        "settle_outcome": "succeeded",
    }
