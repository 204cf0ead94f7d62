"""The service's error hierarchy. Services raise these; the HTTP layer maps them.

Every error carries a Stripe-style ``code`` (e.g. ``resource_missing``), an
optional ``param`` naming the offending request parameter, and a message a
developer can act on. ``payments.api.errors`` holds the ONE table that maps
each class to an HTTP status and a Stripe error ``type``::

    PaymentsError
     ├── InvalidRequest          400 invalid_request_error
     │    ├── IdempotencyError   400 idempotency_error (key reused with other params)
     │    └── StateConflict      400 invalid_request_error (e.g. payment_intent_unexpected_state)
     ├── CardError               402 card_error (declines, with decline_code)
     ├── AuthenticationFailed    401 authentication_error
     ├── PermissionDenied        403 invalid_request_error / permission_error
     ├── NotFound                404 invalid_request_error resource_missing
     ├── Conflict                409 invalid_request_error (lock_timeout, idempotency_key_in_use)
     ├── RateLimited             429 rate_limit_error
     └── GatewayUnavailable      502 api_error (gateway down; safe to retry)
"""

from __future__ import annotations


class PaymentsError(Exception):
    default_code = "error"

    def __init__(self, message: str, *, code: str | None = None, param: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.param = param


class InvalidRequest(PaymentsError):
    default_code = "parameter_invalid"


class IdempotencyError(InvalidRequest):
    default_code = "idempotency_key_reused"


class StateConflict(InvalidRequest):
    default_code = "unexpected_state"


class CardError(PaymentsError):
    default_code = "card_declined"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        decline_code: str | None = None,
    ):
        super().__init__(message, code=code, param=param)
        self.decline_code = decline_code


class AuthenticationFailed(PaymentsError):
    default_code = "invalid_api_key"


class PermissionDenied(PaymentsError):
    default_code = "permission_denied"


class NotFound(PaymentsError):
    default_code = "resource_missing"

    @classmethod
    def of(cls, object_name: str, object_id: str, *, param: str = "id") -> NotFound:
        return cls(f"No such {object_name}: '{object_id}'", param=param)


class Conflict(PaymentsError):
    default_code = "conflict"


class RateLimited(PaymentsError):
    default_code = "rate_limit"


class GatewayUnavailable(PaymentsError):
    default_code = "gateway_unavailable"
