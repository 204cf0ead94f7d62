"""Installments: create a plan, charge due installments (the worker), learn their
outcome, pay off early, cancel. See :mod:`payments.invoices.domain.installments`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from payments.events.service import record_event
from payments.gateways.protocol import PaymentGateway
from payments.intents.domain.commands import ConfirmPaymentIntent, CreatePaymentIntent
from payments.intents.domain.model import PaymentIntent
from payments.intents.domain.payment_intent import PaymentIntentStatus
from payments.intents.render import payment_intent_object
from payments.intents.repository import PaymentIntentRepository, PaymentMethodRepository
from payments.intents.service import flow
from payments.intents.service.payment_intents import new_payment_intent
from payments.invoices.domain.installments import (
    Installment,
    InstallmentStatus,
    add_months,
    after_failure,
    check_given,
    equal_amounts,
)
from payments.invoices.domain.model import Invoice
from payments.invoices.domain.status import InvoiceStatus
from payments.invoices.render import installment_object
from payments.invoices.repository import InstallmentRepository, InvoiceRepository
from payments.invoices.service.common import visible_invoice
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import SYSTEM, RequestContext
from payments.kernel.errors import CardError, InvalidRequest, NotFound, PaymentsError
from payments.kernel.ids import id_for
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.platform.logs import get_logger

log = get_logger("payments.installments")

#: The PaymentIntent's metadata key naming the installment it charges.
INSTALLMENT_METADATA_KEY = "invoice_installment"
SAVED_TYPES = ("card", "sepa_debit")
LEASE = timedelta(minutes=5)
_UNCONFIRMED = (
    PaymentIntentStatus.REQUIRES_PAYMENT_METHOD,
    PaymentIntentStatus.REQUIRES_CONFIRMATION,
)
NOT_SENT_RETRY = timedelta(minutes=10)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateInstallmentPlan:
    payment_method: str
    count: int | None = None  # equal installments...
    first_charge_at: datetime | None = None  # ... the first on this day (default: now)
    interval_months: int = 1
    installments: tuple[tuple[int, datetime], ...] = ()  # or given (amount, charge_at)


async def create_installment_plan(
    invoice_id: str,
    cmd: CreateInstallmentPlan,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> tuple[Invoice, list[Installment]]:
    ctx.require(Permission.write_payments)
    now = clock.now()
    if (cmd.count is None) == (not cmd.installments):
        raise InvalidRequest(
            "Give count (equal installments) or installments (amounts and dates), not both.",
            param="count",
        )
    async with uow_factory() as uow:
        invoice = await visible_invoice(uow, invoice_id, ctx, for_update=True)
        if invoice.status is not InvoiceStatus.OPEN or invoice.amount_remaining <= 0:
            raise InvalidRequest(
                "Only an open invoice that owes something is paid in installments.",
                code="invoice_unexpected_state",
            )
        repo = uow.repo(InstallmentRepository)
        if any(
            i.status is not InstallmentStatus.CANCELED for i in await repo.of_invoice(invoice.id)
        ):
            raise InvalidRequest(
                "This invoice has an installment plan already.",
                code="installment_plan_exists",
            )
        pm = await uow.repo(PaymentMethodRepository).get(cmd.payment_method)
        if pm is None or pm.customer_id != invoice.customer_id or pm.type not in SAVED_TYPES:
            raise InvalidRequest(
                "Installments are charged on a card or SEPA mandate saved for the invoice's "
                "customer (attach it first).",
                param="payment_method",
            )
        if cmd.count is not None:
            amounts = equal_amounts(invoice.amount_remaining, cmd.count)
            first = cmd.first_charge_at or now
            dates = [add_months(first, i * cmd.interval_months) for i in range(cmd.count)]
            date_param = "first_charge_at"
        else:
            amounts = [a for a, _ in cmd.installments]
            dates = [d for _, d in cmd.installments]
            check_given(invoice.amount_remaining, amounts, dates)
            date_param = "installments[0][date]"
        if dates[0] < now - timedelta(days=1):
            raise InvalidRequest("The first installment cannot be in the past.", param=date_param)
        made = [
            Installment(
                id=id_for("installment"),
                invoice_id=invoice.id,
                location_id=invoice.location_id,
                position=i,
                currency=invoice.currency,
                amount=amount,
                charge_at=when,
                status=InstallmentStatus.SCHEDULED,
                payment_method_id=pm.id,
                next_attempt_at=when,
                created=now,
            )
            for i, (amount, when) in enumerate(zip(amounts, dates, strict=True))
        ]
        await repo.add_all(made)
        await uow.commit()
    return invoice, made


async def retrieve_installment_plan(
    invoice_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> tuple[Invoice, list[Installment]]:
    ctx.require(Permission.read)
    async with uow_factory() as uow:
        invoice = await visible_invoice(uow, invoice_id, ctx)
        found = await uow.repo(InstallmentRepository).of_invoice(invoice.id)
    if not found:
        raise NotFound(f"The invoice {invoice_id} has no installment plan.")
    return invoice, found


async def cancel_installment_plan(
    invoice_id: str, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> tuple[Invoice, list[Installment]]:
    """Cancel the installments not charged yet (one being charged finishes)."""
    ctx.require(Permission.write_payments)
    async with uow_factory() as uow:
        invoice = await visible_invoice(uow, invoice_id, ctx, for_update=True)
        repo = uow.repo(InstallmentRepository)
        found = await repo.of_invoice(invoice.id)
        if not found:
            raise NotFound(f"The invoice {invoice_id} has no installment plan.")
        for inst in found:
            if inst.status is InstallmentStatus.SCHEDULED:
                inst.status = InstallmentStatus.CANCELED
                inst.next_attempt_at = None
                await repo.save(inst)
        await uow.commit()
    return invoice, found


async def payoff_method(
    invoice_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> str:
    """Early payoff: the plan's payment method, once no installment is being charged."""
    ctx.require(Permission.write_payments)
    async with uow_factory() as uow:
        invoice = await visible_invoice(uow, invoice_id, ctx)
        found = await uow.repo(InstallmentRepository).of_invoice(invoice.id)
    scheduled = [i for i in found if i.status is InstallmentStatus.SCHEDULED]
    if not scheduled:
        raise InvalidRequest(
            "This invoice has no scheduled installments to pay off.",
            code="installment_plan_unexpected_state",
        )
    if any(i.status is InstallmentStatus.PROCESSING for i in found):
        raise InvalidRequest(
            "An installment of this invoice is being charged; pay off once it has settled.",
            code="installment_in_progress",
        )
    return scheduled[0].payment_method_id


# ------------------------------------------------------------------ the worker


async def charge_due_installments(
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    max_amount: int,
    limit: int = 50,
) -> int:
    """Claim due installments (leased, SKIP LOCKED) and charge each; the number charged."""
    now = clock.now()
    async with uow_factory() as uow:
        claimed = await uow.repo(InstallmentRepository).claim_due(
            now, lease_until=now + LEASE, limit=limit
        )
        await uow.commit()
    charged = 0
    for inst in claimed:
        charged += await _charge(
            inst.id, uow_factory=uow_factory, gateway=gateway, clock=clock, max_amount=max_amount
        )
    return charged


async def _charge(
    installment_id: str,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    max_amount: int,
) -> int:
    async with uow_factory() as uow:
        repo = uow.repo(InstallmentRepository)
        peek = await repo.get(installment_id)
        if peek is None:
            return 0
        # lock order as a settling payment's (intent, invoice, installment): the invoice first
        invoice = await uow.repo(InvoiceRepository).get(peek.invoice_id, for_update=True)
        inst = await repo.get(installment_id, for_update=True)
        if inst is None:
            return 0
        if inst.status is InstallmentStatus.PROCESSING:
            # claimed after its lease ran out: its worker died after recording the intent.
            # Confirm it only if no attempt was ever made (or it provably failed to reach
            # the gateway); otherwise its outcome is on its way (recovery, gateway events).
            pi = await uow.repo(PaymentIntentRepository).get(inst.payment_intent_id or "")
            if pi is None or pi.status not in _UNCONFIRMED:
                return 0
        elif inst.status is not InstallmentStatus.SCHEDULED:
            return 0
        if (
            invoice is None
            or invoice.status is not InvoiceStatus.OPEN
            or not invoice.amount_remaining
        ):
            inst.status = InstallmentStatus.CANCELED  # paid (or closed) some other way
            inst.next_attempt_at = inst.locked_until = None
            await repo.save(inst)
            await uow.commit()
            return 0
        if inst.payment_intent_id is None:  # made once, in the transaction that records it
            pi = await _new_intent(uow, inst, invoice, clock=clock, max_amount=max_amount)
            inst.payment_intent_id = pi.id
        if inst.status is InstallmentStatus.SCHEDULED:
            inst.attempt_count += 1
        inst.status = InstallmentStatus.PROCESSING
        await repo.save(inst)
        await uow.commit()
    pi_id = inst.payment_intent_id
    try:
        await flow.confirm_payment_intent(
            pi_id,
            ConfirmPaymentIntent(payment_method=inst.payment_method_id, off_session=True),
            uow_factory=uow_factory,
            gateway=gateway,
            clock=clock,
            ctx=SYSTEM,
        )
    except CardError:
        pass  # the decline reached the installment through the intent (installment_failed)
    except PaymentsError as exc:
        log.warning("installment_charge_not_made", installment=inst.id, error=exc.message)
    await _not_made(installment_id, uow_factory=uow_factory, clock=clock)
    return 1


async def _new_intent(
    uow: UnitOfWork, inst: Installment, invoice: Invoice, *, clock: Clock, max_amount: int
) -> PaymentIntent:
    pi = await new_payment_intent(
        uow,
        CreatePaymentIntent(
            amount=min(inst.amount, invoice.amount_remaining),
            currency=invoice.currency,
            location=invoice.location_id,
            customer=invoice.customer_id,
            description=f"Invoice {invoice.number}, installment {inst.position + 1}",
            metadata={
                "invoice": invoice.id,
                "invoice_number": invoice.number or "",
                INSTALLMENT_METADATA_KEY: inst.id,
            },
        ),
        None,
        ctx=SYSTEM,
        clock=clock,
        max_amount=max_amount,
    )
    pi.invoice_id = invoice.id
    await uow.repo(PaymentIntentRepository).add(pi)
    await record_event(
        uow,
        "payment_intent.created",
        payment_intent_object(pi),
        ctx=SYSTEM,
        clock=clock,
        location_id=pi.location_id,
    )
    return pi


async def _not_made(installment_id: str, *, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
    """A confirm that provably moved nothing (the gateway unreachable, the intent back to
    requires_confirmation): the installment is tried again shortly."""
    async with uow_factory() as uow:
        repo = uow.repo(InstallmentRepository)
        inst = await repo.get(installment_id, for_update=True)
        if inst is None or inst.status is not InstallmentStatus.PROCESSING:
            return
        pi = await uow.repo(PaymentIntentRepository).get(inst.payment_intent_id or "")
        if pi is None or pi.status != PaymentIntentStatus.REQUIRES_CONFIRMATION:
            return  # in flight or settled: the intent's outcome reaches the installment
        inst.status = InstallmentStatus.SCHEDULED
        inst.next_attempt_at = clock.now() + NOT_SENT_RETRY
        inst.locked_until = None
        await repo.save(inst)
        await uow.commit()


# ------------------------------------------------- outcomes (the intent's transaction)


async def installment_succeeded(
    uow: UnitOfWork, pi: PaymentIntent, *, clock: Clock, ctx: RequestContext
) -> None:
    repo = uow.repo(InstallmentRepository)
    inst = await repo.of_payment_intent(pi.id)
    if inst is None or inst.status is InstallmentStatus.SUCCEEDED:
        return
    inst.status = InstallmentStatus.SUCCEEDED
    inst.paid_at = clock.now()
    inst.next_attempt_at = inst.locked_until = None
    inst.last_error = None
    await repo.save(inst)
    await record_event(
        uow,
        "invoice.installment_succeeded",
        installment_object(inst),
        ctx=ctx,
        clock=clock,
        location_id=inst.location_id,
    )


async def installment_failed(
    uow: UnitOfWork, pi: PaymentIntent, *, clock: Clock, ctx: RequestContext
) -> None:
    repo = uow.repo(InstallmentRepository)
    inst = await repo.of_payment_intent(pi.id)
    if inst is None or inst.status is not InstallmentStatus.PROCESSING:
        return
    now = clock.now()
    retry_at = after_failure(inst.attempt_count, now)
    inst.status = InstallmentStatus.SCHEDULED if retry_at else InstallmentStatus.FAILED
    inst.next_attempt_at = retry_at
    inst.locked_until = None
    inst.last_error = str((pi.last_payment_error or {}).get("message") or "declined")[:500]
    await repo.save(inst)
    await record_event(
        uow,
        "invoice.installment_failed",
        installment_object(inst),
        ctx=ctx,
        clock=clock,
        location_id=inst.location_id,
    )


def is_installment(pi: PaymentIntent) -> bool:
    return INSTALLMENT_METADATA_KEY in pi.metadata


def plan_payment_method(installments: Sequence[Installment]) -> str | None:
    return installments[0].payment_method_id if installments else None
