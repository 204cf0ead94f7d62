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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from payments.events.service import record_event
from payments.gateways.protocol import PaymentGateway
from payments.idempotency.service import created_earlier, remember_created
from payments.intents.domain.model import Charge
from payments.intents.domain.payment_intent import PaymentIntentStatus
from payments.intents.repository import ChargeRepository, PaymentIntentRepository
from payments.invoices.domain.advance import ADVANCE
from payments.invoices.domain.commands import CreateCreditNote, CreditLineInput, ListCreditNotes
from payments.invoices.domain.credit_note import (
    FROM_REFUND_REASON,
    REFUND_REASONS,
    CreditNoteReason,
    allocate_proportionally,
    prorated,
    settle,
)
from payments.invoices.domain.document import buyer_vat_id
from payments.invoices.domain.journal import credit_settlement, sale_groups
from payments.invoices.domain.lines import (
    LineKind,
    LineUnit,
    check_unit_amount,
    format_quantity,
    line_amount,
    parse_quantity,
)
from payments.invoices.domain.model import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from payments.invoices.domain.pricing import calculate, priced
from payments.invoices.domain.status import (
    CreditNoteOperation,
    CreditNoteStatus,
    InvoiceOperation,
    InvoiceStatus,
    credit_note_transition,
    invoice_transition,
)
from payments.invoices.render import credit_note_object, invoice_object
from payments.invoices.repository import (
    CreditNoteLineRepository,
    CreditNoteRepository,
    InvoiceRepository,
    NumberSeriesRepository,
)
from payments.invoices.service.common import (
    credit_note_lines,
    credit_notes_of,
    lines_of,
    local_date,
    shop,
    visible_credit_note,
    visible_invoice,
)
from payments.invoices.service.finalize import SERIES_CREDIT_NOTE
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound, PaymentsError
from payments.kernel.ids import id_for
from payments.kernel.metadata import validate_metadata
from payments.kernel.pagination import Page, PageRequest
from payments.ledger.domain import postings
from payments.ledger.domain.journal import Source
from payments.ledger.repository import LedgerRepository
from payments.legal_entities.domain import render_number
from payments.legal_entities.service import get_legal_entity
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.platform.logs import get_logger
from payments.refunds.domain.policy import RefundPolicy
from payments.refunds.domain.refund import InvalidRefundAmount, RefundStatus
from payments.refunds.repository import RefundRepository
from payments.refunds.service.refunds import (
    NewRefund,
    audit_new_refund,
    begin_refund,
    refundable_amount,
    run_refund_attempt,
)
from payments.tax.domain import TaxBehavior, TaxCategory, TaxExempt, TaxParty

log = get_logger("payments.invoices")

CREDITABLE = (InvoiceStatus.OPEN, InvoiceStatus.PAID, InvoiceStatus.UNCOLLECTIBLE)
_NOTHING_REFUNDED = (RefundStatus.FAILED, RefundStatus.CANCELED)


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


def _parties(invoice: Invoice) -> tuple[TaxParty, TaxParty]:
    """Seller and buyer as the invoice was issued (a credit note's tax is the invoice's)."""
    seller = invoice.seller or {}
    address = invoice.customer_address or {}
    return (
        TaxParty(country=seller["address"]["country"], vat_id=seller.get("vat_id")),
        TaxParty(
            country=address.get("country") or seller["address"]["country"],
            vat_id=buyer_vat_id(invoice.customer_tax_ids),
            tax_exempt=TaxExempt(invoice.customer_tax_exempt or TaxExempt.NONE.value),
        ),
    )


def _credit_line(
    note_id: str,
    position: int,
    *,
    type_: str,
    description: str,
    quantity: Decimal,
    unit_amount: int,
    discount: int,
    like: InvoiceLine | None,
    tax_category: str,
    tax_behavior: str,
    kind: str,
    exemption_reason: str | None,
    clock: Clock,
) -> CreditNoteLine:
    return CreditNoteLine(
        id=id_for("credit_note_line"),
        credit_note_id=note_id,
        position=position,
        type=type_,
        invoice_line_item=like.id if like is not None and type_ == "invoice_line_item" else None,
        description=description,
        quantity=format_quantity(quantity),
        unit_amount=unit_amount,
        amount=line_amount(quantity, unit_amount),
        discount_amount=discount,
        tax_category=tax_category,
        tax_behavior=tax_behavior,
        kind=kind,
        unit=like.unit
        if like is not None and type_ == "invoice_line_item"
        else LineUnit.PIECE.value,
        exemption_reason=exemption_reason,
        created=clock.now(),
    )


def _lines_by_amount(
    note_id: str, amount: int, invoice: Invoice, inv_lines: Sequence[InvoiceLine], clock: Clock
) -> list[CreditNoteLine]:
    """``amount`` (gross) spread over the invoice's VAT groups in proportion to their
    gross, one inclusive line per group, treated like the group's first invoice line."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidRequest(
            "Invalid amount: a positive integer of minor units.",
            code="parameter_invalid_integer",
            param="amount",
        )
    groups = [g for g in invoice.tax_breakdown if g["taxable_amount"] + g["amount"] > 0]
    if not groups:
        raise InvalidRequest("This invoice has nothing to credit.", param="amount")
    shares = allocate_proportionally(amount, [g["taxable_amount"] + g["amount"] for g in groups])
    out: list[CreditNoteLine] = []
    for group, share in zip(groups, shares, strict=True):
        if share <= 0:
            continue
        like = next(
            x
            for x in inv_lines
            if x.category_code == group["category"] and x.tax_rate == group["rate"]
        )
        label = f"Credit on invoice {invoice.number}"
        if len(groups) > 1:
            label += f" (VAT {group['category']} {group['rate']}%)"
        out.append(
            _credit_line(
                note_id,
                len(out),
                type_="custom_line_item",
                description=label,
                quantity=Decimal(1),
                unit_amount=share,
                discount=0,
                like=like,
                tax_category=like.tax_category,
                tax_behavior=TaxBehavior.INCLUSIVE.value,
                kind=like.kind,
                exemption_reason=like.exemption_reason,
                clock=clock,
            )
        )
    return out


def _lines_given(
    note_id: str,
    given: Sequence[CreditLineInput],
    inv_lines: Sequence[InvoiceLine],
    credited: dict[str, Decimal],
    clock: Clock,
) -> list[CreditNoteLine]:
    by_id = {x.id: x for x in inv_lines}
    behavior = inv_lines[0].tax_behavior if inv_lines else TaxBehavior.EXCLUSIVE.value
    taken: dict[str, Decimal] = {}
    out: list[CreditNoteLine] = []
    for i, item in enumerate(given):
        param = f"lines[{i}]"
        if item.type == "invoice_line_item":
            line = by_id.get(item.invoice_line_item or "")
            if line is None:
                raise NotFound.of(
                    "invoice line",
                    item.invoice_line_item or "",
                    param=f"{param}[invoice_line_item]",
                )
            whole = Decimal(line.quantity)
            left = whole - credited.get(line.id, Decimal(0)) - taken.get(line.id, Decimal(0))
            quantity = (
                parse_quantity(item.quantity, param=f"{param}[quantity]")
                if item.quantity is not None
                else left
            )
            if quantity <= 0 or quantity > left:
                raise InvalidRequest(
                    f"Only {format_quantity(max(left, Decimal(0)))} of this line's quantity "
                    f"({line.quantity}) is left to credit.",
                    code="amount_too_large",
                    param=f"{param}[quantity]",
                )
            taken[line.id] = taken.get(line.id, Decimal(0)) + quantity
            discount = (
                line.discount_amount
                if quantity == whole
                else prorated(line.discount_amount, quantity, whole)
            )
            out.append(
                _credit_line(
                    note_id,
                    i,
                    type_="invoice_line_item",
                    description=line.description,
                    quantity=quantity,
                    unit_amount=line.unit_amount,
                    discount=min(discount, line_amount(quantity, line.unit_amount)),
                    like=line,
                    tax_category=line.tax_category,
                    tax_behavior=line.tax_behavior,
                    kind=line.kind,
                    exemption_reason=line.exemption_reason,
                    clock=clock,
                )
            )
        elif item.type == "custom_line_item":
            if not item.description:
                raise InvalidRequest(
                    f"Missing required param: {param}[description].",
                    code="parameter_missing",
                    param=f"{param}[description]",
                )
            if item.unit_amount is None:
                raise InvalidRequest(
                    f"Missing required param: {param}[unit_amount].",
                    code="parameter_missing",
                    param=f"{param}[unit_amount]",
                )
            quantity = parse_quantity(item.quantity or "1", param=f"{param}[quantity]")
            category = item.tax_category or TaxCategory.STANDARD.value
            if category not in {c.value for c in TaxCategory}:
                raise InvalidRequest(
                    f"Unknown tax category {category!r}; use one of "
                    + ", ".join(c.value for c in TaxCategory)
                    + ".",
                    param=f"{param}[tax_category]",
                )
            kind = item.kind or LineKind.SERVICES.value
            if kind not in {k.value for k in LineKind}:
                raise InvalidRequest(f"Unknown kind {kind!r}.", param=f"{param}[kind]")
            if category == TaxCategory.EXEMPT.value and not item.exemption_reason:
                raise InvalidRequest(
                    "A line of tax_category exempt needs its exemption_reason.",
                    code="tax_exemption_reason_missing",
                    param=f"{param}[exemption_reason]",
                )
            out.append(
                _credit_line(
                    note_id,
                    i,
                    type_="custom_line_item",
                    description=item.description,
                    quantity=quantity,
                    unit_amount=check_unit_amount(item.unit_amount, param=f"{param}[unit_amount]"),
                    discount=0,
                    like=None,
                    tax_category=category,
                    tax_behavior=behavior,
                    kind=kind,
                    exemption_reason=item.exemption_reason,
                    clock=clock,
                )
            )
        else:
            raise InvalidRequest(
                f"Invalid {param}[type]: invoice_line_item or custom_line_item.",
                param=f"{param}[type]",
            )
    return out


async def _credited_quantities(uow: UnitOfWork, notes: Sequence[CreditNote]) -> dict[str, Decimal]:
    lines = await uow.repo(CreditNoteLineRepository).of_credit_notes([n.id for n in notes])
    out: dict[str, Decimal] = {}
    for line in lines:
        if line.invoice_line_item is not None:
            key = line.invoice_line_item
            out[key] = out.get(key, Decimal(0)) + Decimal(line.quantity)
    return out


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
    await uow.repo(LedgerRepository).post(
        postings.credit_note_issued(
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
            description=f"credit note {note.number} on invoice {invoice.number}",
        ),
        when=now,
        location_id=note.location_id,
    )
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
        await uow.repo(LedgerRepository).post(
            postings.credit_note_voided(
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
                description=f"credit note {note.number} voided",
            ),
            when=now,
            location_id=note.location_id,
        )
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


class InvoiceRefundsListener:
    """Registered with refunds (:func:`payments.refunds.service.invoice_refunds.
    register_invoice_refunds`): a refund of an invoiced payment gets its credit note."""

    async def lock_invoice(self, uow: UnitOfWork, invoice_id: str) -> None:
        await uow.repo(InvoiceRepository).get(invoice_id, for_update=True)

    async def refund_requested(
        self,
        uow: UnitOfWork,
        *,
        invoice_id: str,
        refund_id: str,
        amount: int,
        currency: str,
        reason: str | None,
        clock: Clock,
        ctx: RequestContext,
    ) -> None:
        invoice = await uow.repo(InvoiceRepository).get(invoice_id, for_update=True)
        if invoice is None or invoice.status not in CREDITABLE:
            return  # a void invoice's payment was the customer's credit: nothing to correct
        try:
            await _issue(
                uow,
                invoice,
                build=CreateCreditNote(
                    invoice=invoice_id,
                    amount=amount,
                    refund_amount=amount,
                    memo=f"Refund {refund_id}",
                ),
                reason=FROM_REFUND_REASON.get(reason or ""),
                refund_ids=[(refund_id, amount)],
                policy=None,
                gateway="",
                clock=clock,
                ctx=ctx,
            )
        except InvalidRequest as exc:  # the refund is what was asked: name its amount
            raise InvalidRefundAmount(
                f"This payment paid invoice {invoice.number}, which a credit note must "
                f"correct: {exc.message}",
                code=exc.code,
                param="amount",
            ) from None
