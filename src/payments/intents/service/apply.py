"""Apply what the gateway says about a charge to our records, exactly once.

Whichever path brings the news (the synchronous answer to our call, the
recovery job repeating a call whose answer was lost, or an asynchronous gateway
event followed by a fresh retrieve), :func:`apply_charge_result` reconciles the
charge, its PaymentIntent, the ledger and the events with the gateway's view.
It is idempotent (applying the same view twice changes nothing) and monotonic
(a view the intent has moved past is ignored, never applied backwards): status
moves follow only the transition table in :mod:`payments.intents.domain.payment_intent`.

Ledger postings are keyed by (kind, charge), so even a race between two paths
cannot post a movement twice.
"""

from __future__ import annotations

from collections import deque
from typing import Any, assert_never

from payments.events.repository import EventRepository
from payments.events.service import new_event
from payments.gateways.protocol import ChargeResult, PaymentMethodDetails
from payments.intents.domain.model import Charge, PaymentIntent
from payments.intents.domain.payment_intent import (
    TRANSITIONS,
    Operation,
    Outcome,
    PaymentIntentStatus,
)
from payments.intents.render import charge_object, payment_intent_object
from payments.intents.repository import ChargeRepository, PaymentIntentRepository
from payments.intents.service.invoice_payments import invoice_payments
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.money import Money
from payments.ledger.domain import postings
from payments.ledger.domain.journal import JournalTransaction, Source
from payments.ledger.repository import LedgerRepository
from payments.platform.db.uow import UnitOfWork
from payments.platform.logs import get_logger

log = get_logger("payments.gateway_sync")

S = PaymentIntentStatus

# gateway charge status -> the intent status it means
TARGET: dict[str, PaymentIntentStatus] = {
    "succeeded": S.SUCCEEDED,
    "requires_capture": S.REQUIRES_CAPTURE,
    "requires_action": S.REQUIRES_ACTION,
    "processing": S.PROCESSING,
    "failed": S.REQUIRES_PAYMENT_METHOD,
    "canceled": S.CANCELED,
}


def outcome_path(current: PaymentIntentStatus, target: PaymentIntentStatus) -> list[Any] | None:
    """The shortest sequence of gateway outcomes (or, for a cancel, the cancel operation)
    that the transition table allows from ``current`` to ``target``; [] if already there."""
    if current == target:
        return []
    allowed: set[Any] = set(Outcome) | {Operation.CANCEL}
    queue: deque[tuple[PaymentIntentStatus, list[Any]]] = deque([(current, [])])
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


def details_dict(details: PaymentMethodDetails | None) -> dict[str, Any] | None:
    if details is None:
        return None
    inner = getattr(details, details.type)
    body = {k: getattr(inner, k) for k in inner.__slots__} if inner is not None else {}
    return {"type": details.type, details.type: body}


async def apply_charge_result(
    uow: UnitOfWork,
    pi: PaymentIntent,
    charge: Charge,
    result: ChargeResult,
    *,
    clock: Clock,
    ctx: RequestContext,
) -> bool:
    """Reconcile ``charge`` and ``pi`` (both loaded for update) with ``result``.
    Returns True when anything changed."""
    target = TARGET[result.status]
    current = PaymentIntentStatus(pi.status)
    if pi.latest_charge_id not in (None, charge.id):
        log.info("stale_charge_result", charge=charge.id, intent=pi.id)
        return False
    path = outcome_path(current, target)
    if path is None:
        log.info("ignored_gateway_view", intent=pi.id, status=current, gateway=result.status)
        return False
    before_pi = payment_intent_object(pi)
    before_charge = charge_object(charge)
    now = clock.now()
    source = Source("charge", charge.id)
    events: list[tuple[str, str]] = []  # (type, "pi" | "charge")
    journal: list[JournalTransaction] = []  # posted together below
    first_answer = charge.gateway_ref is None
    charge.gateway_ref = charge.gateway_ref or result.reference
    if result.payment_method_details is not None:
        charge.payment_method_details = details_dict(result.payment_method_details)

    match result.status:
        case "succeeded":
            was_authorized = charge.amount_authorized > 0 and not charge.captured
            newly = not charge.captured
            charge.status = "succeeded"
            charge.captured = True
            charge.amount_captured = result.amount_received
            pi.amount_received = result.amount_received
            pi.amount_capturable = 0
            pi.next_action = None
            if newly:
                captured = Money(result.amount_received, charge.currency)
                if was_authorized:
                    tx = postings.charge_captured(
                        Money(charge.amount_authorized, charge.currency),
                        captured,
                        source=source,
                        description=f"capture of {pi.id}",
                    )
                    events.append(("charge.captured", "charge"))
                else:
                    tx = postings.charge_succeeded(
                        captured, source=source, description=f"payment {pi.id}"
                    )
                    events.append(("charge.succeeded", "charge"))
                journal.append(tx)
                if result.amount_excess > 0:  # a bank transfer paid more than was owed
                    journal.append(
                        postings.overpayment_received(
                            Money(result.amount_excess, charge.currency),
                            source=source,
                            description=f"over-payment on {pi.id}",
                        )
                    )
        case "requires_capture":
            if charge.amount_authorized == 0:
                charge.status = "succeeded"
                charge.amount_authorized = result.amount_capturable
                journal.append(
                    postings.charge_authorized(
                        Money(result.amount_capturable, charge.currency),
                        source=source,
                        description=f"authorization for {pi.id}",
                    )
                )
                events.append(("charge.succeeded", "charge"))
            pi.amount_capturable = result.amount_capturable
            pi.next_action = None
        case "requires_action":
            pi.next_action = {
                "type": "redirect_to_url",
                "redirect_to_url": {"url": result.redirect_url, "return_url": pi.return_url},
            }
        case "processing":
            pi.next_action = None
            if result.bank_transfer is not None:
                bt = result.bank_transfer
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
                events.append(("charge.pending", "charge"))
                events.append(("payment_intent.processing", "pi"))
        case "failed":
            decline = result.decline
            charge.status = "failed"
            charge.failure_code = decline.code if decline else "card_declined"
            charge.failure_message = decline.message if decline else "The payment failed."
            charge.decline_code = decline.decline_code if decline else None
            pi.last_payment_error = {
                "type": "card_error",
                "code": charge.failure_code,
                "decline_code": charge.decline_code,
                "message": charge.failure_message,
                "charge": charge.id,
                "payment_method": {"id": pi.payment_method_id},
            }
            pi.next_action = None
            pi.amount_capturable = 0
            events.append(("charge.failed", "charge"))
        case "canceled":
            if charge.amount_authorized > 0 and not charge.captured:
                journal.append(
                    postings.authorization_released(
                        Money(charge.amount_authorized, charge.currency),
                        source=source,
                        description=f"release of {pi.id}",
                    )
                )
                events.append(("charge.expired", "charge"))
            pi.amount_capturable = 0
            pi.next_action = None
            pi.canceled_at = pi.canceled_at or now
            pi.cancellation_reason = pi.cancellation_reason or "automatic"

    if result.fee is not None and charge.fee is None and charge.captured:
        charge.fee = result.fee
        if result.fee > 0:
            journal.append(
                postings.charge_fee(
                    Money(result.fee, charge.currency),
                    source=source,
                    description=f"gateway fee for {charge.id}",
                )
            )
    await uow.repo(LedgerRepository).post_all(journal, when=now, location_id=pi.location_id)
    pi.status = target.value
    if target != current:
        events.append((_intent_event(target), "pi"))

    after_pi, after_charge = payment_intent_object(pi), charge_object(charge)
    if after_pi == before_pi and after_charge == before_charge and not events:
        return False
    await uow.repo(ChargeRepository).save(charge)
    await uow.repo(PaymentIntentRepository).save(pi)
    await uow.repo(EventRepository).add_all(
        [
            new_event(
                event_type,
                after_pi if which == "pi" else after_charge,
                ctx=ctx,
                clock=clock,
                location_id=pi.location_id,
            )
            for event_type, which in events
        ]
    )
    if pi.invoice_id is not None and target != current:
        if target == S.SUCCEEDED:
            await invoice_payments().payment_succeeded(uow, pi, clock=clock, ctx=ctx)
        elif target == S.REQUIRES_PAYMENT_METHOD:
            await invoice_payments().payment_failed(uow, pi, clock=clock, ctx=ctx)
    return True


def _intent_event(status: PaymentIntentStatus) -> str:
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
