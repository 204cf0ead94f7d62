"""Translating gateway exceptions at the edge of a use case."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from payments.gateways.protocol import (
    GatewayInvalidRequest,
    GatewayNotSent,
    GatewayOutcomeUnknown,
)
from payments.kernel.errors import GatewayUnavailable, InvalidRequest

T = TypeVar("T")


async def gateway_call(call: Awaitable[T]) -> T:
    """Await a gateway call that moves no money (tokenizing, retrieving): when it fails
    in transport it is a 502 the client may simply retry."""
    try:
        return await call
    except (GatewayNotSent, GatewayOutcomeUnknown):
        raise GatewayUnavailable(
            "The payment gateway could not be reached; nothing happened. Retry the request.",
            code="gateway_unavailable",
        ) from None


async def gateway_call_refusable(call: Awaitable[T]) -> T:
    """Like :func:`gateway_call`, and a refusal by the gateway (the request did nothing)
    is the client's 400, never a 500."""
    try:
        return await gateway_call(call)
    except GatewayInvalidRequest as exc:
        raise InvalidRequest(exc.message, code=exc.code, param=exc.param) from None
