"""PaymentIntent lifecycle: Stripe's statuses, one transition table, capture and cancel rules.

A PaymentIntent is what the customer owes; each try at the gateway is an
attempt with its own idempotency key and outcome (see DESIGN.md). This module
only decides how the intent's ``status`` moves. Its status changes on *events*
of two kinds, both looked up in the one table :data:`TRANSITIONS`:

* an :class:`Operation` somebody asks for (merchant, customer or our worker):
  the table says whether it is allowed in the current status and which status
  the intent has once the request is accepted, before the gateway answers;
* an :class:`Outcome` the gateway reported for an attempt (synchronous answer,
  webhook, or the recovery job asking the gateway later).

Lifecycle::

    requires_payment_method --attach_payment_method--> requires_confirmation
    requires_confirmation --confirm--> processing           (attempt in flight)
    processing --succeeded / async_succeeded------------> succeeded
               --authorized--------------------------------> requires_capture
               --declined / async_failed-----------------> requires_payment_method
               --action_required---------------------------> requires_action
               --pending / unknown-------------------------> processing
               --not_processed-----------------------------> requires_confirmation
                 (the gateway never got the attempt, or refused it before any effect)
    requires_action --action_completed--> processing
                    --action_failed-----> requires_payment_method
    requires_capture --capture--> requires_capture           (capture in flight)
                     --succeeded--> succeeded   --declined / unknown--> requires_capture
                     --expired--> canceled      (cancellation_reason "automatic")
    requires_payment_method | requires_confirmation | requires_action
        | requires_capture --cancel--> canceled
    succeeded, canceled: terminal

Deliberate differences from Stripe:

* ``cancel`` is refused in ``processing`` (Stripe allows it "in rare cases"):
  money may be moving and only the gateway's outcome may end the attempt.
* While a capture is in flight the intent stays ``requires_capture`` (Stripe's
  docs say ``processing``): a refused capture then leaves the authorization
  capturable, and outcomes from ``processing`` keep one meaning. The attempt
  record, not the status, says a capture is in flight; services must refuse
  ``cancel``/``capture`` while an attempt is unsettled.
* An outcome is applied once per attempt; a repeated webhook for a settled
  intent is refused here, so services deduplicate by attempt first.
* ``update`` means a change to amount, currency or capture method; metadata
  and description updates do not touch the status and are not governed here.

Errors extend the service hierarchy in :mod:`payments.kernel.errors`, so the
API's one error table maps them (all are ``invalid_request_error``)::

    PaymentsError                               (payments.kernel.errors)
     └── InvalidRequest
          ├── PaymentIntentError
          │    ├── InvalidCaptureAmount         parameter_invalid_integer / amount_too_large
          │    ├── InvalidCancellationReason    payment_intent_invalid_parameter
          │    ├── InvalidTransition *          payment_intent_unexpected_state
          │    └── CaptureNotAllowed *          payment_intent_unexpected_state
          └── StateConflict                     (* also subclasses of StateConflict)
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final, TypeAlias, assert_never

from payments.kernel.errors import InvalidRequest, StateConflict
from payments.kernel.money import Money


class PaymentIntentStatus(StrEnum):
    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    REQUIRES_CONFIRMATION = "requires_confirmation"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    REQUIRES_CAPTURE = "requires_capture"
    CANCELED = "canceled"
    SUCCEEDED = "succeeded"


class Operation(StrEnum):
    """What somebody asks of the intent."""

    ATTACH_PAYMENT_METHOD = "attach_payment_method"
    UPDATE = "update"
    CONFIRM = "confirm"
    CAPTURE = "capture"
    CANCEL = "cancel"


class Outcome(StrEnum):
    """What the gateway reported for an attempt. Values never collide with Operation's."""

    SUCCEEDED = "succeeded"  # paid: automatic capture, or a capture went through
    AUTHORIZED = "authorized"  # funds held, manual capture pending
    DECLINED = "declined"  # refused (decline code on the attempt); declines are data
    ACTION_REQUIRED = "action_required"  # e.g. 3-D Secure challenge
    PENDING = "pending"  # async method (SEPA debit, bank transfer) still settling
    ACTION_COMPLETED = "action_completed"  # customer finished the challenge
    ACTION_FAILED = "action_failed"  # challenge failed or abandoned
    ASYNC_SUCCEEDED = "async_succeeded"  # async method settled
    ASYNC_FAILED = "async_failed"  # async method failed (e.g. SEPA return)
    UNKNOWN = "unknown"  # may have reached the gateway; recovery job settles it
    EXPIRED = "expired"  # uncaptured authorization lapsed at the gateway
    # provably no effect: never sent, or refused as an invalid request; our own finding,
    # never a gateway's view of a charge (see payments.intents.service.attempts)
    NOT_PROCESSED = "not_processed"


Event: TypeAlias = Operation | Outcome


class CaptureMethod(StrEnum):
    AUTOMATIC = "automatic"
    AUTOMATIC_ASYNC = "automatic_async"
    MANUAL = "manual"


class CancellationReason(StrEnum):
    DUPLICATE = "duplicate"
    FRAUDULENT = "fraudulent"
    REQUESTED_BY_CUSTOMER = "requested_by_customer"
    ABANDONED = "abandoned"
    FAILED_INVOICE = "failed_invoice"
    VOID_INVOICE = "void_invoice"
    AUTOMATIC = "automatic"


#: Reasons a caller may give on ``cancel``; the others are set by the system.
MERCHANT_CANCELLATION_REASONS: Final = frozenset(
    {
        CancellationReason.DUPLICATE,
        CancellationReason.FRAUDULENT,
        CancellationReason.REQUESTED_BY_CUSTOMER,
        CancellationReason.ABANDONED,
    }
)

_S = PaymentIntentStatus
_Op = Operation
_Out = Outcome

#: The one transition table: (status, event) -> next status. Absent = forbidden.
TRANSITIONS: Final[Mapping[tuple[PaymentIntentStatus, Event], PaymentIntentStatus]] = (
    MappingProxyType(
        {
            # requires_payment_method: waiting for a payment method
            (_S.REQUIRES_PAYMENT_METHOD, _Op.ATTACH_PAYMENT_METHOD): _S.REQUIRES_CONFIRMATION,
            (_S.REQUIRES_PAYMENT_METHOD, _Op.UPDATE): _S.REQUIRES_PAYMENT_METHOD,
            (_S.REQUIRES_PAYMENT_METHOD, _Op.CANCEL): _S.CANCELED,
            # requires_confirmation: payment method attached, not confirmed yet
            (_S.REQUIRES_CONFIRMATION, _Op.ATTACH_PAYMENT_METHOD): _S.REQUIRES_CONFIRMATION,
            (_S.REQUIRES_CONFIRMATION, _Op.UPDATE): _S.REQUIRES_CONFIRMATION,
            (_S.REQUIRES_CONFIRMATION, _Op.CONFIRM): _S.PROCESSING,
            (_S.REQUIRES_CONFIRMATION, _Op.CANCEL): _S.CANCELED,
            # requires_action: the customer must authenticate; a change voids the challenge
            (_S.REQUIRES_ACTION, _Out.ACTION_COMPLETED): _S.PROCESSING,
            (_S.REQUIRES_ACTION, _Out.ACTION_FAILED): _S.REQUIRES_PAYMENT_METHOD,
            (_S.REQUIRES_ACTION, _Op.ATTACH_PAYMENT_METHOD): _S.REQUIRES_CONFIRMATION,
            (_S.REQUIRES_ACTION, _Op.UPDATE): _S.REQUIRES_CONFIRMATION,
            (_S.REQUIRES_ACTION, _Op.CANCEL): _S.CANCELED,
            # processing: an attempt is in flight or an async method is settling
            (_S.PROCESSING, _Out.SUCCEEDED): _S.SUCCEEDED,
            (_S.PROCESSING, _Out.AUTHORIZED): _S.REQUIRES_CAPTURE,
            (_S.PROCESSING, _Out.DECLINED): _S.REQUIRES_PAYMENT_METHOD,
            (_S.PROCESSING, _Out.ACTION_REQUIRED): _S.REQUIRES_ACTION,
            (_S.PROCESSING, _Out.PENDING): _S.PROCESSING,
            (_S.PROCESSING, _Out.UNKNOWN): _S.PROCESSING,
            (_S.PROCESSING, _Out.ASYNC_SUCCEEDED): _S.SUCCEEDED,
            (_S.PROCESSING, _Out.ASYNC_FAILED): _S.REQUIRES_PAYMENT_METHOD,
            # back to before the confirm: the payment method stays, confirm may be retried
            (_S.PROCESSING, _Out.NOT_PROCESSED): _S.REQUIRES_CONFIRMATION,
            # requires_capture: authorized, waiting for a (manual) capture
            (_S.REQUIRES_CAPTURE, _Op.CAPTURE): _S.REQUIRES_CAPTURE,
            (_S.REQUIRES_CAPTURE, _Out.SUCCEEDED): _S.SUCCEEDED,
            (_S.REQUIRES_CAPTURE, _Out.DECLINED): _S.REQUIRES_CAPTURE,
            (_S.REQUIRES_CAPTURE, _Out.UNKNOWN): _S.REQUIRES_CAPTURE,
            (_S.REQUIRES_CAPTURE, _Out.EXPIRED): _S.CANCELED,
            (_S.REQUIRES_CAPTURE, _Op.CANCEL): _S.CANCELED,
            # succeeded and canceled are terminal: no rows.
        }
    )
)


class PaymentIntentError(InvalidRequest):
    """Base class: a request the PaymentIntent rules refuse."""

    default_code = "payment_intent_invalid_parameter"


class InvalidTransition(PaymentIntentError, StateConflict):
    default_code = "payment_intent_unexpected_state"

    def __init__(self, status: PaymentIntentStatus, event: Event) -> None:
        super().__init__(_refusal_message(status, event))
        self.status = status
        self.event = event


class CaptureNotAllowed(PaymentIntentError, StateConflict):
    default_code = "payment_intent_unexpected_state"


class InvalidCaptureAmount(PaymentIntentError):
    pass


class InvalidCancellationReason(PaymentIntentError):
    pass


def next_status(status: PaymentIntentStatus, event: Event) -> PaymentIntentStatus | None:
    """The status after ``event``, or ``None`` if the table forbids it."""
    return TRANSITIONS.get((status, event))


def transition(status: PaymentIntentStatus, event: Event) -> PaymentIntentStatus:
    """The status after ``event``; raises :class:`InvalidTransition` if forbidden."""
    nxt = next_status(status, event)
    if nxt is None:
        raise InvalidTransition(status, event)
    return nxt


def allowed_events(status: PaymentIntentStatus) -> frozenset[Event]:
    return frozenset(event for (st, event) in TRANSITIONS if st == status)


def allowed_operations(status: PaymentIntentStatus) -> frozenset[Operation]:
    return frozenset(e for e in allowed_events(status) if isinstance(e, Operation))


def statuses_allowing(event: Event) -> tuple[PaymentIntentStatus, ...]:
    """Statuses in which ``event`` is allowed, in declaration order."""
    return tuple(s for s in PaymentIntentStatus if (s, event) in TRANSITIONS)


def is_terminal(status: PaymentIntentStatus) -> bool:
    return not allowed_events(status)


def can_confirm(status: PaymentIntentStatus, *, with_payment_method: bool = False) -> bool:
    """Whether ``confirm`` is allowed; ``with_payment_method`` = attach, then confirm."""
    if with_payment_method:
        attached = next_status(status, Operation.ATTACH_PAYMENT_METHOD)
        return attached is not None and next_status(attached, Operation.CONFIRM) is not None
    return next_status(status, Operation.CONFIRM) is not None


def can_capture(status: PaymentIntentStatus) -> bool:
    return next_status(status, Operation.CAPTURE) is not None


def can_cancel(status: PaymentIntentStatus) -> bool:
    return next_status(status, Operation.CANCEL) is not None


def can_update(status: PaymentIntentStatus) -> bool:
    return next_status(status, Operation.UPDATE) is not None


def validate_capture(
    status: PaymentIntentStatus,
    *,
    capture_method: CaptureMethod,
    amount_capturable: Money,
    amount_to_capture: int | None = None,
) -> Money:
    """Check a capture request and return the amount to capture.

    ``amount_to_capture`` is in minor units of the intent's currency; ``None``
    captures everything capturable. A partial capture releases the rest.
    """
    match capture_method:
        case CaptureMethod.MANUAL:
            pass
        case CaptureMethod.AUTOMATIC | CaptureMethod.AUTOMATIC_ASYNC:
            raise CaptureNotAllowed(
                "This PaymentIntent could not be captured because its capture_method is "
                f"{capture_method}. Only a PaymentIntent created with capture_method=manual "
                "can be captured.",
                param="capture_method",
            )
        case _:
            assert_never(capture_method)
    if not can_capture(status):
        raise InvalidTransition(status, Operation.CAPTURE)
    if amount_to_capture is None:
        amount_to_capture = amount_capturable.amount
    if isinstance(amount_to_capture, bool) or not isinstance(amount_to_capture, int):
        raise TypeError("amount_to_capture must be an int of minor units")
    if amount_to_capture <= 0:
        raise InvalidCaptureAmount(
            "amount_to_capture must be a positive integer of minor units.",
            code="parameter_invalid_integer",
            param="amount_to_capture",
        )
    if amount_to_capture > amount_capturable.amount:
        raise InvalidCaptureAmount(
            f"amount_to_capture ({amount_to_capture}) cannot exceed amount_capturable "
            f"({amount_capturable.amount}).",
            code="amount_too_large",
            param="amount_to_capture",
        )
    return Money(amount_to_capture, amount_capturable.currency)


def parse_cancellation_reason(
    value: str | None, *, system: bool = False
) -> CancellationReason | None:
    """Validate a ``cancellation_reason``; only the system may use the internal ones."""
    if value is None:
        return None
    allowed = set(CancellationReason) if system else MERCHANT_CANCELLATION_REASONS
    try:
        reason = CancellationReason(value)
    except ValueError:
        reason = None
    if reason is None or reason not in allowed:
        choices = ", ".join(sorted(allowed))
        raise InvalidCancellationReason(
            f"Invalid cancellation_reason: must be one of {choices}.",
            param="cancellation_reason",
        )
    return reason


def validate_cancel(
    status: PaymentIntentStatus, reason: str | None = None, *, system: bool = False
) -> CancellationReason | None:
    """Check a cancel request; returns the parsed reason."""
    parsed = parse_cancellation_reason(reason, system=system)
    if not can_cancel(status):
        raise InvalidTransition(status, Operation.CANCEL)
    return parsed


def _refusal_message(status: PaymentIntentStatus, event: Event) -> str:
    match event:
        case Operation():
            verb, participle = _verbs(event)
            allowed = ", ".join(statuses_allowing(event))
            return (
                f"You cannot {verb} this PaymentIntent because it has a status of {status}. "
                f"Only a PaymentIntent with one of the following statuses may {participle}: "
                f"{allowed}."
            )
        case Outcome():
            return (
                f"A gateway outcome of {event} cannot be applied to this PaymentIntent "
                f"because it has a status of {status}."
            )
        case _:
            assert_never(event)


def _verbs(operation: Operation) -> tuple[str, str]:
    match operation:
        case Operation.ATTACH_PAYMENT_METHOD:
            return "attach a payment method to", "have a payment method attached"
        case Operation.UPDATE:
            return "update", "be updated"
        case Operation.CONFIRM:
            return "confirm", "be confirmed"
        case Operation.CAPTURE:
            return "capture", "be captured"
        case Operation.CANCEL:
            return "cancel", "be canceled"
        case _:
            assert_never(operation)
