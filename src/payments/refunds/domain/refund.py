"""Refunds: Stripe's statuses plus our ``pending_approval``, one transition table, the rules.

A refund gives back part or all of a captured charge. Several partial refunds
may be made against one charge, never more in total than was captured. Its
``status`` moves on *events* of two kinds, both looked up in :data:`TRANSITIONS`:

* an :class:`Operation` somebody asks for (approve, reject, cancel);
* an :class:`Outcome` the gateway reported (synchronous answer, gateway event,
  the recovery job replaying a call).

Lifecycle::

    (create) --needs approval--> pending_approval --approve--> pending (sent)
             --otherwise-------> pending (sent)   --reject / cancel--> canceled
    pending | requires_action --pending / requires_action / succeeded / failed / canceled-->
                                 (that status)
                              --cancel--> canceled   (only if the gateway can cancel it)
    succeeded --failed--> failed   (a card refund may fail days after succeeding)
    failed, canceled: terminal

Deliberate differences from Stripe:

* ``pending_approval`` is ours: a clerk's refund above the approval policy
  (see :mod:`payments.refunds.domain.policy`) waits for finance, and nothing
  reaches the gateway before it is approved.
* Our ``reason`` adds ``warranty``, ``repair_cancelled`` and ``goodwill`` to
  Stripe's three; the gateway is told ``requested_by_customer`` for those.
* A refund that never reached the gateway (``gateway_unavailable``) or that
  the gateway refused (its error code) is ``failed`` with that
  ``failure_reason``, so it no longer counts against the charge.

A gateway outcome the table does not allow is ignored (never applied
backwards): a late ``succeeded`` for a refund that has since failed changes
nothing. The ledger effect of each move is :func:`ledger_steps`.

Errors extend the service hierarchy in :mod:`payments.kernel.errors`::

    PaymentsError
     ├── InvalidRequest
     │    ├── RefundError                     refund_invalid_parameter
     │    │    ├── InvalidRefundAmount        parameter_invalid_integer / amount_too_large /
     │    │    │                              charge_already_refunded
     │    │    └── ChargeNotRefundable        charge_not_refundable / charge_disputed /
     │    │                                   currency_mismatch
     │    └── StateConflict
     │         └── RefundStateConflict *      refund_unexpected_state
     └── PermissionDenied
          └── SelfApprovalForbidden           refund_self_approval (403)
    (* also a RefundError)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final, TypeAlias

from payments.kernel.errors import InvalidRequest, PermissionDenied, StateConflict


class RefundStatus(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class Operation(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"


class Outcome(StrEnum):
    """What the gateway reported; values are the gateway's refund statuses, prefixed."""

    PENDING = "gateway_pending"
    REQUIRES_ACTION = "gateway_requires_action"
    SUCCEEDED = "gateway_succeeded"
    FAILED = "gateway_failed"
    CANCELED = "gateway_canceled"


Event: TypeAlias = Operation | Outcome


class Reason(StrEnum):
    DUPLICATE = "duplicate"
    FRAUDULENT = "fraudulent"
    REQUESTED_BY_CUSTOMER = "requested_by_customer"
    WARRANTY = "warranty"
    REPAIR_CANCELLED = "repair_cancelled"
    GOODWILL = "goodwill"


STRIPE_REASONS: Final = frozenset(
    {Reason.DUPLICATE, Reason.FRAUDULENT, Reason.REQUESTED_BY_CUSTOMER}
)

_S = RefundStatus
_Op = Operation
_Out = Outcome

#: The one transition table: (status, event) -> next status. Absent = forbidden.
TRANSITIONS: Final[Mapping[tuple[RefundStatus, Event], RefundStatus]] = MappingProxyType(
    {
        (_S.PENDING_APPROVAL, _Op.APPROVE): _S.PENDING,
        (_S.PENDING_APPROVAL, _Op.REJECT): _S.CANCELED,
        (_S.PENDING_APPROVAL, _Op.CANCEL): _S.CANCELED,
        # at the gateway, not settled
        **{
            (status, outcome): target
            for status in (_S.PENDING, _S.REQUIRES_ACTION)
            for outcome, target in (
                (_Out.PENDING, _S.PENDING),
                (_Out.REQUIRES_ACTION, _S.REQUIRES_ACTION),
                (_Out.SUCCEEDED, _S.SUCCEEDED),
                (_Out.FAILED, _S.FAILED),
                (_Out.CANCELED, _S.CANCELED),
            )
        },
        (_S.PENDING, _Op.CANCEL): _S.CANCELED,
        (_S.REQUIRES_ACTION, _Op.CANCEL): _S.CANCELED,
        # a succeeded card refund can still fail (the card was closed, ...)
        (_S.SUCCEEDED, _Out.SUCCEEDED): _S.SUCCEEDED,
        (_S.SUCCEEDED, _Out.FAILED): _S.FAILED,
        # failed and canceled are terminal: no rows.
    }
)

#: Gateway refund status -> the outcome it reports.
GATEWAY_OUTCOMES: Final[Mapping[str, Outcome]] = MappingProxyType(
    {
        "pending": _Out.PENDING,
        "requires_action": _Out.REQUIRES_ACTION,
        "succeeded": _Out.SUCCEEDED,
        "failed": _Out.FAILED,
        "canceled": _Out.CANCELED,
    }
)


class LedgerStep(StrEnum):
    """A posting a refund move causes (see :mod:`payments.ledger.domain.postings`)."""

    CREATED = "refund_created"  # revenue_clearing -> refunds_payable, when sent
    SUCCEEDED = "refund_succeeded"  # refunds_payable -> gateway_receivable
    SUCCEEDED_REVERSED = "refund_succeeded_reversed"  # reversal of the above
    FAILED = "refund_failed"  # refunds_payable -> revenue_clearing


# --------------------------------------------------------------------------- errors


class RefundError(InvalidRequest):
    default_code = "refund_invalid_parameter"


class InvalidRefundAmount(RefundError):
    pass


class ChargeNotRefundable(RefundError):
    default_code = "charge_not_refundable"


class RefundStateConflict(RefundError, StateConflict):
    default_code = "refund_unexpected_state"


class SelfApprovalForbidden(PermissionDenied):
    default_code = "refund_self_approval"


# --------------------------------------------------------------------------- the record


@dataclass(slots=True, kw_only=True)
class Refund:
    """A refund; field names equal the ``refunds`` table's columns."""

    id: str
    charge_id: str
    payment_intent_id: str
    location_id: str
    amount: int
    currency: str
    status: RefundStatus
    gateway: str
    created: datetime
    requested_by: str  # API key id (or "system" / "cli")
    requested_by_name: str
    reason: str | None = None
    note: str | None = None
    failure_reason: str | None = None
    gateway_ref: str | None = None
    approval_reason: str | None = None  # why it needed approval; None: it did not
    decision: str | None = None  # approved | rejected
    decided_by: str | None = None
    decided_by_name: str | None = None
    decided_at: datetime | None = None
    rejection_reason: str | None = None
    sent_at: datetime | None = None  # when it went to the gateway (refund_created posted)
    canceled_at: datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    livemode: bool = False


# --------------------------------------------------------------------------- rules


def next_status(status: RefundStatus, event: Event) -> RefundStatus | None:
    return TRANSITIONS.get((status, event))


def transition(status: RefundStatus, operation: Operation) -> RefundStatus:
    """The status after ``operation``; raises :class:`RefundStateConflict` if forbidden."""
    nxt = next_status(status, operation)
    if nxt is None:
        allowed = ", ".join(s for s in RefundStatus if (s, operation) in TRANSITIONS)
        raise RefundStateConflict(
            f"You cannot {operation} this refund because it has a status of {status}. "
            f"Only a refund with one of the following statuses may be {_participle(operation)}: "
            f"{allowed}."
        )
    return nxt


def outcome_of(gateway_status: str) -> Outcome:
    try:
        return GATEWAY_OUTCOMES[gateway_status]
    except KeyError:
        raise ValueError(f"unknown gateway refund status {gateway_status!r}") from None


def counts_against_charge(status: RefundStatus) -> bool:
    """Whether the refund reserves part of the charge (everything but failed and canceled)."""
    return status not in (RefundStatus.FAILED, RefundStatus.CANCELED)


def is_outstanding(status: RefundStatus) -> bool:
    """Sent to the gateway and not settled: what ``refunds_payable`` holds."""
    return status in (RefundStatus.PENDING, RefundStatus.REQUIRES_ACTION)


def gateway_reason(reason: str | None) -> str | None:
    """What the gateway is told: Stripe knows only its own three reasons."""
    if reason is None:
        return None
    return reason if reason in STRIPE_REASONS else Reason.REQUESTED_BY_CUSTOMER.value


def parse_reason(value: str | None) -> Reason | None:
    if value is None:
        return None
    try:
        return Reason(value)
    except ValueError:
        choices = ", ".join(Reason)
        raise RefundError(
            f"Invalid reason: must be one of {choices}.", code="parameter_invalid", param="reason"
        ) from None


def check_refundable(
    *, charge_status: str, captured: bool, disputed: bool, currency: str, requested: str | None
) -> None:
    """Refuse refunds of payments that have no captured money, disputed ones, and a
    ``currency`` other than the payment's."""
    if charge_status != "succeeded" or not captured:
        raise ChargeNotRefundable(
            "This payment cannot be refunded because it has not been captured "
            f"(charge status {charge_status}). Cancel an uncaptured PaymentIntent instead.",
            param="payment_intent",
        )
    if disputed:
        raise ChargeNotRefundable(
            "This payment is disputed; its money is with the card network until the "
            "dispute is resolved and it cannot be refunded.",
            code="charge_disputed",
        )
    if requested is not None and requested.lower() != currency:
        raise ChargeNotRefundable(
            f"The refund's currency ({requested.lower()}) must be the payment's ({currency}).",
            code="currency_mismatch",
            param="currency",
        )


def refund_amount(requested: int | None, *, captured: int, reserved: int) -> int:
    """The amount to refund: ``requested`` or everything left (``captured - reserved``).

    ``reserved`` is what the charge's other refunds that are not failed or
    canceled already take, including those awaiting approval.
    """
    if requested is not None and (
        isinstance(requested, bool) or not isinstance(requested, int) or requested <= 0
    ):
        raise InvalidRefundAmount(
            "Invalid positive integer: amount must be a positive integer of minor units.",
            code="parameter_invalid_integer",
            param="amount",
        )
    left = captured - reserved
    if left <= 0:
        raise InvalidRefundAmount(
            "This payment has already been refunded in full.", code="charge_already_refunded"
        )
    if requested is not None and requested > left:
        raise InvalidRefundAmount(
            f"Refund amount ({requested}) is greater than the amount left to refund ({left} "
            f"of {captured} captured).",
            code="amount_too_large",
            param="amount",
        )
    return left if requested is None else requested


def ledger_steps(
    before: RefundStatus, after: RefundStatus, *, sent: bool
) -> tuple[LedgerStep, ...]:
    """The postings of a move from ``before`` to ``after`` of a refund that was (or
    was not) ``sent`` to the gateway. Sending itself posts :attr:`LedgerStep.CREATED`."""
    if before == after:
        return ()
    if after == RefundStatus.SUCCEEDED:
        return (LedgerStep.SUCCEEDED,)
    if after in (RefundStatus.FAILED, RefundStatus.CANCELED) and sent:
        if before == RefundStatus.SUCCEEDED:
            return (LedgerStep.SUCCEEDED_REVERSED, LedgerStep.FAILED)
        return (LedgerStep.FAILED,)
    return ()


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """Stripe's ``previous_attributes``: the old values of the fields that changed."""
    return {k: before.get(k) for k in after if before.get(k) != after.get(k)}


def _participle(operation: Operation) -> str:
    return {"approve": "approved", "reject": "rejected", "cancel": "canceled"}[operation.value]
