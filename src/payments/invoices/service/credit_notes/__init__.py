"""Credit notes: the only correction of a finalized invoice.

Creating one is the refunds' three phases (:mod:`payments.refunds.service.refunds`):

1. one transaction locks the invoice (then, for refunds, its payments' charges: the
   same order as a refund requested through the refunds API), builds the credit
   lines (from invoice lines, custom lines, or an ``amount`` spread over the invoice's
   VAT groups), prices them with the invoice's frozen parties and tax point, checks the
   limits (:func:`payments.invoices.domain.credit_note.settle`), takes the next number
   of the seller's credit note series, posts ``credit_note_issued`` (the sale reversed
   per VAT group), updates the invoice's amounts (paid when nothing is owed any more),
   stores the refunds of ``refund_amount`` through the refunds service (its approval
   policy applies), records the events and audits, and commits;
2. and 3. each refund sent is called at the gateway and settled.

A refund requested through ``POST /v1/refunds`` of a payment that paid an invoice
gets its credit note from :class:`InvoiceRefundsListener`, in the refund's transaction.

Voiding a credit note reverses its posting; it is refused once anything of it was
refunded (or may still be: a refund awaiting approval or at the gateway).

Modules: :mod:`.lines` (the credit lines, validated), :mod:`.issue` (phase 1),
:mod:`.void`, :mod:`.listener` (credit notes of refunds); the use cases are here.
"""

from __future__ import annotations

from payments.gateways.protocol import PaymentGateway
from payments.idempotency.service import created_earlier, remember_created
from payments.invoices.domain.commands import CreateCreditNote, ListCreditNotes
from payments.invoices.domain.model import CreditNote, CreditNoteLine
from payments.invoices.repository import CreditNoteLineRepository, CreditNoteRepository
from payments.invoices.service.common import credit_note_lines, visible_credit_note, visible_invoice
from payments.invoices.service.credit_notes.issue import CREDITABLE, _issue
from payments.invoices.service.credit_notes.listener import InvoiceRefundsListener
from payments.invoices.service.credit_notes.void import void_credit_note
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import PaymentsError
from payments.kernel.pagination import Page, PageRequest
from payments.platform.db.uow import UnitOfWorkFactory
from payments.platform.logs import get_logger
from payments.refunds.domain.policy import RefundPolicy
from payments.refunds.service.refunds import audit_new_refund, run_refund_attempt

__all__ = [
    "CREDITABLE",
    "InvoiceRefundsListener",
    "create_credit_note",
    "list_credit_notes",
    "retrieve_credit_note",
    "void_credit_note",
]


log = get_logger("payments.invoices")


async def create_credit_note(
    cmd: CreateCreditNote,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
    policy: RefundPolicy,
) -> tuple[CreditNote, list[CreditNoteLine]]:
    ctx.require(Permission.write_refunds)
    reason = cmd.reason
    async with uow_factory() as uow:  # phase 1
        earlier = await created_earlier(uow, ctx, "credit_note")
        if earlier is not None:  # a retry after a crash: the credit note exists already
            found = await visible_credit_note(uow, earlier, ctx)
            return found, await credit_note_lines(uow, found.id)
        invoice = await visible_invoice(uow, cmd.invoice, ctx, for_update=True, param="invoice")
        note, lines, new_refunds = await _issue(
            uow,
            invoice,
            build=cmd,
            reason=reason,
            refund_ids=None,
            policy=policy,
            gateway=gateway.name,
            clock=clock,
            ctx=ctx,
        )
        await remember_created(uow, ctx, "credit_note", note.id)
        for new in new_refunds:  # the audit chain's lock is taken last
            await audit_new_refund(uow, new, clock=clock, ctx=ctx)
        await uow.commit()
    for new in new_refunds:  # phases 2 and 3 of each refund sent
        if new.attempt is None:
            continue
        try:
            await run_refund_attempt(
                new.attempt, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx
            )
        except PaymentsError as exc:  # the refund failed and says so; the note stands
            log.warning("credit_note_refund_failed", credit_note=note.id, error=exc.message)
    return note, lines


async def retrieve_credit_note(
    note_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> tuple[CreditNote, list[CreditNoteLine]]:
    async with uow_factory() as uow:
        note = await visible_credit_note(uow, note_id, ctx)
        return note, await credit_note_lines(uow, note.id)


async def list_credit_notes(
    query: ListCreditNotes,
    page: PageRequest,
    *,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
) -> Page[tuple[CreditNote, list[CreditNoteLine]]]:
    async with uow_factory() as uow:
        found = await uow.repo(CreditNoteRepository).list_page(
            page,
            equals={"invoice_id": query.invoice, "customer_id": query.customer},
            created=query.created,
            location_id=ctx.list_location(query.location),
        )
        repo = uow.repo(CreditNoteLineRepository)
        return Page([(n, await repo.of_credit_notes([n.id])) for n in found.data], found.has_more)
