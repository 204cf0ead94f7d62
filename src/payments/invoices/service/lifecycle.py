"""Void, mark uncollectible, send: the status moves of a finalized invoice that are not
payments. Each is one transaction with its event (and, for void, its posting)."""

from __future__ import annotations

from dataclasses import replace

from payments.events.service import record_event
from payments.intents.domain.payment_intent import PaymentIntentStatus as PIS
from payments.intents.repository import PaymentIntentRepository
from payments.invoices.domain.advance import ADVANCE
from payments.invoices.domain.journal import sale_groups
from payments.invoices.domain.model import Invoice, InvoiceLine
from payments.invoices.domain.status import (
    CreditNoteStatus,
    InvoiceOperation,
    invoice_transition,
)
from payments.invoices.notifier import Notifier
from payments.invoices.render import invoice_object
from payments.invoices.repository import InvoiceRepository
from payments.invoices.service.common import credit_notes_of, lines_of, visible_invoice
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest
from payments.kernel.money import Money
from payments.ledger.domain import postings
from payments.ledger.domain.journal import Source
from payments.ledger.repository import LedgerRepository
from payments.platform.db.uow import UnitOfWorkFactory


async def void_invoice(
    invoice_id: str, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> tuple[Invoice, list[InvoiceLine]]:
    """Void an open or uncollectible invoice nothing was paid or credited on: its sale is
    reversed (``invoice_voided``) and it owes nothing. Its number stays used."""
    ctx.require(Permission.write_payments)
    async with uow_factory() as uow:
        current = await visible_invoice(uow, invoice_id, ctx, for_update=True)
        status = invoice_transition(current.status, InvoiceOperation.VOID)
        if current.amount_paid > 0:
            raise InvalidRequest(
                "Payments were made on this invoice: correct it with a credit note instead.",
                code="invoice_unexpected_state",
            )
        notes = [
            n
            for n in await credit_notes_of(uow, current.id)
            if n.status is not CreditNoteStatus.VOID
        ]
        if notes:
            raise InvalidRequest(
                f"Credit note {notes[0].number} corrects this invoice: void it first, or "
                "credit the rest with another credit note.",
                code="invoice_unexpected_state",
            )
        if current.payment_intent_id:
            pi = await uow.repo(PaymentIntentRepository).get(current.payment_intent_id)
            if pi is not None and pi.status in (PIS.PROCESSING, PIS.REQUIRES_ACTION):
                raise InvalidRequest(
                    f"A payment of this invoice is in progress ({pi.id}, {pi.status}).",
                    code="invoice_payment_in_progress",
                )
        if current.prepaid_amount:
            raise InvalidRequest(
                f"This invoice deducts the advance invoice {current.advance_invoice_id}: "
                "correct it with a credit note instead.",
                code="invoice_unexpected_state",
            )
        invoice = replace(current)
        now = clock.now()
        if invoice.total > 0 and invoice.invoice_type == ADVANCE:
            await uow.repo(LedgerRepository).post(
                postings.advance_voided(
                    Money(invoice.total, invoice.currency),
                    source=Source("invoice", invoice.id),
                    receivable_dimension=invoice.id,
                    description=f"advance invoice {invoice.number} voided",
                ),
                when=now,
                location_id=invoice.location_id,
            )
        elif invoice.total > 0:
            await uow.repo(LedgerRepository).post(
                postings.invoice_voided(
                    sale_groups(invoice.tax_breakdown, invoice.currency),
                    source=Source("invoice", invoice.id),
                    receivable_dimension=invoice.id,
                    description=f"invoice {invoice.number} voided",
                ),
                when=now,
                location_id=invoice.location_id,
            )
        invoice.status = status
        invoice.voided_at = now
        invoice.amount_remaining = 0
        await uow.repo(InvoiceRepository).save(invoice)
        lines = await lines_of(uow, invoice.id)
        await record_event(
            uow,
            "invoice.voided",
            invoice_object(invoice, lines),
            ctx=ctx,
            clock=clock,
            location_id=invoice.location_id,
        )
        await uow.commit()
    return invoice, lines


async def mark_uncollectible(
    invoice_id: str, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> tuple[Invoice, list[InvoiceLine]]:
    """The customer is not expected to pay. The receivable stays on the books (it is
    still owed, and may still be paid); writing it off is finance's period-end entry."""
    ctx.require(Permission.write_payments)
    async with uow_factory() as uow:
        current = await visible_invoice(uow, invoice_id, ctx, for_update=True)
        status = invoice_transition(current.status, InvoiceOperation.MARK_UNCOLLECTIBLE)
        invoice = replace(current, status=status, marked_uncollectible_at=clock.now())
        await uow.repo(InvoiceRepository).save(invoice)
        lines = await lines_of(uow, invoice.id)
        await record_event(
            uow,
            "invoice.marked_uncollectible",
            invoice_object(invoice, lines),
            ctx=ctx,
            clock=clock,
            location_id=invoice.location_id,
        )
        await uow.commit()
    return invoice, lines


async def send_invoice(
    invoice_id: str,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
    notifier: Notifier,
) -> tuple[Invoice, list[InvoiceLine]]:
    """Send a finalized invoice to the customer's e-mail address: ``invoice.sent`` is
    recorded, then the notifier delivers it (after the commit: no transaction waits on
    a mail server)."""
    ctx.require(Permission.write_payments)
    async with uow_factory() as uow:
        current = await visible_invoice(uow, invoice_id, ctx, for_update=True)
        status = invoice_transition(current.status, InvoiceOperation.SEND)
        if not current.customer_email:
            raise InvalidRequest(
                "The invoice's customer has no e-mail address to send it to.",
                code="invoice_customer_incomplete",
                param="customer",
            )
        invoice = replace(current, status=status, sent_at=clock.now())
        await uow.repo(InvoiceRepository).save(invoice)
        lines = await lines_of(uow, invoice.id)
        snapshot = invoice_object(invoice, lines)
        await record_event(
            uow, "invoice.sent", snapshot, ctx=ctx, clock=clock, location_id=invoice.location_id
        )
        await uow.commit()
    await notifier.invoice_sent(snapshot, to=current.customer_email)
    return invoice, lines
