"""The service's error hierarchy. Services raise these; the HTTP layer maps them.

Every error carries a Stripe-style ``code`` (e.g. ``resource_missing``), an
optional ``param`` naming the offending request parameter, and a message a
developer can act on. ``payments.platform.http.errors`` holds the ONE table that maps
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

    RuntimeError
     └── InvariantViolation      stored data breaks an invariant (a record another one
                                 refers to is missing): a bug, never the client's fault;
                                 not a PaymentsError, so the client gets a logged 500
                                 internal_error and no details
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


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
    """A decline. As at Stripe, the error may carry the object it happened to (the
    PaymentIntent, rendered), which the client gets inside the error body."""

    default_code = "card_declined"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        decline_code: str | None = None,
        payment_intent: dict[str, Any] | None = None,
    ):
        super().__init__(message, code=code, param=param)
        self.decline_code = decline_code
        #: Stripe puts the declined PaymentIntent (rendered) inside the error body.
        self.payment_intent = payment_intent


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


class InvariantViolation(RuntimeError):
    """Stored data breaks one of the service's invariants (see the module docstring)."""


def must_exist(found: T | None, object_name: str, object_id: str) -> T:
    """``found``, which another record refers to; raises :class:`InvariantViolation` if
    it is missing (an id the client sent is checked with :meth:`NotFound.of` instead)."""
    if found is None:
        raise InvariantViolation(f"{object_name} {object_id!r} is referred to but missing")
    return found


#: Every ``code`` the service itself answers with, and what it means. The error
#: reference page is generated from this; a test keeps it complete. Card decline
#: codes passed through from the gateway are listed in the payment-method docs.
ERROR_CODES: dict[str, str] = {
    "account_locked": "Dashboard sign-in: too many wrong passwords or codes; the user is locked for a while.",
    "already_revoked": "The API key is already revoked.",
    "api_version_invalid": "The Stripe-Version header is not a date such as 2026-12-01.",
    "amount_too_large": "The amount is above the maximum (or above what is capturable/refundable).",
    "amount_too_small": "The amount is below the currency's minimum charge amount.",
    "api_key_missing": "No API key was sent; use `Authorization: Bearer sk_...`.",
    "card_declined": "The card was declined; see `decline_code`.",
    "charge_already_refunded": "The payment has already been refunded in full.",
    "charge_disputed": "The payment is disputed and cannot be refunded until the dispute ends.",
    "charge_not_refundable": "The payment has no captured money to refund (uncaptured or failed).",
    "country_invalid": "Not an ISO 3166-1 alpha-2 country code.",
    "currency_invalid": "Not a current ISO 4217 currency code.",
    "currency_mismatch": "The currency given is not the payment's currency.",
    "currency_not_accepted": "The shop does not accept this currency (see its `currencies`).",
    "dispute_invalid_parameter": "A dispute parameter (e.g. an evidence field) is invalid.",
    "dispute_unexpected_state": "The dispute's status does not allow this (e.g. evidence after submission).",
    "gateway_unavailable": "The gateway could not be reached and nothing happened; retry.",
    "iban_not_allowed": "A valid IBAN that is not a published test IBAN was sent (test mode).",
    "idempotency_error": "The Idempotency-Key was used before with different parameters.",
    "idempotency_key_in_use": "Another request with this Idempotency-Key is in progress.",
    "idempotency_key_invalid": "The Idempotency-Key is empty or longer than 255 characters.",
    "insufficient_permissions": (
        "The API key's role does not allow this request, or the key is restricted to one "
        "location and the request is company-wide (the ledger)."
    ),
    "invoice_customer_incomplete": (
        "The invoice's customer lacks what an invoice must name (name, postal address) or "
        "an e-mail address to send it to."
    ),
    "invoice_no_line_items": "An invoice without lines cannot be finalized.",
    "invoice_payment_in_progress": "A payment of the invoice is in progress at the gateway.",
    "invoice_unexpected_state": (
        "The invoice's status does not allow this (a finalized invoice is never edited: "
        "issue a credit note)."
    ),
    "credit_note_unexpected_state": (
        "The credit note's status does not allow this (e.g. voiding one that was refunded)."
    ),
    "location_without_legal_entity": "The shop has no legal entity to issue its invoices.",
    "internal_error": "An unexpected error; it was logged with the request id.",
    "invalid_api_key": "The API key is unknown or revoked.",
    "invalid_iban": "The IBAN is not valid.",
    "invalid_form": "The form-encoded body cannot be read (encoding, conflicting names), or it is multipart.",
    "invalid_json": "The request body is not valid JSON.",
    "locale_invalid": "Not a known locale tag.",
    "method_not_allowed": "The HTTP method is not allowed on this path.",
    "no_matching_webhook_endpoint": "No enabled webhook endpoint is subscribed to the event.",
    "pan_not_allowed": "A raw card number that is not a published test number was sent.",
    "parameter_invalid": "A parameter has an invalid value; see `param`.",
    "parameter_invalid_integer": "An amount must be a positive integer of minor units.",
    "parameter_missing": "A required parameter is missing; see `param`.",
    "parameter_unknown": "An unknown parameter was sent; see `param`.",
    "payment_intent_incompatible_payment_method": (
        "The payment method's type or currency does not fit the PaymentIntent."
    ),
    "payment_intent_invalid_parameter": "A PaymentIntent parameter is invalid.",
    "payment_intent_unexpected_state": "The PaymentIntent's status does not allow this.",
    "payment_method_customer_mismatch": "The payment method belongs to another customer.",
    "payment_method_type_unavailable": "The shop does not offer this payment method type.",
    "payment_method_unexpected_state": "The payment method is not in a state that allows this.",
    "rate_limit": "Too many requests for this API key; retry after a second.",
    "refund_invalid_parameter": "A refund parameter is invalid (e.g. an unknown reason).",
    "refund_self_approval": "A refund must be approved by another key than the one that requested it.",
    "refund_unexpected_state": "The refund's status does not allow this (e.g. approving it twice).",
    "request_too_large": "The request body is larger than the limit (1 MiB by default).",
    "tax_behavior_mixed": "Inclusive and exclusive `tax_behavior` lines in one invoice; use one.",
    "tax_exemption_reason_missing": "An exempt line (`tax_category=exempt`) needs an `exemption_reason`.",
    "tax_id_invalid": "The tax id's format or checksum is wrong for its `type`.",
    "tax_rate_unknown": "No VAT rate for that country, `tax_category` and date.",
    "signature_invalid": "A Stripe webhook whose Stripe-Signature did not verify (or was stale).",
    "resource_missing": "No such object (or it belongs to another shop).",
    "test_helpers_unavailable": "Test helpers exist only with the simulator gateway.",
    "url_invalid": "The URL is not allowed: https to a public address (or an allow-listed host).",
    "webhook_endpoint_disabled": "The webhook endpoint is disabled; enable it first.",
    "sign_in_expired": "Dashboard sign-in: the time to enter the second factor ran out; sign in again.",
    "sign_in_failed": "Dashboard sign-in: wrong e-mail address, password or code (never says which).",
    "sign_in_throttled": "Dashboard sign-in: too many failures from this address; wait a few minutes.",
    "totp_code_invalid": "Dashboard: the authenticator code given to turn on two-step verification is wrong.",
    "file_invalid": "The uploaded file is empty or not a PDF, PNG or JPEG.",
    "file_too_large": "The uploaded file is larger than 5 MB.",
}
