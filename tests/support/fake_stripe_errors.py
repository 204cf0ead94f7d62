"""Stripe's error responses, as the fake Stripe raises them."""

from __future__ import annotations

from typing import Any

from . import fake_stripe_objects as o

Obj = dict[str, Any]


class ApiError(Exception):
    def __init__(self, status: int, body: Obj) -> None:
        super().__init__(body["error"].get("message"))
        self.status, self.body = status, body


def invalid(message: str, *, code: str | None = None, param: str | None = None) -> ApiError:
    return ApiError(400, o.error_body("invalid_request_error", message, code=code, param=param))


def missing(kind: str, ident: str, param: str) -> ApiError:
    body = o.error_body(
        "invalid_request_error", f"No such {kind}: '{ident}'", code="resource_missing", param=param
    )
    return ApiError(404, body)


def unexpected_state(pi: Obj, action: str) -> ApiError:
    return invalid(
        f"This PaymentIntent could not be {action} because it has a status of {pi['status']}.",
        code="payment_intent_unexpected_state",
    )
