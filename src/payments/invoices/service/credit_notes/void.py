"""Voiding a credit note: its posting reversed, refused once anything of it was refunded."""

from __future__ import annotations

from dataclasses import replace

from payments.events.service import record_event
from payments.invoices.domain.model import CreditNote, CreditNoteLine
from payments.invoices.domain.status import (
    CreditNoteOperation,
    InvoiceStatus,
    credit_note_transition,
)
from payments.invoices.render import credit_note_object, invoice_object
from payments.invoices.repository import CreditNoteRepository, InvoiceRepository
from payments.invoices.service.common import (
    credit_note_lines,
    lines_of,
    visible_credit_note,
    visible_invoice,
)
from payments.invoices.service.credit_notes.issue import post_credit_note
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest
from payments.platform.db.uow import UnitOfWorkFactory
from payments.refunds.domain.refund import RefundStatus
from payments.refunds.repository import RefundRepository

_NOTHING_REFUNDED = (RefundStatus.FAILED, RefundStatus.CANCELED)


async def void_credit_note(
    note_id: str, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> tuple[CreditNote, list[CreditNoteLine]]:
    ctx.require(Permission.write_refunds)
    async with uow_factory() as uow:
        found = await visible_credit_note(uow, note_id, ctx)
        invoice = await visible_invoice(uow, found.invoice_id, ctx, for_update=True)  # first
        note = await visible_credit_note(uow, note_id, ctx, for_update=True)
        status = credit_note_transition(note.status, CreditNoteOperation.VOID)
        for entry in note.refunds:
            refund = await uow.repo(RefundRepository).get(str(entry["refund"]))
            if refund is not None and refund.status not in _NOTHING_REFUNDED:
                raise InvalidRequest(
                    f"Refund {refund.id} of this credit note is {refund.status}: a credit note "
                    "is voided only while nothing of it was refunded.",
                    code="credit_note_unexpected_state",
                )
        if note.pre_payment_amount and invoice.status == InvoiceStatus.PAID:
            raise InvalidRequest(
                "The invoice is paid: the part of this credit note that reduced what it owed "
                "cannot be owed again. Issue another document instead.",
                code="credit_note_unexpected_state",
            )
        lines = await credit_note_lines(uow, note.id)
        now = clock.now()
        await post_credit_note(uow, note, invoice, voided=True, when=now)
        note = replace(note, status=status, voided_at=now)
        updated = replace(invoice)
        updated.pre_payment_credit_notes_amount -= note.pre_payment_amount
        updated.post_payment_credit_notes_amount -= note.post_payment_amount
        updated.amount_due += note.pre_payment_amount
        updated.amount_remaining += note.pre_payment_amount
        await uow.repo(CreditNoteRepository).save(note)
        await uow.repo(InvoiceRepository).save(updated)
        await record_event(
            uow,
            "credit_note.voided",
            credit_note_object(note, lines),
            ctx=ctx,
            clock=clock,
            location_id=note.location_id,
        )
        await record_event(
            uow,
            "invoice.updated",
            invoice_object(updated, await lines_of(uow, updated.id)),
            ctx=ctx,
            clock=clock,
            location_id=updated.location_id,
        )
        await uow.commit()
    return note, lines
