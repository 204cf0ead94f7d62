"""Stripe SDK errors -> the gateway port's exception hierarchy.

========================================  =========================================
Stripe (after the SDK's own retries)      gateway port
========================================  =========================================
``CardError`` (402) on charge / capture   not raised: a ``failed`` ChargeResult built
                                          from ``error.payment_intent`` (declines are
                                          data); elsewhere ``GatewayInvalidRequest``
                                          with ``error_type="card_error"``
``IdempotencyError``                      ``IdempotencyKeyReused``
``InvalidRequestError`` resource_missing  ``ResourceMissing``
``InvalidRequestError`` (400/404) other   ``GatewayInvalidRequest`` (code, param)
``AuthenticationError`` (401)             ``GatewayInvalidRequest`` code and error_type
                                          ``authentication_error`` (a configuration
                                          error: fix the key, do not retry)
``PermissionError`` (403)                 ``GatewayInvalidRequest`` error_type
                                          ``permission_error`` (restricted key scope)
``RateLimitError`` (429)                  ``GatewayNotSent`` when every attempt was a
                                          429 or never connected (Stripe executes
                                          nothing on a 429), else
                                          ``GatewayOutcomeUnknown``
``APIConnectionError``                    ``GatewayNotSent`` when no attempt ever
                                          connected (connect error / timeout), else
                                          ``GatewayOutcomeUnknown`` (read timeout,
                                          reset, lost response)
``APIError`` (500, 5xx, 409)              ``GatewayOutcomeUnknown``: Stripe may have
                                          executed it (a 500 is even replayed for the
                                          same key); retrieve to settle
any other ``StripeError``                 ``GatewayOutcomeUnknown``
========================================  =========================================

Adapter-only exceptions::

    PanNotAllowed
     └── RawCardDataRefused      raw card numbers are never sent to Stripe (PCI)
    Exception
     └── WebhookSignatureInvalid a webhook payload failed signature verification
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import stripe

from payments.gateways.protocol import (
    GatewayError,
    GatewayInvalidRequest,
    GatewayNotSent,
    GatewayOutcomeUnknown,
    IdempotencyKeyReused,
    PanNotAllowed,
    ResourceMissing,
)

from .client import NOT_SENT, Attempt

_NO_SUCH = re.compile(r"No such (\w+): '?([^'\s]+)'?")


class RawCardDataRefused(PanNotAllowed):
    """Card numbers never leave the browser: collect them with Stripe.js (PCI DSS SAQ A)."""

    def __init__(self) -> None:
        GatewayInvalidRequest.__init__(
            self,
            "Card numbers are never sent to Stripe by this service: collect cards with "
            "Stripe.js / the Payment Element and pass the PaymentMethod id "
            "(or a test id such as pm_card_visa).",
            code="pan_not_allowed",
            param="number",
        )


class WebhookSignatureInvalid(Exception):
    """A webhook payload whose ``Stripe-Signature`` does not verify (or is too old)."""


def provably_unprocessed(attempts: Sequence[Attempt]) -> bool:
    """True when no attempt can have been executed by Stripe (never connected, or 429)."""
    return bool(attempts) and all(a == NOT_SENT or a == 429 for a in attempts)


def map_error(
    exc: stripe.StripeError, attempts: Sequence[Attempt], *, idempotency_key: str | None = None
) -> GatewayError:
    """The gateway exception for a Stripe error (see the table in the module docstring)."""
    message = exc.user_message or str(exc) or type(exc).__name__
    code = exc.code
    if isinstance(exc, stripe.IdempotencyError):
        return IdempotencyKeyReused(idempotency_key or "?")
    if isinstance(exc, stripe.InvalidRequestError):
        if code == "resource_missing":
            found = _NO_SUCH.search(message)
            kind, ident = found.groups() if found else ("object", "?")
            return ResourceMissing(kind, ident, param=exc.param)
        return GatewayInvalidRequest(message, code=code or "invalid_request_error", param=exc.param)
    if isinstance(exc, stripe.CardError):
        return GatewayInvalidRequest(
            message, code=code or "card_declined", param=exc.param, error_type="card_error"
        )
    if isinstance(exc, stripe.AuthenticationError):
        return GatewayInvalidRequest(
            message, code="authentication_error", error_type="authentication_error"
        )
    if isinstance(exc, stripe.PermissionError):
        return GatewayInvalidRequest(
            message, code=code or "permission_error", error_type="permission_error"
        )
    if isinstance(exc, (stripe.RateLimitError, stripe.APIConnectionError)):
        if provably_unprocessed(attempts):
            return GatewayNotSent(f"not processed by Stripe: {message}")
        return GatewayOutcomeUnknown(f"Stripe may have processed the request: {message}")
    status = exc.http_status
    return GatewayOutcomeUnknown(f"Stripe answered {status or 'an error'}: {message}")
