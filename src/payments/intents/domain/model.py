"""The payment records: PaymentIntent (what is owed), Charge (one attempt's business
view), PaymentMethod (safe details only) and GatewayAttempt (one gateway call).

Field names equal the storage column names, so repositories map rows without
hand-written copies; statuses are enums (the repositories store their values). The status
rules live in :mod:`payments.intents.domain.payment_intent`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from payments.intents.domain.payment_intent import CaptureMethod, PaymentIntentStatus


@dataclass(slots=True, kw_only=True)
class PaymentMethod:
    id: str
    type: str  # card | sepa_debit | customer_balance
    gateway: str
    gateway_ref: str
    details: dict[str, Any]
    created: datetime
    customer_id: str | None = None
    location_id: str | None = None
    billing_details: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    livemode: bool = False


@dataclass(slots=True, kw_only=True)
class PaymentIntent:
    id: str
    location_id: str
    amount: int
    currency: str
    status: PaymentIntentStatus
    capture_method: CaptureMethod
    payment_method_types: list[str]
    created: datetime
    customer_id: str | None = None
    payment_method_id: str | None = None
    amount_capturable: int = 0
    amount_received: int = 0
    latest_charge_id: str | None = None
    last_payment_error: dict[str, Any] | None = None
    next_action: dict[str, Any] | None = None
    setup_future_usage: str | None = None
    off_session: bool | None = None
    return_url: str | None = None
    description: str | None = None
    receipt_email: str | None = None
    cancellation_reason: str | None = None
    canceled_at: datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    livemode: bool = False
    client_secret: str | None = None  # pi_..._secret_...: lets a browser confirm or read it
    invoice_id: str | None = None  # the invoice this payment pays (set by invoicing)
    # the customer's device / browser session (Stripe's ``radar_options.session``): fraud
    # prevention counts the cards and attempts of each device
    radar_session: str | None = None


class ChargeStatus(StrEnum):
    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"


@dataclass(slots=True, kw_only=True)
class Charge:
    id: str
    payment_intent_id: str
    location_id: str
    amount: int
    currency: str
    status: ChargeStatus
    gateway: str
    created: datetime
    customer_id: str | None = None
    captured: bool = False
    amount_captured: int = 0
    amount_refunded: int = 0
    amount_authorized: int = 0
    fee: int | None = None  # the gateway's fee in the charge's currency (others: the ledger)
    payment_method_id: str | None = None
    payment_method_details: dict[str, Any] | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    decline_code: str | None = None
    gateway_ref: str | None = None
    disputed: bool = False
    livemode: bool = False
    # the risk assessment made before the gateway call: Stripe's ``outcome`` as decided
    # then (the issuer's answer is laid over it when rendered) and our ``risk`` (score,
    # level and the reasons: every signal with its value and weight)
    outcome: dict[str, Any] | None = None
    risk: dict[str, Any] | None = None

    @property
    def refunded(self) -> bool:
        return self.amount_captured > 0 and self.amount_refunded >= self.amount_captured


class AttemptStatus(StrEnum):
    started = "started"  # recorded, call about to be made (or the process died during it)
    unknown = "unknown"  # the call may have reached the gateway; recovery will settle it
    done = "done"  # the gateway answered and the answer was applied
    not_sent = "not_sent"  # provably never reached the gateway


class AttemptOperation(StrEnum):
    charge = "charge"
    capture = "capture"
    cancel = "cancel"
    refund = "refund"
    cancel_refund = "cancel_refund"
    increment_authorization = "increment_auth"  # stored in 16 characters
    setup = "setup"  # a SetupIntent's confirm (object_id: the SetupIntent)
    cancel_setup = "cancel_setup"


@dataclass(slots=True, kw_only=True)
class GatewayAttempt:
    id: str  # also the idempotency key sent to the gateway
    operation: AttemptOperation
    status: AttemptStatus
    gateway: str
    request: dict[str, Any]
    created: datetime
    payment_intent_id: str | None = None
    charge_id: str | None = None
    object_id: str | None = None
    result: dict[str, Any] | None = None
    recovery_count: int = 0
    next_recovery_at: datetime | None = None
    locked_until: datetime | None = None
    completed_at: datetime | None = None
