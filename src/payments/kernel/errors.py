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
     ├── GatewayUnavailable      502 api_error (gateway down; safe to retry)
     └── ServiceUnavailable      503 api_error (a sibling service we need is down; retry)

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
        setup_intent: dict[str, Any] | None = None,
    ):
        super().__init__(message, code=code, param=param)
        self.decline_code = decline_code
        #: Stripe puts the declined PaymentIntent (rendered) inside the error body.
        self.payment_intent = payment_intent
        #: ... or the SetupIntent whose confirm was declined.
        self.setup_intent = setup_intent


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


class ServiceUnavailable(PaymentsError):
    """A sibling service (Inventory, Customer Base, Locations) did not answer and nothing
    was written: the request may be retried."""

    default_code = "service_unavailable"


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
    "reconciliation_in_progress": (
        "The reconciliation of that date is running elsewhere (another worker or command); "
        "try again when it has finished."
    ),
    "reconciliation_unsupported": (
        "The configured gateway does not report balance transactions and payouts."
    ),
    "customer_has_open_dispute": (
        "A GDPR erasure waits until the customer's open dispute is closed (its evidence may "
        "need their data)."
    ),
    "customer_has_unpaid_invoice": (
        "A GDPR erasure is refused while the customer has an unpaid invoice: collect, void or "
        "mark it uncollectible first."
    ),
    "customer_has_active_subscription": (
        "A GDPR erasure is refused while the customer has a live subscription: cancel it first."
    ),
    "review_closed": "The review is closed already (approved or canceled).",
    "early_fraud_warning_not_actionable": "The early fraud warning is not actionable (its charge "
    "was disputed or fully refunded already).",
    "rule_invalid": (
        "The fraud rule's predicate does not parse, names an unknown attribute or value list, "
        "or matches a list with an attribute of another kind; the message gives the column."
    ),
    "rule_matches_everything": "The fraud rule would match every payment: pass force=true.",
    "value_list_alias_taken": "Another value list has this alias.",
    "value_list_in_use": "A fraud rule uses this value list: change or delete the rule first.",
    "value_list_item_invalid": "The value does not fit the list's item_type.",
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
    "currency_not_supported": "A report's `reporting_currency` is not one the ECB publishes reference rates for.",
    "fx_refresh_disabled": "`payments fx refresh` has no URL: set `fx_refresh_url` (ECB's daily XML).",
    "period_too_long": "A synchronous report covers at most 400 days; start a report run instead.",
    "rate_unavailable": "No ECB reference rate for a date of the report (before the history, or more than 5 days after the latest known: refresh the rates).",
    "dispute_invalid_parameter": "A dispute parameter (e.g. an evidence field) is invalid.",
    "dispute_unexpected_state": "The dispute's status does not allow this (e.g. evidence after submission).",
    "external_id_in_use": "Another request is creating the customer linked to this external_id; "
    "retry (it then links to that customer).",
    "gateway_unavailable": "The gateway could not be reached and nothing happened; retry.",
    "bank_account_unknown": "The statement's account IBAN is no legal entity's account.",
    "bank_statement_currency_unknown": "A bank statement names a currency that is not a current ISO 4217 code.",
    "bank_statement_invalid": "The file is not well-formed camt XML valid against its ISO 20022 schema.",
    "bank_statement_unsupported": "The XML is not a supported camt.053 / camt.054 message.",
    "bank_transaction_unexpected_state": "Only an unmatched bank transaction can be matched or ignored.",
    "file_too_large": "The uploaded file is too large: a bank statement over "
    "`PAYMENTS_MAX_UPLOAD_BYTES`, a dispute evidence file over 5 MB.",
    "iban_not_allowed": "A valid IBAN that is not a published test IBAN was sent (test mode).",
    "idempotency_error": "The Idempotency-Key was used before with different parameters.",
    "idempotency_key_in_use": "Another request with this Idempotency-Key is in progress.",
    "idempotency_key_invalid": "The Idempotency-Key is empty or longer than 255 characters.",
    "insufficient_permissions": (
        "The API key's role does not allow this request, or the key is restricted to one "
        "location and the request is company-wide (the ledger)."
    ),
    "invoice_changed": "The invoice changed while this request was prepared (e.g. its "
    "currency while its lines were priced); send the request again.",
    "invoice_customer_incomplete": (
        "The invoice's customer lacks what an invoice must name (name, postal address) or "
        "an e-mail address to send it to."
    ),
    "invoice_no_line_items": "An invoice without lines cannot be finalized.",
    "invoice_payment_in_progress": "A payment of the invoice is in progress at the gateway.",
    "invoice_share_paid": "The payment plan share is paid; pay another share or the invoice.",
    "installment_in_progress": (
        "An installment is being charged; pay off the plan once it has settled."
    ),
    "installment_plan_exists": "The invoice has an installment plan already (cancel it first).",
    "installment_plan_mismatch": "The installments do not add up to what the invoice owes.",
    "installment_plan_unexpected_state": "The installment plan has nothing scheduled to pay off.",
    "payment_plan_exists": "The invoice has a payment plan already.",
    "payment_plan_mismatch": "The shares do not add up to what the invoice owes.",
    "invoice_unexpected_state": (
        "The invoice's status does not allow this (a finalized invoice is never edited: "
        "issue a credit note)."
    ),
    "credit_note_unexpected_state": (
        "The credit note's status does not allow this (e.g. voiding one that was refunded)."
    ),
    "location_without_legal_entity": "The shop has no legal entity to issue its invoices.",
    "location_inactive": "The shop is closed (`active: false`, e.g. gone from the Locations "
    "Service) and takes no new payments.",
    "locations_service_not_configured": "`payments locations sync` has no Locations Service "
    "to read: set `PAYMENTS_LOCATIONS_SERVICE_URL`.",
    "internal_error": "An unexpected error; it was logged with the request id.",
    "invalid_api_key": "The API key is unknown or revoked.",
    "invalid_iban": "The IBAN is not valid.",
    "invalid_form": "The form-encoded body cannot be read (encoding, conflicting names), or it is multipart.",
    "invalid_json": "The request body is not valid JSON.",
    "invalid_overlap": "An API key's roll overlap must be between 0 and 7 days.",
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
    "setup_intent_unexpected_state": (
        "The SetupIntent's status does not allow this (confirming a succeeded or canceled "
        "one, a confirm while one is in flight), or the gateway offers no SetupIntents."
    ),
    "link_unusable": ("The update-payment-method link has expired, or its subscription has ended."),
    "payment_method_customer_mismatch": "The payment method belongs to another customer.",
    "payment_method_type_unavailable": "The shop does not offer this payment method type.",
    "payment_method_unexpected_state": "The payment method is not in a state that allows this.",
    "rate_limit": "Too many requests for this API key; retry after a second.",
    "refund_invalid_parameter": "A refund parameter is invalid (e.g. an unknown reason).",
    "refund_self_approval": "A refund must be approved by another key than the one that requested it.",
    "refund_unexpected_state": "The refund's status does not allow this (e.g. approving it twice).",
    "request_too_large": "The request body is larger than the limit (1 MiB by default).",
    "request_timeout": "The request did not start to answer within the time limit "
    "(PAYMENTS_REQUEST_TIMEOUT_SECONDS) and was stopped: retry it with the same "
    "Idempotency-Key.",
    "resource_already_exists": "An object with this key exists already (e.g. a part's sku in "
    "that currency): update it instead.",
    "service_unavailable": "A sibling service (e.g. the Inventory Service) did not answer and "
    "nothing was written; retry.",
    "tax_behavior_mixed": "Inclusive and exclusive `tax_behavior` lines in one invoice; use one.",
    "tax_exemption_reason_missing": "An exempt line (`tax_category=exempt`) needs an `exemption_reason`.",
    "tax_id_invalid": "The tax id's format or checksum is wrong for its `type`.",
    "tax_rate_unknown": "No VAT rate for that country, `tax_category` and date.",
    "signature_invalid": "A Stripe webhook whose Stripe-Signature did not verify (or was stale).",
    "resource_missing": "No such object (or it belongs to another shop).",
    "test_helpers_unavailable": "Test helpers exist only with the simulator gateway.",
    "url_invalid": "The URL is not allowed: https to a public address (or an allow-listed host).",
    "webhook_endpoint_disabled": "The webhook endpoint is disabled; enable it first.",
    "charge_invalid_parameter": (
        "The charge cannot be used so: not a card-present charge (reader refunds, receipts), "
        "or one paying an invoice (refund it with POST /v1/refunds)."
    ),
    "intent_invalid_state": (
        "The PaymentIntent cannot go to a reader now (paid, canceled, or on another reader)."
    ),
    "terminal_reader_action_not_in_progress": (
        "The reader has no action in progress (nothing to cancel, no card awaited)."
    ),
    "terminal_reader_busy": "The reader is running another action; cancel_action or wait.",
    "terminal_reader_invalid_location_for_payment": (
        "The reader stands in another shop than the payment's."
    ),
    "terminal_reader_offline": "The reader is unreachable (off, or without network).",
    "terminal_unavailable": "The configured gateway drives no card readers.",
    "interval_mismatch": "A subscription's prices renew on one interval; this price does not.",
    "invoice_upcoming_none": "The subscription has ended: it has no next invoice.",
    "lookup_key_taken": "Another price already uses this lookup_key.",
    "parameter_invalid_timestamp": "The timestamp is not allowed here (e.g. a trial end in the past).",
    "price_immutable": "The price has been used by a subscription: its amount, interval and tax fields are frozen (create a new price).",
    "price_inactive": "The price is archived (active=false): it sells no new subscriptions.",
    "price_not_recurring": "A subscription needs recurring prices.",
    "subscription_unexpected_state": "The subscription's status does not allow this (e.g. changing an ended one).",
    "test_clock_advance_backwards": "A test clock only moves forward.",
    "test_clock_advancing": "The test clock is advancing already: wait until it is ready.",
    "test_clock_in_use": "The test clock has subscriptions: it cannot be deleted.",
    "sign_in_expired": "Dashboard sign-in: the time to enter the second factor ran out; sign in again.",
    "sign_in_failed": "Dashboard sign-in: wrong e-mail address, password or code (never says which).",
    "sign_in_throttled": "Dashboard sign-in: too many failures from this address; wait a few minutes.",
    "totp_code_invalid": "Dashboard: the authenticator code given to turn on two-step verification is wrong.",
    "file_invalid": "The uploaded file is empty or not a PDF, PNG or JPEG.",
}
