"""What the gateway's view of a charge means for our records: one pure function.

Whichever path brings the news (the synchronous answer to our call, the recovery
job repeating a call whose answer was lost, or an asynchronous gateway event
followed by a fresh retrieve), the service loads the intent and the charge and
asks :func:`reconcile_charge`, which returns what to store: the intent and the
charge as they are now, the journal transactions to post and the events to
record (:class:`Reconciled`), or why the view is ignored (:class:`Ignored`). It
changes neither argument.

It is idempotent (applying the same view twice changes nothing) and monotonic
(a view the intent has moved past is ignored, never applied backwards): status
moves follow only the transition table in
:mod:`payments.intents.domain.payment_intent`. Ledger postings are keyed by
(kind, charge) when posted, so even a race between two paths cannot post a
movement twice.

Gateway status -> intent status, and what else moves::

    succeeded         succeeded                charge captured; charge.succeeded (automatic
                                               capture) or charge.captured (of a hold);
                                               a bank transfer's excess is customer credit
    requires_capture  requires_capture         the hold: charge.succeeded, charge_authorized
    requires_action   requires_action          next_action: redirect_to_url (3-D Secure,
                                               a bank redirect), blik_authorize, or
                                               swish_handle_redirect_or_display_qr_code
    processing        processing               next_action: bank transfer instructions;
                                               charge.pending on the first answer
    failed            requires_payment_method  charge failed (charge.failed, once),
                                               last_payment_error
    canceled          canceled                 a hold is released (charge.expired, once)

plus the gateway's fee (``charge_fee``) once a captured charge's fee is known, and the
intent's own event when its status changes (:func:`intent_event`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final, assert_never

from payments.gateways.protocol import ChargeResult, PaymentMethodDetails
from payments.gateways.protocol import ChargeStatus as GatewayChargeStatus
from payments.intents.domain.model import Charge, ChargeStatus, PaymentIntent
from payments.intents.domain.payment_intent import (
    TRANSITIONS,
    CancellationReason,
    Event,
    Operation,
    Outcome,
    PaymentIntentStatus,
)
from payments.kernel.money import Money
from payments.ledger.domain import postings
from payments.ledger.domain.accounts import Account
from payments.ledger.domain.journal import JournalTransaction, Source

S = PaymentIntentStatus

#: Gateway charge status -> the intent status it means.
TARGET: Final[Mapping[GatewayChargeStatus, PaymentIntentStatus]] = MappingProxyType(
    {
        "succeeded": S.SUCCEEDED,
        "requires_capture": S.REQUIRES_CAPTURE,
        "requires_action": S.REQUIRES_ACTION,
        "processing": S.PROCESSING,
        "failed": S.REQUIRES_PAYMENT_METHOD,
        "canceled": S.CANCELED,
    }
)


class Subject(StrEnum):
    """Which object an event shows (as it is after the view is applied)."""

    PAYMENT_INTENT = "payment_intent"
    CHARGE = "charge"


@dataclass(frozen=True, slots=True)
class EventToRecord:
    type: str  # registered in payments.events.domain
    subject: Subject


class Ignored(StrEnum):
    """Why a view changes nothing (the values are the service's log event names)."""

    STALE_CHARGE = "stale_charge_result"  # the intent has moved on to a newer charge
    NO_PATH = "ignored_gateway_view"  # the table allows no way there: never backwards


@dataclass(frozen=True, slots=True, kw_only=True)
class Reconciled:
    intent: PaymentIntent  # as it is now (a new object)
    charge: Charge  # as it is now (a new object)
    journal: tuple[JournalTransaction, ...]  # to post, in this order
    events: tuple[EventToRecord, ...]  # to record, in this order
    changed: bool  # False: nothing to store (a view applied before)


def reconcile_charge(
    intent: PaymentIntent, charge: Charge, result: ChargeResult, *, now: datetime
) -> Reconciled | Ignored:
    """The gateway's ``result`` for ``charge`` (an attempt of ``intent``) applied to both."""
    if intent.latest_charge_id not in (None, charge.id):
        return Ignored.STALE_CHARGE
    target = TARGET[result.status]
    if outcome_path(intent.status, target) is None:
        return Ignored.NO_PATH
    pi, ch = replace(intent), replace(charge)
    effects = _Effects(source=Source("charge", ch.id))
    first_answer = ch.gateway_ref is None
    ch.gateway_ref = ch.gateway_ref or result.reference
    if result.payment_method_details is not None:
        ch.payment_method_details = details_dict(result.payment_method_details)
    if result.gateway_outcome is not None:  # the gateway's own screening (Stripe Radar)
        ch.risk = {**(ch.risk or {}), "gateway": dict(result.gateway_outcome)}
    match result.status:
        case "succeeded":
            _succeeded(pi, ch, result, effects)
        case "requires_capture":
            _authorized(pi, ch, result, effects)
        case "requires_action":
            pi.next_action = next_action(result, pi.return_url)
        case "processing":
            _processing(pi, result, effects, first_answer=first_answer)
        case "failed":
            _failed(pi, ch, result, effects)
        case "canceled":
            _canceled(pi, ch, effects, now=now, released=intent.status == S.CANCELED)
        case _:
            assert_never(result.status)
    _fee(ch, result, effects)
    pi.status = target
    if target != intent.status:
        effects.event(intent_event(target), Subject.PAYMENT_INTENT)
    return Reconciled(
        intent=pi,
        charge=ch,
        journal=tuple(_counter_volume(tx, ch) for tx in effects.journal),
        events=tuple(effects.events),
        changed=pi != intent or ch != charge or bool(effects.events or effects.journal),
    )


def outcome_path(current: PaymentIntentStatus, target: PaymentIntentStatus) -> list[Event] | None:
    """The shortest sequence of gateway outcomes (or, for a cancel, the cancel operation)
    that the transition table allows from ``current`` to ``target``; [] if already there.
    ``not_processed`` is our own finding about an attempt, never a gateway's view."""
    if current == target:
        return []
    allowed: set[Event] = ({*Outcome} - {Outcome.NOT_PROCESSED}) | {Operation.CANCEL}
    queue: deque[tuple[PaymentIntentStatus, list[Event]]] = deque([(current, [])])
    seen = {current}
    while queue:
        status, path = queue.popleft()
        for (src, event), dst in TRANSITIONS.items():
            if src != status or event not in allowed or dst in seen:
                continue
            if dst == target:
                return [*path, event]
            seen.add(dst)
            queue.append((dst, [*path, event]))
    return None


def next_action(result: ChargeResult, return_url: str | None) -> dict[str, Any]:
    """What the customer must do, in Stripe's ``next_action`` shape."""
    match result.action_type:
        case "redirect_to_url":
            return {
                "type": "redirect_to_url",
                "redirect_to_url": {"url": result.redirect_url, "return_url": return_url},
            }
        case "blik_authorize":  # the customer approves in their banking app: no page
            return {"type": "blik_authorize", "blik_authorize": {}}
        case "swish_handle_redirect_or_display_qr_code":
            return {
                "type": "swish_handle_redirect_or_display_qr_code",
                "swish_handle_redirect_or_display_qr_code": {
                    "hosted_instructions_url": result.redirect_url,
                    "mobile_auth_url": result.redirect_url,
                },
            }
        case _:
            assert_never(result.action_type)


def intent_event(status: PaymentIntentStatus) -> str:
    """The event of an intent the gateway's view moved to ``status``."""
    match status:
        case S.SUCCEEDED:
            return "payment_intent.succeeded"
        case S.REQUIRES_CAPTURE:
            return "payment_intent.amount_capturable_updated"
        case S.REQUIRES_ACTION:
            return "payment_intent.requires_action"
        case S.PROCESSING:
            return "payment_intent.processing"
        case S.REQUIRES_PAYMENT_METHOD:
            return "payment_intent.payment_failed"
        case S.CANCELED:
            return "payment_intent.canceled"
        case S.REQUIRES_CONFIRMATION:
            raise ValueError("the gateway never moves an intent to requires_confirmation")
        case _:
            assert_never(status)


def details_dict(details: PaymentMethodDetails) -> dict[str, Any]:
    """The stored form of the payment method details the gateway reported."""
    inner = getattr(details, details.type)
    body = asdict(inner) if inner is not None else {}  # nested: card_present's receipt
    return {"type": details.type, details.type: body}


@dataclass(slots=True)
class _Effects:
    source: Source
    journal: list[JournalTransaction] = field(default_factory=list)
    events: list[EventToRecord] = field(default_factory=list)

    def event(self, event_type: str, subject: Subject = Subject.CHARGE) -> None:
        self.events.append(EventToRecord(event_type, subject))


def _succeeded(pi: PaymentIntent, ch: Charge, result: ChargeResult, effects: _Effects) -> None:
    was_authorized = ch.amount_authorized > 0 and not ch.captured
    newly = not ch.captured
    ch.status = ChargeStatus.succeeded
    ch.captured = True
    ch.amount_captured = result.amount_received
    pi.amount_received = result.amount_received
    pi.amount_capturable = 0
    pi.next_action = None
    if not newly:
        return
    captured = Money(result.amount_received, ch.currency)
    if was_authorized:
        effects.journal.append(
            postings.charge_captured(
                Money(ch.amount_authorized, ch.currency),
                captured,
                source=effects.source,
                description=f"capture of {pi.id}",
            )
        )
        effects.event("charge.captured")
    else:
        effects.journal.append(
            postings.charge_succeeded(
                captured, source=effects.source, description=f"payment {pi.id}"
            )
        )
        effects.event("charge.succeeded")
    if result.amount_excess > 0:  # a bank transfer paid more than was owed
        effects.journal.append(
            postings.overpayment_received(
                Money(result.amount_excess, ch.currency),
                source=effects.source,
                description=f"over-payment on {pi.id}",
            )
        )


def _authorized(pi: PaymentIntent, ch: Charge, result: ChargeResult, effects: _Effects) -> None:
    if ch.amount_authorized == 0:
        ch.status = ChargeStatus.succeeded
        ch.amount_authorized = result.amount_capturable
        effects.journal.append(
            postings.charge_authorized(
                Money(result.amount_capturable, ch.currency),
                source=effects.source,
                description=f"authorization for {pi.id}",
            )
        )
        effects.event("charge.succeeded")
    elif result.amount_capturable > ch.amount_authorized and not ch.captured:
        # an incremental authorization raised the hold: the memo grows by the increase,
        # keyed by the charge and the new total (increments only ever raise it)
        increase = result.amount_capturable - ch.amount_authorized
        effects.journal.append(
            postings.authorization_incremented(
                Money(increase, ch.currency),
                source=increment_source(ch.id, result.amount_capturable),
                description=f"authorization of {pi.id} raised to {result.amount_capturable}",
            )
        )
        ch.amount_authorized = result.amount_capturable
        ch.amount = max(ch.amount, result.amount)
        pi.amount = max(pi.amount, result.amount)
        effects.event("payment_intent.amount_capturable_updated", Subject.PAYMENT_INTENT)
    pi.amount_capturable = result.amount_capturable
    pi.next_action = None


def increment_source(charge_id: str, total: int) -> Source:
    """The source of the posting that raised ``charge_id``'s hold to ``total`` (hex, so
    the id fits the ledger's 40 characters)."""
    return Source("charge_increment", f"{charge_id}+{total:x}")


def _processing(
    pi: PaymentIntent, result: ChargeResult, effects: _Effects, *, first_answer: bool
) -> None:
    pi.next_action = None
    bt = result.bank_transfer
    if bt is not None:
        pi.next_action = {
            "type": "display_bank_transfer_instructions",
            "display_bank_transfer_instructions": {
                "amount_remaining": bt.amount_remaining,
                "currency": bt.currency,
                "reference": bt.reference,
                "financial_addresses": [
                    {
                        "type": "iban",
                        "iban": {
                            "iban": bt.iban,
                            "bic": bt.bic,
                            "account_holder_name": bt.account_holder_name,
                        },
                    }
                ],
            },
        }
    if first_answer:
        effects.event("charge.pending")
        effects.event("payment_intent.processing", Subject.PAYMENT_INTENT)


def _failed(pi: PaymentIntent, ch: Charge, result: ChargeResult, effects: _Effects) -> None:
    decline = result.decline
    newly = ch.status != ChargeStatus.failed
    ch.status = ChargeStatus.failed
    ch.failure_code = decline.code if decline else "card_declined"
    ch.failure_message = decline.message if decline else "The payment failed."
    ch.decline_code = decline.decline_code if decline else None
    pi.last_payment_error = {
        "type": "card_error",
        "code": ch.failure_code,
        "decline_code": ch.decline_code,
        "message": ch.failure_message,
        "charge": ch.id,
        "payment_method": {"id": pi.payment_method_id},
    }
    pi.next_action = None
    pi.amount_capturable = 0
    if newly:
        effects.event("charge.failed")


def _canceled(
    pi: PaymentIntent, ch: Charge, effects: _Effects, *, now: datetime, released: bool
) -> None:
    """``released``: the intent was canceled already, its hold (if any) released then."""
    if ch.amount_authorized > 0 and not ch.captured and not released:
        effects.journal.append(
            postings.authorization_released(
                Money(ch.amount_authorized, ch.currency),
                source=effects.source,
                description=f"release of {pi.id}",
            )
        )
        effects.event("charge.expired")
    pi.amount_capturable = 0
    pi.next_action = None
    pi.canceled_at = pi.canceled_at or now
    pi.cancellation_reason = pi.cancellation_reason or CancellationReason.AUTOMATIC.value


def _fee(ch: Charge, result: ChargeResult, effects: _Effects) -> None:
    """The gateway's fees, once known for a captured charge (posted once: keyed). Every
    fee is posted in its own currency (Stripe takes it in the settlement currency); the
    charge's ``fee`` is the part in the charge's currency."""
    if result.fees is None or ch.fee is not None or not ch.captured:
        return
    ch.fee = sum(f.amount for f in result.fees if f.currency.lower() == ch.currency)
    fees = [Money(f.amount, f.currency) for f in result.fees if f.amount > 0]
    if fees:
        effects.journal.append(
            postings.charge_fee(
                *fees, source=effects.source, description=f"gateway fee for {ch.id}"
            )
        )


#: Payment method types whose money is booked on its own sub-ledger of the gateway
#: receivable, so reports split counter (card-present) volume from online volume.
DIMENSIONED_METHODS: Final = frozenset({"card_present"})


def _counter_volume(tx: JournalTransaction, ch: Charge) -> JournalTransaction:
    """A card-present charge's money owed by the gateway carries its payment method type
    as the dimension of its ``gateway_receivable`` debits (posted like any card charge)."""
    kind = (ch.payment_method_details or {}).get("type")
    if kind not in DIMENSIONED_METHODS:
        return tx
    entries = tuple(
        replace(e, dimension=kind)
        if e.account == Account.GATEWAY_RECEIVABLE and e.money.amount > 0 and e.dimension is None
        else e
        for e in tx.entries
    )
    return replace(tx, entries=entries)
