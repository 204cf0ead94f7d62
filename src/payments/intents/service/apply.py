"""Apply what the gateway says about a charge to our records, exactly once.

The rules are the pure :func:`payments.intents.domain.charge_result.reconcile_charge`;
this applier loads the intent and the charge (locked, in the one lock order: the
intent, then the charge), asks it, and stores its answer in the caller's unit of
work: the journal transactions, the intent and the charge, the events (showing the
objects as they are after the view), and, when the intent pays an invoice and its
status changed, the invoice's allocation or failure (:mod:`.invoice_payments`), and the
risk assessment's view of the result (:mod:`.risk`).
"""

from __future__ import annotations

from dataclasses import dataclass

from payments.events.repository import EventRepository
from payments.events.service import new_event
from payments.gateways.protocol import ChargeResult
from payments.intents.domain.charge_result import Ignored, Subject, reconcile_charge
from payments.intents.domain.model import PaymentIntent
from payments.intents.domain.payment_intent import PaymentIntentStatus
from payments.intents.render import charge_object, payment_intent_object
from payments.intents.repository import ChargeRepository, PaymentIntentRepository
from payments.intents.service.invoice_payments import invoice_payments
from payments.intents.service.risk import risk_assessment
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import must_exist
from payments.ledger.repository import LedgerRepository
from payments.platform.db.uow import UnitOfWork
from payments.platform.logs import get_logger

log = get_logger("payments.gateway_sync")


@dataclass(frozen=True, slots=True)
class AppliedChargeResult:
    intent: PaymentIntent  # as stored now
    changed: bool  # False: the view was applied before, or is ignored


async def apply_charge_result(
    uow: UnitOfWork,
    payment_intent_id: str,
    charge_id: str,
    result: ChargeResult,
    *,
    clock: Clock,
    ctx: RequestContext,
) -> AppliedChargeResult:
    """Reconcile the charge and its intent with ``result``, in ``uow`` (not committed)."""
    pi = must_exist(
        await uow.repo(PaymentIntentRepository).get(payment_intent_id, for_update=True),
        "payment_intent",
        payment_intent_id,
    )
    charge = must_exist(
        await uow.repo(ChargeRepository).get(charge_id, for_update=True), "charge", charge_id
    )
    now = clock.now()
    before = pi.status
    outcome = reconcile_charge(pi, charge, result, now=now)
    if isinstance(outcome, Ignored):
        log.info(
            outcome.value, intent=pi.id, charge=charge.id, status=pi.status, gateway=result.status
        )
        return AppliedChargeResult(pi, changed=False)
    if not outcome.changed:
        return AppliedChargeResult(outcome.intent, changed=False)
    pi, charge = outcome.intent, outcome.charge
    await uow.repo(LedgerRepository).post_all(
        list(outcome.journal), when=now, location_id=pi.location_id
    )
    await uow.repo(ChargeRepository).save(charge)
    await uow.repo(PaymentIntentRepository).save(pi)
    shown = {
        Subject.PAYMENT_INTENT: payment_intent_object(pi),
        Subject.CHARGE: charge_object(charge),
    }
    await uow.repo(EventRepository).add_all(
        [
            new_event(e.type, shown[e.subject], ctx=ctx, clock=clock, location_id=pi.location_id)
            for e in outcome.events
        ]
    )
    if pi.invoice_id is not None and pi.status != before:
        # the invoice it pays learns of it in the same transaction (a hook registered
        # by invoicing, which sits above payments)
        if pi.status == PaymentIntentStatus.SUCCEEDED:
            await invoice_payments().payment_succeeded(uow, pi, clock=clock, ctx=ctx)
        elif pi.status == PaymentIntentStatus.REQUIRES_PAYMENT_METHOD:
            await invoice_payments().payment_failed(uow, pi, clock=clock, ctx=ctx)
    # fraud prevention learns of every answer (declines, held payments) in this transaction
    await risk_assessment().charge_settled(uow, pi, charge, clock=clock, ctx=ctx)
    return AppliedChargeResult(pi, changed=True)
