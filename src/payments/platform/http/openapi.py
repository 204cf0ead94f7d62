"""The OpenAPI document: Stripe's error shape on every status an operation can answer,
the bearer scheme (Swagger's "Authorize" works), the ``Idempotency-Key`` and
``Stripe-Version`` headers, no FastAPI 422 (validation errors are Stripe's 400).

Routes declare what only some of them answer (``CARD_ERRORS`` for 402 declines,
``GATEWAY_ERRORS`` for 502); :func:`finish_openapi` adds what every ``/v1`` operation
can answer (400, 401, 403, 404, 429; and 409, 413 for POST and DELETE).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from payments.platform.http.version import API_VERSION


class ErrorDetail(BaseModel):
    type: Literal[
        "api_error",
        "authentication_error",
        "card_error",
        "idempotency_error",
        "invalid_request_error",
        "rate_limit_error",
    ]
    code: str | None = Field(description="See the error code reference.")
    message: str
    param: str | None = Field(
        description="The parameter at fault, in bracket notation (`metadata[order]`)."
    )
    request_id: str | None = None
    decline_code: str | None = Field(None, description="Card errors: the issuer's reason.")
    payment_intent: dict[str, Any] | None = Field(
        None, description="Card errors: the PaymentIntent as it stands after the decline."
    )


class ErrorResponse(BaseModel):
    """Stripe's error shape."""

    error: ErrorDetail


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


Responses = dict[int | str, dict[str, Any]]
"""FastAPI's ``responses=`` argument: extra OpenAPI responses by status code."""

CARD_ERRORS: Responses = {402: _error("The card was declined (`card_error`, with `decline_code`).")}
GATEWAY_ERRORS: Responses = {
    502: _error("The gateway could not be reached and nothing happened; retry.")
}

_COMMON = {
    "400": "Invalid request: a parameter is missing, unknown or invalid (`param` names it).",
    "401": "No API key, or an unknown or revoked one.",
    "403": "The key's role (or shop restriction) does not allow this request.",
    "404": "No such object, or it belongs to another shop.",
    "429": "Too many requests for this key; retry after `Retry-After` seconds.",
}
_WRITES = {
    "409": "Another request with this Idempotency-Key is in progress, or a lock timed out.",
    "413": "The request body is larger than the limit.",
}
_ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Makes a retry safe: the first response is replayed for 24 hours "
        "(`Idempotent-Replayed: true`); the same key with other parameters is a 400 "
        "`idempotency_error`."
    ),
    "schema": {"type": "string", "maxLength": 255},
}
STRIPE_VERSION = {
    "name": "Stripe-Version",
    "in": "header",
    "required": False,
    "description": (
        f"Accepted (any date, as Stripe's SDKs send it) and echoed; this API has one "
        f"version, {API_VERSION}, whatever is sent."
    ),
    "schema": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}(\.[A-Za-z0-9_-]{1,40})?$"},
}


def operation_id(route: APIRoute) -> str:
    """``payment_intents_create``: tag and function name (stable names for generated clients)."""
    tag = str(route.tags[0]) if route.tags else "other"
    return f"{tag}_{route.name}"


def finish_openapi(spec: dict[str, Any]) -> dict[str, Any]:
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    components["securitySchemes"] = {
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key: `Authorization: Bearer sk_test_...`.",
        }
    }
    spec["security"] = [{"bearerAuth": []}]
    for path, operations in spec.get("paths", {}).items():
        for method, op in operations.items():
            responses = op.setdefault("responses", {})
            responses.pop("422", None)
            if not path.startswith("/v1/"):
                op["security"] = []
                continue
            wanted = dict(_COMMON)
            parameters = op.setdefault("parameters", [])
            if method in ("post", "delete"):
                wanted |= _WRITES
                parameters.append(dict(IDEMPOTENCY_KEY))
            parameters.append(dict(STRIPE_VERSION))
            for status, description in wanted.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": _ERROR_REF}},
                    },
                )
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return spec
