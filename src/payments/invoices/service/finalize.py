"""Finalizing an invoice: one transaction that numbers it, freezes it and posts it.

In the transaction, in this order (the invoice's row lock first, the series' second,
the ledger's balances last, as every unit of work takes them):

1. the draft is locked and must have lines, a complete buyer and a shop with a seller;
2. its tax is computed a last time with the parties and the date of issue (the shop's
   calendar day), and the seller and buyer details are copied into it;
3. it takes the next number of its series (legal entity, year): the series' counter is
   incremented in this transaction, so concurrent finalizations queue on its row and a
   rollback gives the number back: the numbers have no gaps and no duplicates;
4. it gets its RF creditor reference and due date, the sale is posted
   (``invoice_finalized``), and ``invoice.finalized`` is recorded.

An invoice whose total is zero is paid at once (nothing is owed, nothing posted).
An advance-payment invoice posts no sale: the customer owes the deposit
(``advance_invoiced``). A final invoice that deducts a paid advance (``apply_advance``;
the advance's row is locked right after the invoice's) is posted as usual and then
credited with the advance (``advance_applied``): it owes the rest, and is paid at once
if the advance covers it (:mod:`payments.invoices.service.advances`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from payments.customers.domain import Customer
from payments.events.repository import EventRepository
from payments.events.service import new_event
from payments.invoices.domain.advance import ADVANCE
from payments.invoices.domain.document import document_language
from payments.invoices.domain.journal import sale_groups
from payments.invoices.domain.model import Invoice, InvoiceLine
from payments.invoices.domain.reference import creditor_reference
from payments.invoices.domain.status import InvoiceOperation, invoice_transition
from payments.invoices.render import invoice_object, part_usage_object
from payments.invoices.repository import (
    InvoiceLineRepository,
    InvoiceRepository,
    NumberSeriesRepository,
)
from payments.invoices.service.advances import deduct_at_finalization, post_deduction
from payments.invoices.service.common import (
    BuyerTax,
    apply_amounts,
    buyer_tax,
    check_currency,
    customer_of,
    lines_of,
    local_date,
    seller_of,
    seller_party,
    shop,
    visible_invoice,
)
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest
from payments.kernel.money import Money
from payments.ledger.domain import postings
from payments.ledger.domain.journal import Source
from payments.ledger.repository import LedgerRepository
from payments.legal_entities.domain import LegalEntity, render_number
from payments.locations.domain import Location
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory

SERIES_INVOICE = "invoice"
SERIES_CREDIT_NOTE = "credit_note"


def seller_snapshot(entity: LegalEntity, shop_name: str) -> dict[str, Any]:
    """What the invoice prints of its seller, as it was at issue."""
    return {
        "legal_entity": entity.id,
        "legal_name": entity.legal_name,
        "address": entity.address,
        "vat_id": entity.vat_id,
        "tax_number": entity.tax_number,
        "registration_number": entity.registration_number,
        "iban": entity.iban,
        "bic": entity.bic,
        "email": entity.email,
        "phone": entity.phone,
        "invoice_footer": entity.invoice_footer,
        "logo": entity.logo,
        "shop_name": shop_name,
    }


def _complete_buyer(name: str | None, address: dict[str, Any] | None) -> None:
    """EN 16931 needs the buyer's name (BT-44) and postal address (BG-8)."""
    missing = [
        field
        for field, value in (
            ("name", name),
            ("address[line1]", (address or {}).get("line1")),
            ("address[city]", (address or {}).get("city")),
            ("address[country]", (address or {}).get("country")),
        )
        if not value
    ]
    if missing:
        raise InvalidRequest(
            "An invoice names its buyer: the customer needs "
            + ", ".join(missing)
            + " (POST /v1/customers/{id}) before the invoice can be finalized.",
            code="invoice_customer_incomplete",
            param="customer",
        )


def _has_lines(lines: list[InvoiceLine]) -> None:
    if not lines:
        raise InvalidRequest(
            "This invoice has no lines: add lines before finalizing it.",
            code="invoice_no_line_items",
            param="lines",
        )


async def finalize_invoice(
    invoice_id: str, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> tuple[Invoice, list[InvoiceLine]]:
    ctx.require(Permission.write_payments)
    async with uow_factory() as uow:
        current = await visible_invoice(uow, invoice_id, ctx, for_update=True)
        lines = await lines_of(uow, current.id)
        invoice_transition(current.status, InvoiceOperation.FINALIZE)
        _has_lines(lines)
        location = await shop(uow, ctx, current.location_id)
        check_currency(current.currency, location)
        entity = await seller_of(uow, location)
        customer = await customer_of(uow, ctx, current.customer_id)
        invoice, events = await finalize_draft(
            uow, current, lines, location=location, entity=entity, customer=customer, clock=clock
        )
        await uow.repo(EventRepository).add_all(
            [
                new_event(t, obj, ctx=ctx, clock=clock, location_id=invoice.location_id)
                for t, obj in events
            ]
        )
        await uow.commit()
    return invoice, lines


async def finalize_draft(
    uow: UnitOfWork,
    current: Invoice,
    lines: list[InvoiceLine],
    *,
    location: Location,
    entity: LegalEntity,
    customer: Customer,
    clock: Clock,
    buyer: BuyerTax | None = None,
    insert: bool = False,
) -> tuple[Invoice, list[tuple[str, dict[str, Any]]]]:
    """Finalize the draft ``current`` (locked by the caller, or made in this same
    transaction and not yet stored: ``insert``) with its lines, for its shop, seller and
    customer as the caller read them in this transaction: numbered, posted and stored.
    Returns the invoice and the events to record (type and object, in order), which the
    caller records in this transaction (several in one statement)."""
    _has_lines(lines)
    invoice = replace(current)
    _complete_buyer(customer.name, customer.address)
    if buyer is None:
        buyer = await buyer_tax(uow, customer, fallback_country=entity.country)
    now = clock.now()
    today = local_date(now, location)
    apply_amounts(invoice, lines, buyer=buyer.party, seller=seller_party(entity), tax_point=today)
    invoice.legal_entity_id = entity.id
    await deduct_at_finalization(uow, invoice, clock)
    # the series' row lock: taken as late as possible, held until the caller commits
    seq = await uow.repo(NumberSeriesRepository).next_value(entity.id, SERIES_INVOICE, today.year)
    invoice.number = render_number(
        entity.invoice_number_pattern, prefix=entity.invoice_prefix, year=today.year, seq=seq
    )
    invoice.seller = seller_snapshot(entity, location.name)
    invoice.customer_name = customer.name
    invoice.customer_email = customer.email
    invoice.customer_address = customer.address
    invoice.customer_tax_ids = buyer.tax_ids
    invoice.customer_tax_exempt = buyer.tax_exempt
    invoice.language = document_language(customer.preferred_locales, entity.country)
    invoice.issue_date = invoice.tax_point = today
    invoice.footer = invoice.footer or entity.invoice_footer
    if invoice.days_until_due is not None:
        invoice.due_date = today + timedelta(days=invoice.days_until_due)
    invoice.payment_reference = creditor_reference(invoice.number)
    invoice.finalized_at = now
    zero = invoice.total == 0
    operation = InvoiceOperation.FINALIZE_ZERO if zero else InvoiceOperation.FINALIZE
    invoice.status = invoice_transition(current.status, operation)
    if zero:
        invoice.paid_at = now
    elif invoice.invoice_type == ADVANCE:
        await uow.repo(LedgerRepository).post(
            postings.advance_invoiced(
                Money(invoice.total, invoice.currency),
                source=Source("invoice", invoice.id),
                receivable_dimension=invoice.id,
                description=f"advance invoice {invoice.number} ({invoice.id})",
            ),
            when=now,
            location_id=invoice.location_id,
        )
    else:
        await uow.repo(LedgerRepository).post(
            postings.invoice_finalized(
                sale_groups(invoice.tax_breakdown, invoice.currency),
                source=Source("invoice", invoice.id),
                receivable_dimension=invoice.id,
                description=f"invoice {invoice.number} ({invoice.id})",
            ),
            when=now,
            location_id=invoice.location_id,
        )
        await post_deduction(uow, invoice, clock)
        if invoice.amount_remaining == 0:  # the advance covers it all
            invoice.status = invoice_transition(invoice.status, InvoiceOperation.PAY)
            invoice.paid_at = now
            zero = True  # invoice.paid is recorded below
    if insert:
        await uow.repo(InvoiceRepository).add(invoice)
        await uow.repo(InvoiceLineRepository).add_all(lines)
    else:
        await uow.repo(InvoiceRepository).save(invoice)
        await uow.repo(InvoiceLineRepository).save_all(lines)
    snapshot = invoice_object(invoice, lines)
    events: list[tuple[str, dict[str, Any]]] = [("invoice.finalized", snapshot)]
    if zero:
        events.append(("invoice.paid", snapshot))
    usage = part_usage_object(invoice, lines)
    if usage is not None:
        events.append(("inventory.part_used", usage))
    return invoice, events
