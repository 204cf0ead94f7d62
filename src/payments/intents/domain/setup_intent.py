"""SetupIntents (Stripe's shape): save a payment method for later payments, charge nothing.

Statuses and transitions::

    requires_payment_method --(payment_method given)--> requires_confirmation
    requires_payment_method | requires_confirmation --confirm--> (the gateway answers)
        succeeded            the method is attached to the customer
        requires_action      3-D Secure: the customer answers at next_action's page
        processing           the bank confirms a mandate later
        requires_payment_method   declined / authentication failed (last_setup_error)
    requires_action --(the customer answered)--> succeeded | requires_payment_method
    requires_payment_method | requires_confirmation | requires_action --cancel--> canceled

``succeeded`` and ``canceled`` are final. Confirming needs the customer (a SetupIntent
saves a method *for* someone) and, for ``sepa_debit``, the customer's online mandate
acceptance (``mandate_data``), as at Stripe.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from payments.kernel.pagination import Created

SETUP_METHOD_TYPES = ("card", "sepa_debit")
CANCELLATION_REASONS = ("abandoned", "requested_by_customer", "duplicate")


class SetupIntentStatus(StrEnum):
    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    REQUIRES_CONFIRMATION = "requires_confirmation"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    CANCELED = "canceled"


S = SetupIntentStatus
CONFIRMABLE = frozenset({S.REQUIRES_PAYMENT_METHOD, S.REQUIRES_CONFIRMATION})
CANCELABLE = frozenset({S.REQUIRES_PAYMENT_METHOD, S.REQUIRES_CONFIRMATION, S.REQUIRES_ACTION})


@dataclass(slots=True, kw_only=True)
class SetupIntent:
    id: str
    location_id: str
    customer_id: str
    status: SetupIntentStatus
    usage: str  # off_session | on_session
    payment_method_types: list[str]
    created: datetime
    client_secret: str
    payment_method_id: str | None = None
    last_setup_error: dict[str, Any] | None = None
    next_action: dict[str, Any] | None = None
    return_url: str | None = None
    mandate: str | None = None  # the gateway's SEPA mandate id once succeeded
    # the online acceptance a sepa_debit setup is confirmed with: {ip_address, user_agent}
    mandate_data: dict[str, Any] | None = None
    gateway: str | None = None
    gateway_ref: str | None = None  # the gateway's SetupIntent (3-D Secure answers by it)
    latest_attempt_id: str | None = None
    cancellation_reason: str | None = None
    canceled_at: datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    livemode: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class MandateData:
    """``mandate_data[customer_acceptance]`` (type ``online``): who accepted, from where."""

    ip_address: str
    user_agent: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateSetupIntent:
    customer: str
    payment_method: str | None = None
    payment_method_types: tuple[str, ...] = ()
    usage: str = "off_session"
    confirm: bool = False
    return_url: str | None = None
    mandate_data: MandateData | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmSetupIntent:
    payment_method: str | None = None
    return_url: str | None = None
    mandate_data: MandateData | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ListSetupIntents:
    customer: str | None = None
    payment_method: str | None = None
    status: str | None = None
    created: Created = field(default_factory=Created)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetupAnswer:
    """What the gateway said about a confirm, as plain values."""

    status: str  # the port's SetupStatus
    reference: str
    redirect_url: str | None = None
    mandate: str | None = None
    decline_code: str | None = None
    decline_reason: str | None = None  # Stripe's decline_code
    decline_message: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SetupOutcome:
    status: SetupIntentStatus
    event: str | None  # the event to record, None when nothing changed
    next_action: dict[str, Any] | None = None
    last_setup_error: dict[str, Any] | None = None
    mandate: str | None = None
    attach: bool = False  # attach the payment method to the customer


def can_confirm(status: SetupIntentStatus) -> bool:
    return status in CONFIRMABLE


def can_cancel(status: SetupIntentStatus) -> bool:
    return status in CANCELABLE


def apply_answer(si: SetupIntent, answer: SetupAnswer) -> SetupOutcome:
    """The SetupIntent's new state after the gateway's answer (pure)."""
    if si.status in (S.SUCCEEDED, S.CANCELED):
        return SetupOutcome(status=si.status, event=None, mandate=si.mandate)
    match answer.status:
        case "succeeded":
            return SetupOutcome(
                status=S.SUCCEEDED,
                event="setup_intent.succeeded",
                mandate=answer.mandate,
                attach=True,
            )
        case "requires_action":
            action = {
                "type": "redirect_to_url",
                "redirect_to_url": {"url": answer.redirect_url, "return_url": si.return_url},
            }
            changed = si.status is not S.REQUIRES_ACTION
            return SetupOutcome(
                status=S.REQUIRES_ACTION,
                event="setup_intent.requires_action" if changed else None,
                next_action=action,
            )
        case "processing":
            return SetupOutcome(status=S.PROCESSING, event=None)
        case "canceled":
            return SetupOutcome(status=S.CANCELED, event="setup_intent.canceled")
        case _:  # failed
            error = {
                "type": "card_error",
                "code": answer.decline_code or "setup_intent_authentication_failure",
                "decline_code": answer.decline_reason,
                "message": answer.decline_message or "The payment method could not be set up.",
                "payment_method": {"id": si.payment_method_id},
            }
            return SetupOutcome(
                status=S.REQUIRES_PAYMENT_METHOD,
                event="setup_intent.setup_failed",
                last_setup_error=error,
            )
