"""Advance-payment invoices: their VAT on receipt, and their deduction on the final
invoice (see :mod:`payments.invoices.domain.advance`).

``apply_advance`` names, on a draft final invoice, the paid advance-payment invoice it
deducts (``POST /v1/invoices/{id}/apply_advance``); the advance is reserved for it at
once (an advance is deducted by one invoice only) and the deduction happens when the
final invoice is finalized (:func:`deduct_at_finalization`), so that the final invoice
is issued with its prepaid amount (BT-113) and the reference to the advance (BT-25),
and every copy of it is the same document.

Ledger (see :mod:`payments.ledger.domain.postings`): an advance invoice is issued
``advance_invoiced`` (accounts_receivable -> customer_advances); each payment applied to
it makes the VAT of what was received payable (``advance_vat_due``: customer_advances
-> vat_payable); the final invoice, finalized as usual with its full VAT, is credited
with the advance (``advance_applied``: customer_advances and vat_payable ->
accounts_receivable), so the advance's VAT is not counted twice.
"""

from __future__ import annotations

from dataclasses import replace

from payments.events.service import record_event
from payments.invoices.domain.advance import ADVANCE, INVOICE, vat_due_on_receipt
from payments.invoices.domain.journal import sale_groups
from payments.invoices.domain.model import Invoice, InvoiceLine
from payments.invoices.domain.status import InvoiceStatus
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

PARAM = "advance_invoice"


def _refuse(message: str, code: str = "invoice_unexpected_state") -> InvalidRequest:
    return InvalidRequest(message, code=code, param=PARAM)


def check_deductible(final: Invoice, advance: Invoice) -> None:
    """``advance`` may be deducted on ``final``: a paid advance-payment invoice of the
    same customer, currency and seller, not deducted elsewhere, not larger than the
    final invoice's total. Raises :class:`InvalidRequest` naming ``advance_invoice``."""
    if advance.invoice_type != ADVANCE:
        raise _refuse(f"{advance.id} is not an advance-payment invoice.")
    if advance.status is not InvoiceStatus.PAID:
        raise _refuse(
            f"The advance invoice {advance.number or advance.id} is {advance.status}: only a "
            "paid advance can be deducted (its VAT is due on receipt)."
        )
    if advance.applied_to is not None and advance.applied_to != final.id:
        raise _refuse(
            f"The advance invoice {advance.number} is already deducted on {advance.applied_to}."
        )
    if advance.customer_id != final.customer_id:
        raise _refuse(
            f"The advance invoice {advance.number} is of another customer ({advance.customer_id})."
        )
    if advance.currency != final.currency:
        raise _refuse(
            f"The advance invoice {advance.number} is in {advance.currency}, this invoice in "
            f"{final.currency}.",
            code="currency_mismatch",
        )
    if advance.legal_entity_id != final.legal_entity_id:
        raise _refuse(
            f"The advance invoice {advance.number} was issued by another seller "
            f"({advance.legal_entity_id})."
        )
    if advance.total > final.total:
        raise _refuse(
            f"The advance invoice {advance.number} ({advance.total}) is larger than this "
            f"invoice's total ({final.total}): correct the advance with a credit note instead."
        )


async def apply_advance(
    invoice_id: str,
    advance_invoice_id: str,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> tuple[Invoice, list[InvoiceLine]]:
    """The draft ``invoice_id`` will deduct the paid advance ``advance_invoice_id`` when it
    is finalized; the advance is reserved for it now."""
    ctx.require(Permission.write_payments)
    async with uow_factory() as uow:
        # lock order: the final invoice, then the advance
        current = await visible_invoice(uow, invoice_id, ctx, for_update=True)
        if current.status is not InvoiceStatus.DRAFT:
            raise InvalidRequest(
                "An advance is deducted on the final invoice when it is issued: apply it to "
                f"a draft; this invoice is {current.status}.",
                code="invoice_unexpected_state",
                param="id",
            )
        if current.invoice_type != INVOICE:
            raise _refuse("An advance-payment invoice cannot deduct another advance.")
        if current.advance_invoice_id is not None:
            raise _refuse(
                f"This invoice already deducts the advance invoice {current.advance_invoice_id}."
            )
        advance = await visible_invoice(uow, advance_invoice_id, ctx, for_update=True, param=PARAM)
        check_deductible(current, advance)
        invoice = replace(current, advance_invoice_id=advance.id)
        await uow.repo(InvoiceRepository).save(invoice)
        await uow.repo(InvoiceRepository).save(replace(advance, applied_to=invoice.id))
        lines = await lines_of(uow, invoice.id)
        await record_event(
            uow,
            "invoice.updated",
            invoice_object(invoice, lines),
            ctx=ctx,
            clock=clock,
            location_id=invoice.location_id,
        )
        await uow.commit()
    return invoice, lines


async def deduct_at_finalization(uow: UnitOfWork, invoice: Invoice, clock: Clock) -> None:
    """Inside finalization (``invoice`` locked, its amounts final, not yet posted as paid):
    check its advance again, credit its receivable with it (``advance_applied``) and set
    ``prepaid_amount`` and ``amount_remaining``. The caller then posts and saves it."""
    if invoice.advance_invoice_id is None:
        return
    advance = await uow.repo(InvoiceRepository).get(invoice.advance_invoice_id, for_update=True)
    if advance is None:  # pragma: no cover - a foreign row never vanishes
        raise _refuse(f"No such advance invoice: {invoice.advance_invoice_id}")
    check_deductible(invoice, advance)
    invoice.prepaid_amount = advance.total
    invoice.amount_remaining = invoice.total - invoice.amount_paid - advance.total


async def post_deduction(uow: UnitOfWork, invoice: Invoice, clock: Clock) -> None:
    """After the final invoice's sale is posted: the advance credits its receivable."""
    if invoice.advance_invoice_id is None:
        return
    advance = await uow.repo(InvoiceRepository).get(invoice.advance_invoice_id)
    if advance is None:  # pragma: no cover - checked by deduct_at_finalization
        raise _refuse(f"No such advance invoice: {invoice.advance_invoice_id}")
    await uow.repo(LedgerRepository).post(
        postings.advance_applied(
            sale_groups(advance.tax_breakdown, advance.currency),
            source=Source("invoice", invoice.id),
            advance_dimension=advance.id,
            receivable_dimension=invoice.id,
            description=f"advance invoice {advance.number} deducted on invoice {invoice.number}",
        ),
        when=clock.now(),
        location_id=invoice.location_id,
    )


async def vat_on_receipt(
    uow: UnitOfWork, invoice: Invoice, *, paid_before: int, payment_id: str, clock: Clock
) -> None:
    """A payment was applied to ``invoice`` (its ``amount_paid`` already increased): if it
    is an advance-payment invoice, the VAT of what was received becomes payable."""
    if invoice.invoice_type != ADVANCE:
        return
    due = vat_due_on_receipt(
        invoice.tax_breakdown,
        total=invoice.total,
        paid_before=paid_before,
        paid_after=invoice.amount_paid,
    )
    groups = [
        replace(group, tax=Money(amount, invoice.currency))
        for group, amount in zip(
            sale_groups(invoice.tax_breakdown, invoice.currency), due, strict=True
        )
        if amount
    ]
    if not groups:
        return
    await uow.repo(LedgerRepository).post(
        postings.advance_vat_due(
            groups,
            source=Source("invoice_payment", payment_id),
            advance_dimension=invoice.id,
            description=f"VAT due on receipt: advance invoice {invoice.number}",
        ),
        when=clock.now(),
        location_id=invoice.location_id,
    )
