"""A reader's action finished: apply the gateway's ``terminal.reader.action_*`` event.

The event carries the reader (its action ``succeeded`` or ``failed``) and, for a
payment, the charge the card made. In one transaction: the action is found (still in
progress: a repeated or late event finds none and changes nothing), the card-present
payment method and the charge are stored, the intent takes the card (attached and
confirmed, as Stripe's reader does) and the charge result is applied as any other
(ledger, events, the invoice it pays); a refund to the presented card is recorded as a
refund made at the gateway. The reader's event is recorded for webhooks.
"""

from __future__ import annotations

from dataclasses import replace

from payments.events.service import record_event
from payments.gateways.protocol import (
    ChargeResult,
    GatewayEvent,
    GatewayInvalidRequest,
    PaymentGateway,
    RefundResult,
    TerminalReaders,
)
from payments.intents.domain.charge_result import details_dict
from payments.intents.domain.model import Charge, ChargeStatus, PaymentMethod
from payments.intents.domain.payment_intent import (
    InvalidTransition,
    Operation,
    PaymentIntentStatus,
    transition,
)
from payments.intents.repository import (
    ChargeRepository,
    PaymentIntentRepository,
    PaymentMethodRepository,
)
from payments.intents.service.apply import apply_charge_result
from payments.intents.service.gateway_call import gateway_call
from payments.kernel.clock import Clock
from payments.kernel.context import SYSTEM
from payments.kernel.ids import id_for
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.platform.logs import get_logger
from payments.refunds.service.apply import record_refund_made_at_gateway
from payments.terminal.domain import ActionStatus, ActionType, ReaderAction, ReaderStatus
from payments.terminal.render import reader_object
from payments.terminal.repository import ReaderActionRepository, ReaderRepository

log = get_logger("payments.terminal")


async def apply_reader_event(
    event: GatewayEvent,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
) -> str | None:
    """Apply one reader event; returns why it could not be applied, if it could not."""
    seen = event.reader
    if seen is None or seen.action is None:
        return "the reader event carries no action"
    event = await _with_objects(event, gateway)
    return await _apply(event, uow_factory=uow_factory, gateway=gateway.name, clock=clock)


async def _with_objects(event: GatewayEvent, gateway: PaymentGateway) -> GatewayEvent:
    """Stripe's reader event carries the reader only: the charge (the PaymentIntent) or
    the refund it made is read from the gateway, with no transaction open."""
    action = event.reader.action if event.reader else None
    if action is None or action.status == "in_progress":
        return event
    if action.type == "process_payment_intent" and event.charge is None and action.payment_intent:
        try:
            charge = await gateway_call(gateway.retrieve_charge(action.payment_intent))
        except GatewayInvalidRequest:  # no payment was made (the simulator's: none to read)
            return event
        if charge.status in ("succeeded", "requires_capture", "failed"):  # the card was read
            event = replace(event, charge=charge)
    if (
        action.type == "refund_payment"
        and event.refund is None
        and action.refund
        and isinstance(gateway, TerminalReaders)
    ):
        event = replace(event, refund=await gateway_call(gateway.retrieve_refund(action.refund)))
    return event


async def _apply(
    event: GatewayEvent, *, uow_factory: UnitOfWorkFactory, gateway: str, clock: Clock
) -> str | None:
    seen = event.reader
    if seen is None or seen.action is None:
        return "the reader event carries no action"
    kind = seen.action.type
    ref = {
        "process_payment_intent": seen.action.payment_intent,
        "refund_payment": seen.action.charge,
    }.get(kind)
    async with uow_factory() as uow:
        reader = await uow.repo(ReaderRepository).by_gateway_ref(gateway, seen.reference)
        if reader is None:
            return "no reader of ours has this reference"
        actions = uow.repo(ReaderActionRepository)
        found = await actions.in_progress(reader_id=reader.id, type=kind, gateway_ref=ref)
        if found is None and ref is not None:  # started, but its answer was lost
            found = await actions.in_progress_unlinked(reader_id=reader.id, type=kind)
            if found is not None:
                found.gateway_ref = ref
        if found is None:  # applied before, or canceled by us: nothing left to do
            log.info("reader_event_no_action", event_id=event.id, reader=reader.id, type=kind)
            return None
        action = await actions.get(found.id, for_update=True)
        if action is None or action.status != ActionStatus.in_progress:
            return None
        action.gateway_ref = action.gateway_ref or found.gateway_ref
        problem = None
        if action.type == ActionType.process_payment_intent and event.charge is not None:
            problem = await _payment(uow, action, event.charge, gateway=gateway, clock=clock)
        if (
            action.type == ActionType.refund_payment
            and event.refund is not None
            and seen.action.status == "succeeded"
        ):
            await _refund(uow, action, event.refund, clock=clock)
        action.status = ActionStatus(seen.action.status)
        action.failure_code = seen.action.failure_code
        action.failure_message = seen.action.failure_message
        action.completed_at = clock.now()
        await actions.save(action)
        reader.status = ReaderStatus(seen.status)
        await uow.repo(ReaderRepository).save(reader)
        await record_event(
            uow,
            event.type,
            reader_object(reader, action if reader.action_id == action.id else None),
            ctx=SYSTEM,
            clock=clock,
            location_id=reader.location_id,
        )
        await uow.commit()
    return problem


async def _payment(
    uow: UnitOfWork, action: ReaderAction, result: ChargeResult, *, gateway: str, clock: Clock
) -> str | None:
    """The card read at the reader: its method and charge stored, the intent attached
    and confirmed with it, and the gateway's result applied (ledger, events, invoice)."""
    pi = await uow.repo(PaymentIntentRepository).get(
        action.payment_intent_id or "", for_update=True
    )
    if pi is None:
        return f"the reader's PaymentIntent {action.payment_intent_id} is missing"
    now = clock.now()
    try:
        status = pi.status
        if status == PaymentIntentStatus.REQUIRES_PAYMENT_METHOD:
            status = transition(status, Operation.ATTACH_PAYMENT_METHOD)
        status = transition(status, Operation.CONFIRM)
    except InvalidTransition as exc:  # canceled meanwhile: the gateway's charge stays unapplied
        log.warning("reader_payment_not_applied", intent=pi.id, status=pi.status, reason=str(exc))
        return f"PaymentIntent {pi.id} no longer takes a payment ({pi.status})"
    details = details_dict(result.payment_method_details) if result.payment_method_details else {}
    method = PaymentMethod(
        id=id_for("payment_method"),
        type="card_present",
        gateway=gateway,
        gateway_ref=result.payment_method or result.reference,
        details=details.get("card_present", {}),
        created=now,
        location_id=pi.location_id,
        livemode=pi.livemode,
    )
    await uow.repo(PaymentMethodRepository).add(method)
    charge = Charge(
        id=id_for("charge"),
        payment_intent_id=pi.id,
        location_id=pi.location_id,
        amount=pi.amount,
        currency=pi.currency,
        status=ChargeStatus.pending,
        gateway=gateway,
        created=now,
        customer_id=pi.customer_id,
        payment_method_id=method.id,
        livemode=pi.livemode,
    )
    await uow.repo(ChargeRepository).add(charge)
    pi.status = status
    pi.payment_method_id = method.id
    pi.latest_charge_id = charge.id
    pi.last_payment_error = None
    await uow.repo(PaymentIntentRepository).save(pi)
    await apply_charge_result(uow, pi.id, charge.id, result, clock=clock, ctx=SYSTEM)
    action.charge_id = charge.id
    return None


async def _refund(
    uow: UnitOfWork, action: ReaderAction, result: RefundResult, *, clock: Clock
) -> None:
    charge = await uow.repo(ChargeRepository).get(action.charge_id or "", for_update=True)
    if charge is None:
        return
    refund = await record_refund_made_at_gateway(
        uow,
        charge,
        result,
        reason=action.details.get("reason"),
        requested_by=action.details.get("requested_by") or "system",
        requested_by_name=action.details.get("requested_by_name") or "reader",
        clock=clock,
    )
    action.refund_id = refund.id
    action.amount = refund.amount
