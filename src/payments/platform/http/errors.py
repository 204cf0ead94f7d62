"""Errors on the wire: Stripe's shape, one table from domain error to HTTP status.

Body: ``{"error": {"type", "code", "message", "param", "request_id"[, "decline_code"]}}``.
Validation errors are ``400 invalid_request_error`` (as Stripe), with ``param``
in Stripe's bracket notation (``address[country]``); nothing of pydantic's
internals (error URLs, input echoes, types) reaches the client.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from payments.kernel import errors as e
from payments.kernel.money import MoneyError

# domain error class -> (HTTP status, Stripe error type). First match wins (MRO order).
ERROR_TABLE: list[tuple[type[e.PaymentsError], int, str]] = [
    (e.IdempotencyError, 400, "idempotency_error"),
    (e.StateConflict, 400, "invalid_request_error"),
    (e.InvalidRequest, 400, "invalid_request_error"),
    (e.CardError, 402, "card_error"),
    (e.AuthenticationFailed, 401, "authentication_error"),
    (e.PermissionDenied, 403, "invalid_request_error"),
    (e.NotFound, 404, "invalid_request_error"),
    (e.Conflict, 409, "invalid_request_error"),
    (e.RateLimited, 429, "rate_limit_error"),
    (e.GatewayUnavailable, 502, "api_error"),
    (e.ServiceUnavailable, 503, "api_error"),
    (e.PaymentsError, 500, "api_error"),
]

# codes of errors for which no idempotent result is saved: the request did not execute
NOT_EXECUTED_CODES = {"parameter_missing", "parameter_unknown", "parameter_invalid", "invalid_json"}


def status_and_type(exc: e.PaymentsError) -> tuple[int, str]:
    for cls, status, err_type in ERROR_TABLE:
        if isinstance(exc, cls):
            return status, err_type
    return 500, "api_error"


def error_body(
    err_type: str,
    code: str | None,
    message: str,
    param: str | None = None,
    *,
    request_id: str | None = None,
    **extra: Any,
) -> bytes:
    error: dict[str, Any] = {"type": err_type, "code": code, "message": message, "param": param}
    if request_id:
        error["request_id"] = request_id
    error.update({k: v for k, v in extra.items() if v is not None})
    return orjson.dumps({"error": error})


def error_response(
    status: int,
    err_type: str,
    code: str | None,
    message: str,
    param: str | None = None,
    *,
    request_id: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    return Response(
        error_body(err_type, code, message, param, request_id=request_id, **extra),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def param_name(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    if not parts:
        return None
    return parts[0] + "".join(f"[{p}]" for p in parts[1:])


def _validation_error(exc: RequestValidationError) -> tuple[str, str, str | None]:
    err = exc.errors()[0]
    kind = err.get("type", "")
    param = param_name(tuple(err.get("loc", ())))
    if kind == "json_invalid":
        return "invalid_json", "Invalid JSON in the request body.", None
    if kind == "missing":
        if param is None:
            return "parameter_missing", "A JSON request body is required.", None
        return "parameter_missing", f"Missing required param: {param}.", param
    if kind == "extra_forbidden":
        return "parameter_unknown", f"Received unknown parameter: {param}", param
    if param is None:
        return (
            "parameter_invalid",
            "The request body must be an object of parameters (JSON, or form-encoded).",
            None,
        )
    if "input" in err and err["input"] in (None, ""):
        return (
            "parameter_invalid",
            f"You passed an empty value for '{param}'. We assume empty values are an attempt "
            f"to unset a parameter; however '{param}' cannot be unset. You should remove "
            f"'{param}' from your request or supply a non-empty value.",
            param,
        )
    message = str(err.get("msg", "Invalid value")).removeprefix("Value error, ")
    return "parameter_invalid", f"Invalid {param}: {message}", param


def _card_error_details(exc: e.PaymentsError) -> dict[str, Any]:
    """What a decline adds to the error body: its ``decline_code`` and the intent."""
    if not isinstance(exc, e.CardError):
        return {}
    if exc.setup_intent is not None:
        return {"decline_code": exc.decline_code, "setup_intent": exc.setup_intent}
    return {"decline_code": exc.decline_code, "payment_intent": exc.payment_intent}


def request_id_of(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(e.PaymentsError)
    async def _domain(request: Request, exc: e.PaymentsError) -> Response:
        status, err_type = status_and_type(exc)
        if isinstance(exc, e.GatewayUnavailable):  # raised only when no money moved
            request.state.idempotency_not_executed = True
        return error_response(
            status,
            err_type,
            exc.code,
            exc.message,
            exc.param,
            request_id=request_id_of(request),
            **_card_error_details(exc),
        )

    @app.exception_handler(MoneyError)
    async def _money(request: Request, exc: MoneyError) -> Response:
        code = getattr(exc, "code", None) or "parameter_invalid"
        param = "currency" if "urrency" in str(exc) else "amount"
        return error_response(
            400, "invalid_request_error", code, str(exc), param, request_id=request_id_of(request)
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        code, message, param = _validation_error(exc)
        request.state.idempotency_not_executed = True
        return error_response(
            400, "invalid_request_error", code, message, param, request_id=request_id_of(request)
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            message = f"Unrecognized request URL ({request.method}: {request.url.path})."
            code = "resource_missing"
        elif exc.status_code == 405:
            message = f"Method {request.method} is not allowed on {request.url.path}."
            code = "method_not_allowed"
        else:
            message, code = str(exc.detail), None
        return error_response(
            exc.status_code,
            "invalid_request_error",
            code,
            message,
            request_id=request_id_of(request),
            headers=getattr(exc, "headers", None),
        )
