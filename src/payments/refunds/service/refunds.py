"""Refunds: create (partial or full), retrieve, list. Approve, reject and cancel are in
:mod:`payments.refunds.service.approvals`; status moves in :mod:`.refund_sync`.

Creating follows the three phases of :mod:`payments.intents.service.attempts`:

1. one transaction locks the charge's row (``FOR UPDATE``; SQLite serialises
   writers), sums the charge's refunds that are not failed or canceled, checks
   the new one fits in what was captured, applies the approval policy, stores
   the refund (``pending_approval``, or ``pending`` with its gateway attempt and
   ``refund_created`` posting), its event and its audit records, and commits --
   so concurrent requests, even through different processes, can never refund
   more than was captured; a payment that paid an invoice has its invoice locked
   first (then the charge) and its credit note issued before the refund
   (:mod:`.invoice_refunds`; invoicing's own credit notes call :func:`begin_refund`);
2. the gateway is called with no transaction open, the attempt id as key;
3. the answer is settled in a new transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from payments.events.service import record_event
from payments.gateways.protocol import PaymentGateway
from payments.idempotency.service import created_earlier, remember_created
from payments.intents.domain.model import Charge, GatewayAttempt
from payments.intents.repository import ChargeRepository, PaymentIntentRepository
from payments.intents.service.attempts import call_gateway, settle_attempt
from payments.intents.service.payment_intents import visible_intent
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.kernel.ids import id_for
from payments.kernel.metadata import validate_metadata
from payments.kernel.pagination import Page, PageRequest
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.refunds.domain.commands import CreateRefund, ListRefunds
from payments.refunds.domain.policy import RefundPolicy
from payments.refunds.domain.refund import (
    ChargeNotRefundable,
    Refund,
    RefundStatus,
    check_refundable,
    refund_amount,
)
from payments.refunds.render import refund_object
from payments.refunds.repository import RefundRepository
from payments.refunds.service.apply import audit_refund, send_refund
from payments.refunds.service.invoice_refunds import invoice_refunds

S = RefundStatus


async def visible_refund(
    uow: UnitOfWork, refund_id: str, ctx: RequestContext, *, for_update: bool = False
) -> Refund:
    refund = await uow.repo(RefundRepository).get(refund_id, for_update=for_update)
    if refund is None or not ctx.principal.sees_location(refund.location_id):
        raise NotFound.of("refund", refund_id)
    return refund


async def _charge_to_refund(uow: UnitOfWork, cmd: CreateRefund, ctx: RequestContext) -> Charge:
    """The charge named by ``charge`` or ``payment_intent``, locked for update."""
    charge_id, pi_id = cmd.charge, cmd.payment_intent
    if not charge_id and not pi_id:
        raise InvalidRequest(
            "Missing required param: payment_intent (or charge).",
            code="parameter_missing",
            param="payment_intent",
        )
    if pi_id:
        pi = await visible_intent(uow, pi_id, ctx)
        if charge_id and charge_id != pi.latest_charge_id:
            raise InvalidRequest(
                f"The charge {charge_id} is not the payment of PaymentIntent {pi_id}.",
                code="parameter_invalid",
                param="charge",
            )
        if pi.latest_charge_id is None:
            raise ChargeNotRefundable(
                f"This PaymentIntent has no payment to refund (status {pi.status}).",
                param="payment_intent",
            )
        charge_id = pi.latest_charge_id
    charge = await uow.repo(ChargeRepository).get(charge_id or "", for_update=True)
    if charge is None or not ctx.principal.sees_location(charge.location_id):
        raise NotFound.of("charge", charge_id or "", param="charge")
    return charge


async def run_refund_attempt(
    attempt: GatewayAttempt,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> None:
    """Phases 2 and 3. Raises 502 (not sent: the refund failed, nothing moved) or 400
    (the gateway refused) after recording the outcome."""
    outcome = await call_gateway(attempt, gateway)
    await settle_attempt(attempt.id, outcome, uow_factory=uow_factory, clock=clock, ctx=ctx)


@dataclass(frozen=True, slots=True)
class NewRefund:
    """A refund stored in phase 1, with its gateway attempt unless it awaits approval."""

    refund: Refund
    attempt: GatewayAttempt | None


async def refundable_amount(
    uow: UnitOfWork, charge: Charge, *, requested: int | None, currency: str | None = None
) -> int:
    """What a refund of ``charge`` (locked) will be: ``requested``, or all that is left."""
    check_refundable(
        charge_status=charge.status,
        captured=charge.captured,
        disputed=charge.disputed,
        currency=charge.currency,
        requested=currency,
    )
    reserved = await uow.repo(RefundRepository).reserved_for(charge.id)
    return refund_amount(requested, captured=charge.amount_captured, reserved=reserved)


async def begin_refund(
    uow: UnitOfWork,
    charge: Charge,
    *,
    refund_id: str,
    amount: int,
    reason: str | None,
    note: str | None,
    metadata: dict[str, str],
    policy: RefundPolicy,
    gateway: str,
    clock: Clock,
    ctx: RequestContext,
) -> NewRefund:
    """Phase 1 in the caller's unit of work, ``charge`` locked and ``amount`` checked
    (:func:`refundable_amount`): apply the approval policy, store the refund and its
    event, and send it (attempt, ``refund_created`` posting) unless it awaits approval.
    The caller records its audit (:func:`audit_new_refund`) last, then commits."""
    principal = ctx.principal
    reserved = await uow.repo(RefundRepository).reserved_for(charge.id)
    now = clock.now()
    approval = policy.approval_reason(
        role=principal.role,
        currency=charge.currency,
        refunded_total=reserved + amount,
        paid_at=charge.created,
        now=now,
    )
    refund = Refund(
        id=refund_id,
        charge_id=charge.id,
        payment_intent_id=charge.payment_intent_id,
        location_id=charge.location_id,
        amount=amount,
        currency=charge.currency,
        status=S.PENDING_APPROVAL if approval else S.PENDING,
        gateway=charge.gateway,
        created=now,
        requested_by=principal.api_key_id,
        requested_by_name=principal.name,
        reason=reason,
        note=note,
        approval_reason=approval.value if approval else None,
        sent_at=None if approval else now,
        metadata=metadata,
        livemode=charge.livemode,
    )
    await uow.repo(RefundRepository).add(refund)
    await record_event(
        uow,
        "refund.created",
        refund_object(refund),
        ctx=ctx,
        clock=clock,
        location_id=refund.location_id,
    )
    attempt = None
    if approval is None:
        attempt = await send_refund(uow, refund, charge, gateway=gateway, clock=clock, ctx=ctx)
    return NewRefund(refund, attempt)


async def audit_new_refund(
    uow: UnitOfWork, new: NewRefund, *, clock: Clock, ctx: RequestContext
) -> None:
    refund = new.refund
    requested = {
        k: v
        for k, v in refund_object(refund).items()
        if k in ("amount", "currency", "status", "reason", "note", "payment_intent", "charge")
    } | {"approval_required_because": refund.approval_reason}
    await audit_refund(
        uow, "refund.requested", refund, before=None, after=requested, clock=clock, ctx=ctx
    )
    if new.attempt is not None:
        await audit_refund(
            uow,
            "refund.sent",
            refund,
            before=None,
            after={"amount": refund.amount, "attempt": new.attempt.id},
            clock=clock,
            ctx=ctx,
        )


async def create_refund(
    cmd: CreateRefund,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
    policy: RefundPolicy,
) -> Refund:
    ctx.require(Permission.write_refunds)
    metadata = validate_metadata(dict(cmd.metadata))
    reason = cmd.reason.value if cmd.reason else None
    async with uow_factory() as uow:  # phase 1
        earlier = await created_earlier(uow, ctx, "refund")
        if earlier is not None:  # a retry after a crash: the refund exists already
            return await visible_refund(uow, earlier, ctx)
        invoice_id = await _invoice_of(uow, cmd, ctx)
        if invoice_id is not None:  # lock order: the invoice, then the charge
            await invoice_refunds().lock_invoice(uow, invoice_id)
        charge = await _charge_to_refund(uow, cmd, ctx)
        amount = await refundable_amount(uow, charge, requested=cmd.amount, currency=cmd.currency)
        refund_id = id_for("refund")
        if invoice_id is not None:  # its credit note first: it may refuse the refund
            await invoice_refunds().refund_requested(
                uow,
                invoice_id=invoice_id,
                refund_id=refund_id,
                amount=amount,
                currency=charge.currency,
                reason=reason,
                clock=clock,
                ctx=ctx,
            )
        new = await begin_refund(
            uow,
            charge,
            refund_id=refund_id,
            amount=amount,
            reason=reason,
            note=cmd.note,
            metadata=metadata,
            policy=policy,
            gateway=gateway.name,
            clock=clock,
            ctx=ctx,
        )
        await remember_created(uow, ctx, "refund", refund_id)
        await audit_new_refund(uow, new, clock=clock, ctx=ctx)
        await uow.commit()
    if new.attempt is not None:
        await run_refund_attempt(
            new.attempt, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx
        )
    return await retrieve_refund(refund_id, uow_factory=uow_factory, ctx=ctx)


async def _invoice_of(uow: UnitOfWork, cmd: CreateRefund, ctx: RequestContext) -> str | None:
    """The invoice the payment to refund paid, if any (read without a lock)."""
    pi_id = cmd.payment_intent
    if not pi_id and cmd.charge:
        charge = await uow.repo(ChargeRepository).get(cmd.charge)
        pi_id = charge.payment_intent_id if charge is not None else None
    if not pi_id:
        return None
    pi = await uow.repo(PaymentIntentRepository).get(pi_id)
    if pi is None or not ctx.principal.sees_location(pi.location_id):
        return None
    return pi.invoice_id


async def retrieve_refund(
    refund_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Refund:
    async with uow_factory() as uow:
        return await visible_refund(uow, refund_id, ctx)


async def list_refunds(
    query: ListRefunds,
    page: PageRequest,
    *,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
) -> Page[Refund]:
    async with uow_factory() as uow:
        return await uow.repo(RefundRepository).list_page(
            page,
            equals={
                "payment_intent_id": query.payment_intent,
                "charge_id": query.charge,
                "status": query.status,
            },
            created=query.created,
            location_id=ctx.list_location(query.location),
        )
