"""Phase 1 of a credit note, in the caller's transaction: lines priced, limits checked,
numbered, posted, the invoice's amounts updated, events recorded, refunds begun."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from payments.events.service import record_event
from payments.intents.domain.model import Charge
from payments.intents.domain.payment_intent import PaymentIntentStatus
from payments.intents.repository import ChargeRepository, PaymentIntentRepository
from payments.invoices.domain.advance import ADVANCE
from payments.invoices.domain.commands import CreateCreditNote
from payments.invoices.domain.credit_note import REFUND_REASONS, CreditNoteReason, settle
from payments.invoices.domain.journal import credit_settlement, sale_groups
from payments.invoices.domain.model import CreditNote, CreditNoteLine, Invoice
from payments.invoices.domain.pricing import calculate, priced
from payments.invoices.domain.status import (
    CreditNoteStatus,
    InvoiceOperation,
    InvoiceStatus,
    invoice_transition,
)
from payments.invoices.render import credit_note_object, invoice_object
from payments.invoices.repository import (
    CreditNoteLineRepository,
    CreditNoteRepository,
    InvoiceRepository,
    NumberSeriesRepository,
)
from payments.invoices.service.common import credit_notes_of, lines_of, local_date, shop
from payments.invoices.service.credit_notes.lines import (
    _credited_quantities,
    _lines_by_amount,
    _lines_given,
    _parties,
)
from payments.invoices.service.finalize import SERIES_CREDIT_NOTE
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest
from payments.kernel.ids import id_for
from payments.kernel.metadata import validate_metadata
from payments.ledger.domain import postings
from payments.ledger.domain.journal import Source
from payments.ledger.repository import LedgerRepository
from payments.legal_entities.domain import render_number
from payments.legal_entities.service import get_legal_entity
from payments.platform.db.uow import UnitOfWork
from payments.refunds.domain.policy import RefundPolicy
from payments.refunds.service.refunds import NewRefund, begin_refund, refundable_amount

CREDITABLE = (InvoiceStatus.OPEN, InvoiceStatus.PAID, InvoiceStatus.UNCOLLECTIBLE)


def _creditable(invoice: Invoice) -> None:
    if invoice.status not in CREDITABLE:
        raise InvalidRequest(
            f"A credit note corrects a finalized invoice; this one is {invoice.status}.",
            code="invoice_unexpected_state",
            param="invoice",
        )
    if invoice.invoice_type == ADVANCE:
        raise InvalidRequest(
            "An advance-payment invoice is settled by deducting it on the final invoice "
            "(apply_advance), not corrected by a credit note.",
            code="invoice_unexpected_state",
            param="invoice",
        )


async def _refund_sources(
    uow: UnitOfWork, invoice: Invoice, amount: int
) -> list[tuple[Charge, int]]:
    """Which of the invoice's payments refund ``amount`` (newest first), charges locked."""
    if amount == 0:
        return []
    plan: list[tuple[Charge, int]] = []
    left = amount
    intents = await uow.repo(PaymentIntentRepository).of_invoice(invoice.id)
    for pi in reversed(intents):
        if left == 0:
            break
        if pi.status is not PaymentIntentStatus.SUCCEEDED or pi.latest_charge_id is None:
            continue
        charge = await uow.repo(ChargeRepository).get(pi.latest_charge_id, for_update=True)
        if charge is None:
            continue
        try:
            available = await refundable_amount(uow, charge, requested=None)
        except InvalidRequest:  # refunded in full, disputed, ...
            continue
        take = min(available, left)
        plan.append((charge, take))
        left -= take
    if left:
        raise InvalidRequest(
            f"Only {amount - left} of refund_amount ({amount}) can be refunded through the "
            "invoice's payments (the rest was paid out of band, is disputed or refunded): "
            "use credit_amount or out_of_band_amount for it.",
            code="amount_too_large",
            param="refund_amount",
        )
    return plan


async def _issue(
    uow: UnitOfWork,
    invoice: Invoice,
    *,
    build: CreateCreditNote,
    reason: CreditNoteReason | None,
    refund_ids: Sequence[tuple[str, int]] | None,
    policy: RefundPolicy | None,
    gateway: str,
    clock: Clock,
    ctx: RequestContext,
) -> tuple[CreditNote, list[CreditNoteLine], list[NewRefund]]:
    """Phase 1 of a credit note on the locked ``invoice``, in the caller's transaction.

    ``refund_ids``: the refunds already requested (a refund through the refunds API);
    None: refund ``build.refund_amount`` through the invoice's payments now."""
    _creditable(invoice)
    inv_lines = await lines_of(uow, invoice.id)
    notes = [
        n for n in await credit_notes_of(uow, invoice.id) if n.status is not CreditNoteStatus.VOID
    ]
    note_id = id_for("credit_note")
    if build.lines and build.amount is not None:
        raise InvalidRequest("Give either lines or amount, not both.", param="amount")
    if build.lines:
        credited = await _credited_quantities(uow, notes)
        lines = _lines_given(note_id, build.lines, inv_lines, credited, clock)
    elif build.amount is not None:
        lines = _lines_by_amount(note_id, build.amount, invoice, inv_lines, clock)
    else:
        raise InvalidRequest(
            "Missing required param: lines (or amount).", code="parameter_missing", param="lines"
        )
    seller, buyer = _parties(invoice)
    if invoice.tax_point is None:
        raise InvalidRequest("The invoice is not finalized.", param="invoice")
    calc = calculate(
        lines, seller=seller, buyer=buyer, currency=invoice.currency, tax_point=invoice.tax_point
    )
    amounts = priced(lines, calc, seller_country=seller.country)
    settlement = settle(
        amounts.total,
        amount_remaining=invoice.amount_remaining,
        creditable_after_payment=invoice.amount_paid - invoice.post_payment_credit_notes_amount,
        credited_so_far=sum(n.total for n in notes),
        invoice_total=invoice.total,
        refund=build.refund_amount,
        credit=build.credit_amount,
        out_of_band=build.out_of_band_amount,
    )
    plan: list[tuple[Charge, int]] = []
    refunds: list[dict[str, object]]
    if refund_ids is None:
        plan = await _refund_sources(uow, invoice, settlement.refund)
        refunds = [{"refund": id_for("refund"), "amount_refunded": amount} for _, amount in plan]
    else:
        refunds = [{"refund": rid, "amount_refunded": amount} for rid, amount in refund_ids]
    location = await shop(uow, ctx, invoice.location_id)
    entity = await get_legal_entity(uow, invoice.legal_entity_id, param="invoice")
    now = clock.now()
    today = local_date(now, location)
    seq = await uow.repo(NumberSeriesRepository).next_value(
        entity.id, SERIES_CREDIT_NOTE, today.year
    )
    note = CreditNote(
        id=note_id,
        number=render_number(
            entity.credit_note_number_pattern,
            prefix=entity.invoice_prefix,
            year=today.year,
            seq=seq,
        ),
        status=CreditNoteStatus.ISSUED,
        invoice_id=invoice.id,
        customer_id=invoice.customer_id,
        location_id=invoice.location_id,
        legal_entity_id=entity.id,
        currency=invoice.currency,
        created=now,
        effective_at=now,
        issue_date=today,
        reason=reason.value if reason else None,
        memo=build.memo or None,
        subtotal=amounts.subtotal,
        subtotal_excluding_tax=amounts.subtotal_excluding_tax,
        tax=amounts.tax,
        total=amounts.total,
        total_excluding_tax=amounts.total_excluding_tax,
        amount=amounts.total,
        pre_payment_amount=settlement.pre_payment,
        post_payment_amount=settlement.post_payment,
        refund_amount=settlement.refund,
        credit_amount=settlement.credit,
        out_of_band_amount=settlement.out_of_band,
        tax_breakdown=amounts.tax_breakdown,
        tax_notes=amounts.tax_notes,
        refunds=refunds,
        metadata=validate_metadata(dict(build.metadata)),
    )
    await uow.repo(CreditNoteRepository).add(note)
    await uow.repo(CreditNoteLineRepository).add_all(lines)
    await post_credit_note(uow, note, invoice, voided=False, when=now)
    updated = replace(invoice)
    updated.pre_payment_credit_notes_amount += note.pre_payment_amount
    updated.post_payment_credit_notes_amount += note.post_payment_amount
    updated.amount_due -= note.pre_payment_amount
    updated.amount_remaining -= note.pre_payment_amount
    invoice_event = "invoice.updated"
    if note.pre_payment_amount and updated.amount_remaining == 0:
        updated.status = invoice_transition(updated.status, InvoiceOperation.CREDIT)
        updated.paid_at = now
        invoice_event = "invoice.paid"
    await uow.repo(InvoiceRepository).save(updated)
    await record_event(
        uow,
        "credit_note.created",
        credit_note_object(note, lines),
        ctx=ctx,
        clock=clock,
        location_id=note.location_id,
    )
    await record_event(
        uow,
        invoice_event,
        invoice_object(updated, inv_lines),
        ctx=ctx,
        clock=clock,
        location_id=updated.location_id,
    )
    new_refunds: list[NewRefund] = []
    if policy is not None:
        refund_reason = REFUND_REASONS[reason] if reason else None
        for (charge, amount), entry in zip(plan, refunds, strict=True):
            new_refunds.append(
                await begin_refund(
                    uow,
                    charge,
                    refund_id=str(entry["refund"]),
                    amount=amount,
                    reason=refund_reason,
                    note=f"credit note {note.number}",
                    metadata={"credit_note": note.id, "invoice": invoice.id},
                    policy=policy,
                    gateway=gateway,
                    clock=clock,
                    ctx=ctx,
                )
            )
    return note, lines, new_refunds


async def post_credit_note(
    uow: UnitOfWork, note: CreditNote, invoice: Invoice, *, voided: bool, when: datetime
) -> None:
    """Post ``credit_note_issued`` (the sale reversed per VAT group, and settled), or on
    voiding ``credit_note_voided`` (that posting negated)."""
    make = postings.credit_note_voided if voided else postings.credit_note_issued
    what = "voided" if voided else f"on invoice {invoice.number}"
    await uow.repo(LedgerRepository).post(
        make(
            sale_groups(note.tax_breakdown, note.currency),
            credit_settlement(
                note.currency,
                pre_payment=note.pre_payment_amount,
                refund=note.refund_amount,
                credit=note.credit_amount,
                out_of_band=note.out_of_band_amount,
            ),
            source=Source("credit_note", note.id),
            receivable_dimension=invoice.id,
            customer_dimension=invoice.customer_id,
            description=f"credit note {note.number} {what}",
        ),
        when=when,
        location_id=note.location_id,
    )
