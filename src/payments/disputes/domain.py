"""Disputes (chargebacks): Stripe's statuses, what we may do, what the gateway may report.

A cardholder disputes a charge with their bank; the gateway tells us (event
``charge.dispute.created``). Stripe's lifecycle::

    warning_needs_response --submit--> warning_under_review     (an inquiry: no money moved)
        |  --close--> warning_closed     |--gateway--> warning_closed
        +--gateway: escalated--> needs_response
    needs_response --submit--> under_review --gateway--> won | lost
        --close (accept)--> lost          --gateway--> won | lost
    won, lost, warning_closed: terminal

Evidence may be added while a dispute ``*needs_response``; ``submit`` sends it.
Only the gateway decides ``won`` (the simulator: the test helper
``/v1/test_helpers/disputes/{id}/resolve``). A gateway status the table does
not allow is ignored, never applied backwards.

Money (see :func:`ledger_steps`): on entering a formal status (not a warning)
the disputed amount and the dispute fee are withdrawn; ``won`` reinstates the
amount (the fee is not returned); ``lost`` writes it off as a chargeback loss.

Errors::

    InvalidRequest
     ├── DisputeError                 dispute_invalid_parameter
     └── StateConflict
          └── DisputeStateConflict *  dispute_unexpected_state   (* also a DisputeError)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from payments.kernel.errors import InvalidRequest, StateConflict
from payments.kernel.pagination import Created
from payments.kernel.unset import UNSET, Unset


class DisputeStatus(StrEnum):
    WARNING_NEEDS_RESPONSE = "warning_needs_response"
    WARNING_UNDER_REVIEW = "warning_under_review"
    WARNING_CLOSED = "warning_closed"
    NEEDS_RESPONSE = "needs_response"
    UNDER_REVIEW = "under_review"
    WON = "won"
    LOST = "lost"


class Operation(StrEnum):
    UPDATE_EVIDENCE = "update_evidence"
    SUBMIT = "submit"
    CLOSE = "close"


class LedgerStep(StrEnum):
    WITHDRAWN = "dispute_funds_withdrawn"  # disputes -> gateway_receivable, plus the fee
    REINSTATED = "dispute_funds_reinstated"  # gateway_receivable -> disputes
    LOST = "dispute_lost"  # chargeback_losses -> disputes


_S = DisputeStatus
_Op = Operation

#: What we may do: (status, operation) -> next status. Absent = forbidden.
OPERATIONS: Final[Mapping[tuple[DisputeStatus, Operation], DisputeStatus]] = MappingProxyType(
    {
        (_S.WARNING_NEEDS_RESPONSE, _Op.UPDATE_EVIDENCE): _S.WARNING_NEEDS_RESPONSE,
        (_S.WARNING_NEEDS_RESPONSE, _Op.SUBMIT): _S.WARNING_UNDER_REVIEW,
        (_S.WARNING_NEEDS_RESPONSE, _Op.CLOSE): _S.WARNING_CLOSED,
        (_S.NEEDS_RESPONSE, _Op.UPDATE_EVIDENCE): _S.NEEDS_RESPONSE,
        (_S.NEEDS_RESPONSE, _Op.SUBMIT): _S.UNDER_REVIEW,
        (_S.NEEDS_RESPONSE, _Op.CLOSE): _S.LOST,
    }
)

_FORMAL = (_S.NEEDS_RESPONSE, _S.UNDER_REVIEW, _S.WON, _S.LOST)

#: What the gateway may report next, per status (besides the status itself, a no-op).
GATEWAY_MOVES: Final[Mapping[DisputeStatus, frozenset[DisputeStatus]]] = MappingProxyType(
    {
        _S.WARNING_NEEDS_RESPONSE: frozenset(
            {_S.WARNING_UNDER_REVIEW, _S.WARNING_CLOSED, *_FORMAL}
        ),
        _S.WARNING_UNDER_REVIEW: frozenset({_S.WARNING_CLOSED, *_FORMAL}),
        _S.NEEDS_RESPONSE: frozenset({_S.UNDER_REVIEW, _S.WON, _S.LOST}),
        _S.UNDER_REVIEW: frozenset({_S.WON, _S.LOST}),
        _S.WARNING_CLOSED: frozenset(),
        _S.WON: frozenset(),
        _S.LOST: frozenset(),
    }
)

#: Stripe's evidence fields that take text.
TEXT_EVIDENCE: Final = (
    "access_activity_log",
    "billing_address",
    "cancellation_policy_disclosure",
    "cancellation_rebuttal",
    "customer_email_address",
    "customer_name",
    "customer_purchase_ip",
    "duplicate_charge_explanation",
    "duplicate_charge_id",
    "product_description",
    "refund_policy_disclosure",
    "refund_refusal_explanation",
    "service_date",
    "shipping_address",
    "shipping_carrier",
    "shipping_date",
    "shipping_tracking_number",
    "uncategorized_text",
)
#: Stripe's evidence fields that take a file reference (an uploaded file's id).
FILE_EVIDENCE: Final = (
    "cancellation_policy",
    "customer_communication",
    "customer_signature",
    "duplicate_charge_documentation",
    "receipt",
    "refund_policy",
    "service_documentation",
    "shipping_documentation",
    "uncategorized_file",
)
EVIDENCE_FIELDS: Final = TEXT_EVIDENCE + FILE_EVIDENCE

#: Days to respond when the gateway does not say (Stripe gives 7 to 21 by network).
DEFAULT_EVIDENCE_WINDOW: Final = timedelta(days=7)


class DisputeError(InvalidRequest):
    default_code = "dispute_invalid_parameter"


class DisputeStateConflict(DisputeError, StateConflict):
    default_code = "dispute_unexpected_state"


@dataclass(slots=True, kw_only=True)
class Dispute:
    """A dispute; field names equal the ``disputes`` table's columns."""

    id: str
    charge_id: str
    payment_intent_id: str
    location_id: str
    amount: int
    currency: str
    reason: str
    status: DisputeStatus
    gateway: str
    gateway_ref: str
    created: datetime
    due_by: datetime
    evidence: dict[str, str] = field(default_factory=dict)
    submission_count: int = 0
    past_due: bool = False
    fee: int | None = None
    funds_withdrawn: bool = False
    deadline_flagged_at: datetime | None = None
    closed_at: datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    livemode: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateDispute:
    """Add or change evidence (a field set to ``""`` is cleared; fields left out are kept),
    ``submit`` it for review, and merge ``metadata`` (left out: unchanged; None: every
    key cleared, as at Stripe)."""

    evidence: Mapping[str, str] = field(default_factory=dict)
    submit: bool = False
    metadata: Mapping[str, str] | Unset | None = UNSET


@dataclass(frozen=True, slots=True, kw_only=True)
class ListDisputes:
    """Filters as the client sent them: None or "" is no filter; a status no dispute has
    matches nothing."""

    charge: str | None = None
    payment_intent: str | None = None
    status: str | None = None
    created: Created = field(default_factory=Created)
    location: str | None = None  # a shop; a location-restricted key may only name its own


def transition(status: DisputeStatus, operation: Operation) -> DisputeStatus:
    nxt = OPERATIONS.get((status, operation))
    if nxt is None:
        allowed = ", ".join(s for s in DisputeStatus if (s, operation) in OPERATIONS)
        raise DisputeStateConflict(
            f"You cannot {operation.value.replace('_', ' ')} on this dispute because it has a "
            f"status of {status}. Only a dispute with one of the following statuses allows it: "
            f"{allowed}."
        )
    return nxt


def gateway_allows(current: DisputeStatus, reported: DisputeStatus) -> bool:
    """Whether a gateway report of ``reported`` may move a dispute in ``current``."""
    return reported in GATEWAY_MOVES[current]


def is_terminal(status: DisputeStatus) -> bool:
    return not GATEWAY_MOVES[status]


def awaits_response(status: DisputeStatus) -> bool:
    return status in (_S.NEEDS_RESPONSE, _S.WARNING_NEEDS_RESPONSE)


def parse_status(value: str) -> DisputeStatus:
    try:
        return DisputeStatus(value)
    except ValueError:
        raise ValueError(f"unknown dispute status {value!r}") from None


def ledger_steps(
    before: DisputeStatus | None, after: DisputeStatus, *, withdrawn: bool
) -> tuple[LedgerStep, ...]:
    """Postings of a move (``before`` None: the dispute is new) on a dispute whose funds
    were (or were not yet) ``withdrawn``."""
    if before == after:
        return ()
    steps: list[LedgerStep] = []
    if after in _FORMAL and not withdrawn:
        steps.append(LedgerStep.WITHDRAWN)
    if after == _S.WON:
        steps.append(LedgerStep.REINSTATED)
    elif after == _S.LOST:
        steps.append(LedgerStep.LOST)
    return tuple(steps)


def merge_evidence(current: Mapping[str, str], update: Mapping[str, Any]) -> dict[str, str]:
    """Evidence after an update: a field set to ``""`` is cleared, ``None`` leaves it."""
    merged = dict(current)
    for name, value in update.items():
        if name not in EVIDENCE_FIELDS:
            raise DisputeError(
                f"Unknown evidence field: {name}",
                code="parameter_unknown",
                param=f"evidence[{name}]",
            )
        if value is None:
            continue
        if value == "":
            merged.pop(name, None)
        else:
            merged[name] = str(value)
    return merged


def evidence_object(evidence: Mapping[str, str]) -> dict[str, str | None]:
    """Every Stripe evidence field, ``None`` where not given."""
    return {name: evidence.get(name) for name in sorted(EVIDENCE_FIELDS)}
