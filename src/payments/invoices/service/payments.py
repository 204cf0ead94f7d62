"""Paying an invoice: out of band, or through a PaymentIntent off-session.

``pay`` with ``paid_out_of_band=true`` records that the money arrived outside the
gateway (cash at the counter, a transfer to the bank): one transaction, posted
``invoice_paid_out_of_band``.

Otherwise the invoice is charged through the PaymentIntents machinery, so every rule of
payments holds (attempt recorded before the call, idempotency key from it, no
transaction open across it, recovery of unknown outcomes):

0. the payment method (the one given, else the invoice's ``default_payment_method``,
   else the customer's newest saved method) is resolved, a gateway test id tokenized,
   with no transaction open;
1. one transaction locks the invoice, refuses it unless it is open (or uncollectible)
   with no payment in flight, and creates (or reuses) its PaymentIntent for what it
   still owes, with ``invoice`` set;

Lock order: a settling payment holds its intent and charge, then takes the invoice;
so invoicing never waits for an intent's lock while it holds an invoice's (it reads the
intent instead, and the confirm locks it alone).
2. the intent is confirmed off-session (:func:`payments.intents.service.flow.confirm_payment_intent`).

Whichever path brings the gateway's answer (this request, the recovery job, a gateway
event), :class:`InvoicePaymentsListener` applies it in the intent's own transaction:
the payment is allocated (``invoice_payment``: revenue_clearing -> accounts_receivable,
anything beyond what is owed -> customer_credit) and the invoice is paid; a failed
attempt records ``invoice.payment_failed``.
"""

from __future__ import annotations

from dataclasses import replace

from payments.events.service import record_event
from payments.gateways.protocol import PaymentGateway
from payments.intents.domain.commands import (
    AcceptedMethodType,
    ConfirmPaymentIntent,
    CreatePaymentIntent,
)
from payments.intents.domain.model import PaymentIntent
from payments.intents.domain.payment_intent import PaymentIntentStatus as PIS
from payments.intents.render import payment_intent_object
from payments.intents.repository import PaymentIntentRepository, PaymentMethodRepository
from payments.intents.service import flow
from payments.intents.service.payment_intents import new_payment_intent, resolve_payment_method
from payments.invoices.domain.commands import PayInvoice
from payments.invoices.domain.model import Invoice, InvoiceLine
from payments.invoices.domain.status import InvoiceOperation, InvoiceStatus, invoice_transition
from payments.invoices.render import invoice_object
from payments.invoices.repository import InvoiceRepository
from payments.invoices.service.common import lines_of, visible_invoice
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest
from payments.kernel.money import Money
from payments.ledger.domain import postings
from payments.ledger.domain.journal import Source
from payments.ledger.repository import LedgerRepository
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory

_REUSABLE = (PIS.REQUIRES_PAYMENT_METHOD, PIS.REQUIRES_CONFIRMATION)
_IN_FLIGHT = (PIS.PROCESSING, PIS.REQUIRES_ACTION, PIS.REQUIRES_CAPTURE)


def _payable(invoice: Invoice) -> None:
    invoice_transition(invoice.status, InvoiceOperation.PAY)
    if invoice.amount_remaining <= 0:
        raise InvalidRequest(
            "This invoice owes nothing.", code="invoice_unexpected_state", param="id"
        )


async def pay_invoice(
    cmd: PayInvoice,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
    max_amount: int,
) -> tuple[Invoice, list[InvoiceLine]]:
    ctx.require(Permission.write_payments)
    if cmd.paid_out_of_band:
        if cmd.payment_method:
            raise InvalidRequest(
                "Give either payment_method or paid_out_of_band=true, not both.",
                param="payment_method",
            )
        return await _paid_out_of_band(cmd.id, uow_factory=uow_factory, clock=clock, ctx=ctx)
    async with uow_factory() as uow:  # checked before the gateway tokenizes anything
        invoice = await visible_invoice(uow, cmd.id, ctx)
        _payable(invoice)
        method = cmd.payment_method or invoice.default_payment_method
        if method is None:
            newest = await uow.repo(PaymentMethodRepository).newest_of_customer(invoice.customer_id)
            method = newest.id if newest is not None else None
    if method is None:
        raise InvalidRequest(
            "The customer has no saved payment method: give payment_method, or "
            "paid_out_of_band=true for a payment made outside the service.",
            code="parameter_missing",
            param="payment_method",
        )
    pm = await resolve_payment_method(
        method, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx
    )
    async with uow_factory() as uow:  # phase 1: the invoice's intent
        invoice = await visible_invoice(uow, cmd.id, ctx, for_update=True)
        _payable(invoice)
        pi = await _intent_for(uow, invoice, clock=clock, ctx=ctx, max_amount=max_amount)
        invoice.payment_intent_id = pi.id
        invoice.attempt_count += 1
        await uow.repo(InvoiceRepository).save(invoice)
        await uow.commit()
    await flow.confirm_payment_intent(
        pi.id,
        ConfirmPaymentIntent(payment_method=pm.id, off_session=True),
        uow_factory=uow_factory,
        gateway=gateway,
        clock=clock,
        ctx=ctx,
    )
    async with uow_factory() as uow:
        invoice = await visible_invoice(uow, cmd.id, ctx)
        return invoice, await lines_of(uow, invoice.id)


async def intent_for_reader(
    invoice_id: str,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
    max_amount: int,
) -> PaymentIntent:
    """The invoice's PaymentIntent for a card read at a shop's reader (``card_present``):
    its waiting one if that accepts card_present and is for what it owes, else a new one
    (phase 1 of paying an invoice at the counter; the reader collects it)."""
    ctx.require(Permission.write_payments)
    async with uow_factory() as uow:
        invoice = await visible_invoice(uow, invoice_id, ctx, for_update=True, param="invoice")
        _payable(invoice)
        pi = await _intent_for(
            uow, invoice, clock=clock, ctx=ctx, max_amount=max_amount, types=("card_present",)
        )
        invoice.payment_intent_id = pi.id
        invoice.attempt_count += 1
        await uow.repo(InvoiceRepository).save(invoice)
        await uow.commit()
    return pi


async def _intent_for(
    uow: UnitOfWork,
    invoice: Invoice,
    *,
    clock: Clock,
    ctx: RequestContext,
    max_amount: int,
    types: tuple[AcceptedMethodType, ...] = (),
) -> PaymentIntent:
    """The invoice's waiting PaymentIntent for what it owes (accepting ``types``, if
    given), or a new one."""
    if invoice.payment_intent_id is not None:
        # read, not locked: the settlement of a payment locks the intent, then the invoice
        # (InvoicePaymentsListener); taking them here in the other order could deadlock.
        # The confirm that follows locks the intent and refuses a second attempt.
        current = await uow.repo(PaymentIntentRepository).get(invoice.payment_intent_id)
        if current is not None and current.status in _IN_FLIGHT:
            raise InvalidRequest(
                f"A payment of this invoice is in progress ({current.id}, {current.status}).",
                code="invoice_payment_in_progress",
            )
        if (
            current is not None
            and current.status in _REUSABLE
            and current.amount == invoice.amount_remaining
            and set(types) <= set(current.payment_method_types)
        ):
            return current
    pi = await new_payment_intent(
        uow,
        CreatePaymentIntent(
            amount=invoice.amount_remaining,
            currency=invoice.currency,
            location=invoice.location_id,
            customer=invoice.customer_id,
            description=f"Invoice {invoice.number}",
            metadata={"invoice": invoice.id, "invoice_number": invoice.number or ""},
            payment_method_types=types,
        ),
        None,
        ctx=ctx,
        clock=clock,
        max_amount=max_amount,
    )
    pi.invoice_id = invoice.id
    await uow.repo(PaymentIntentRepository).add(pi)
    await record_event(
        uow,
        "payment_intent.created",
        payment_intent_object(pi),
        ctx=ctx,
        clock=clock,
        location_id=pi.location_id,
    )
    return pi


async def _paid_out_of_band(
    invoice_id: str, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> tuple[Invoice, list[InvoiceLine]]:
    async with uow_factory() as uow:
        current = await visible_invoice(uow, invoice_id, ctx, for_update=True)
        _payable(current)
        if current.payment_intent_id is not None:
            pi = await uow.repo(PaymentIntentRepository).get(current.payment_intent_id)
            if pi is not None and pi.status in _IN_FLIGHT:
                raise InvalidRequest(
                    f"A payment of this invoice is in progress ({pi.id}, {pi.status}).",
                    code="invoice_payment_in_progress",
                )
        invoice = replace(current)
        now = clock.now()
        amount = invoice.amount_remaining
        await uow.repo(LedgerRepository).post(
            postings.invoice_paid_out_of_band(
                Money(amount, invoice.currency),
                source=Source("invoice", invoice.id),
                receivable_dimension=invoice.id,
                description=f"invoice {invoice.number} paid out of band",
            ),
            when=now,
            location_id=invoice.location_id,
        )
        invoice.amount_paid += amount
        invoice.amount_remaining = 0
        invoice.paid_out_of_band = True
        invoice.status = invoice_transition(invoice.status, InvoiceOperation.PAY)
        invoice.paid_at = now
        await uow.repo(InvoiceRepository).save(invoice)
        lines = await lines_of(uow, invoice.id)
        await record_event(
            uow,
            "invoice.paid",
            invoice_object(invoice, lines),
            ctx=ctx,
            clock=clock,
            location_id=invoice.location_id,
        )
        await uow.commit()
    return invoice, lines


class InvoicePaymentsListener:
    """Registered with payments (:func:`payments.intents.service.invoice_payments.
    register_invoice_payments`): an invoice's PaymentIntent succeeded or failed."""

    async def payment_succeeded(
        self, uow: UnitOfWork, pi: PaymentIntent, *, clock: Clock, ctx: RequestContext
    ) -> None:
        invoice = await uow.repo(InvoiceRepository).get(pi.invoice_id or "", for_update=True)
        if invoice is None:
            return
        owed = invoice.status in (InvoiceStatus.OPEN, InvoiceStatus.UNCOLLECTIBLE)
        applied = min(pi.amount_received, invoice.amount_remaining) if owed else 0
        excess = pi.amount_received - applied
        now = clock.now()
        if applied or excess:
            await uow.repo(LedgerRepository).post(
                postings.invoice_payment(
                    Money(applied, pi.currency),
                    source=Source("payment_intent", pi.id),
                    receivable_dimension=invoice.id,
                    excess=Money(excess, pi.currency),
                    customer_dimension=invoice.customer_id,
                    description=f"{pi.id} allocated to invoice {invoice.number}",
                ),
                when=now,
                location_id=invoice.location_id,
            )
        if not applied:
            return  # nothing was owed any more: the money is the customer's credit
        invoice.amount_paid += applied
        invoice.amount_remaining -= applied
        lines = await lines_of(uow, invoice.id)
        event = "invoice.updated"
        if invoice.amount_remaining == 0:
            invoice.status = invoice_transition(invoice.status, InvoiceOperation.PAY)
            invoice.paid_at = now
            event = "invoice.paid"
        await uow.repo(InvoiceRepository).save(invoice)
        await record_event(
            uow,
            event,
            invoice_object(invoice, lines),
            ctx=ctx,
            clock=clock,
            location_id=invoice.location_id,
        )

    async def payment_failed(
        self, uow: UnitOfWork, pi: PaymentIntent, *, clock: Clock, ctx: RequestContext
    ) -> None:
        invoice = await uow.repo(InvoiceRepository).get(pi.invoice_id or "")
        if invoice is None:
            return
        await record_event(
            uow,
            "invoice.payment_failed",
            invoice_object(invoice, await lines_of(uow, invoice.id)),
            ctx=ctx,
            clock=clock,
            location_id=invoice.location_id,
        )
