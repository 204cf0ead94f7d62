"""What the invoicing use cases share: finding what a key may see, the parties of a
sale, the shop's accepted currencies and calendar, and repricing a draft."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from payments.customers.domain import Customer
from payments.customers.repository import CustomerRepository, TaxIdRepository
from payments.customers.service.tax_ids import tax_party_of
from payments.invoices.domain.model import CreditNote, Invoice, InvoiceLine
from payments.invoices.domain.pricing import calculate, priced
from payments.invoices.repository import (
    CreditNoteLineRepository,
    CreditNoteRepository,
    InvoiceLineRepository,
    InvoiceRepository,
)
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.legal_entities.domain import LegalEntity
from payments.legal_entities.repository import LegalEntityRepository
from payments.locations.domain import Location
from payments.locations.repository import LocationRepository
from payments.platform.db.uow import UnitOfWork
from payments.tax.domain import TaxExempt, TaxParty


async def visible_invoice(
    uow: UnitOfWork,
    invoice_id: str,
    ctx: RequestContext,
    *,
    for_update: bool = False,
    param: str = "id",
) -> Invoice:
    invoice = await uow.repo(InvoiceRepository).get(invoice_id, for_update=for_update)
    if invoice is None or not ctx.principal.sees_location(invoice.location_id):
        raise NotFound.of("invoice", invoice_id, param=param)
    return invoice


async def visible_credit_note(
    uow: UnitOfWork, note_id: str, ctx: RequestContext, *, for_update: bool = False
) -> CreditNote:
    note = await uow.repo(CreditNoteRepository).get(note_id, for_update=for_update)
    if note is None or not ctx.principal.sees_location(note.location_id):
        raise NotFound.of("credit_note", note_id)
    return note


async def lines_of(uow: UnitOfWork, invoice_id: str) -> list[InvoiceLine]:
    return await uow.repo(InvoiceLineRepository).of_invoice(invoice_id)


async def credit_notes_of(uow: UnitOfWork, invoice_id: str) -> list[CreditNote]:
    return await uow.repo(CreditNoteRepository).of_invoice(invoice_id)


async def credit_note_lines(uow: UnitOfWork, note_id: str) -> list[Any]:
    return await uow.repo(CreditNoteLineRepository).of_credit_notes([note_id])


async def shop(uow: UnitOfWork, ctx: RequestContext, location_id: str | None) -> Location:
    """The shop named (or the key's own), visible to the key; 400/404 naming ``location``."""
    location_id = location_id or ctx.principal.location_id
    if location_id is None:
        raise InvalidRequest(
            "Missing required param: location (the shop that invoices).",
            code="parameter_missing",
            param="location",
        )
    location = await uow.repo(LocationRepository).get(location_id)
    if location is None or not ctx.principal.sees_location(location.id):
        raise NotFound.of("location", location_id, param="location")
    return location


async def seller_of(uow: UnitOfWork, location: Location) -> LegalEntity:
    """The shop's legal entity; a shop without one cannot invoice (400 naming it)."""
    entity = (
        await uow.repo(LegalEntityRepository).get(location.legal_entity_id)
        if location.legal_entity_id
        else None
    )
    if entity is None:
        raise InvalidRequest(
            f"The shop {location.id} has no legal entity to issue its invoices: link one "
            "with POST /v1/locations/{id} legal_entity=le_...",
            code="location_without_legal_entity",
            param="location",
        )
    return entity


async def customer_of(
    uow: UnitOfWork, ctx: RequestContext, customer_id: str, *, param: str = "customer"
) -> Customer:
    customer = await uow.repo(CustomerRepository).get(customer_id)
    if (
        customer is None
        or customer.deleted
        or not ctx.principal.sees_location(customer.location_id)
    ):
        raise NotFound.of("customer", customer_id, param=param)
    return customer


def check_currency(currency: str, location: Location) -> None:
    """A shop invoices in the currencies it accepts (its ``currencies`` setting, as for
    its payments); another is ``currency_not_accepted``."""
    if not location.accepts(currency):
        raise InvalidRequest(
            f"The shop {location.id} does not accept {currency}; it invoices in "
            + ", ".join(location.currencies or [location.default_currency])
            + ".",
            code="currency_not_accepted",
            param="currency",
        )


def local_date(now: datetime, location: Location) -> date:
    """The calendar day at the shop (invoice dates are the shop's dates)."""
    return now.astimezone(ZoneInfo(location.timezone)).date()


@dataclass(frozen=True, slots=True)
class BuyerTax:
    """The buyer as the tax engine and the e-invoice see it."""

    party: TaxParty
    tax_ids: list[dict[str, Any]]
    tax_exempt: str


def seller_party(entity: LegalEntity) -> TaxParty:
    return TaxParty(country=entity.country, vat_id=entity.vat_id)


async def buyer_tax(uow: UnitOfWork, customer: Customer, *, fallback_country: str) -> BuyerTax:
    """The customer as the VAT rules see it (:func:`payments.customers.service.tax_ids.
    tax_party_of`: a walk-in customer without address buys where the shop is), and its
    tax ids as the invoice keeps them, the one the rules chose first."""
    party = await tax_party_of(uow, customer, default_country=fallback_country)
    tax_ids = [
        {"type": t.type.value, "value": t.value}
        for t in await uow.repo(TaxIdRepository).all_for(customer.id)
    ]
    tax_ids.sort(key=lambda t: t["value"] != party.vat_id)
    return BuyerTax(party=party, tax_ids=tax_ids, tax_exempt=TaxExempt(party.tax_exempt).value)


def apply_amounts(
    invoice: Invoice,
    lines: Sequence[InvoiceLine],
    *,
    buyer: TaxParty,
    seller: TaxParty,
    tax_point: date,
) -> None:
    """Price ``lines`` (in place) and set the invoice's amounts from them."""
    if lines:
        calc = calculate(
            lines, seller=seller, buyer=buyer, currency=invoice.currency, tax_point=tax_point
        )
        amounts = priced(lines, calc, seller_country=seller.country)
        invoice.subtotal = amounts.subtotal
        invoice.subtotal_excluding_tax = amounts.subtotal_excluding_tax
        invoice.tax = amounts.tax
        invoice.total = amounts.total
        invoice.total_excluding_tax = amounts.total_excluding_tax
        invoice.tax_breakdown = amounts.tax_breakdown
        invoice.tax_notes = amounts.tax_notes
    else:
        invoice.subtotal = invoice.subtotal_excluding_tax = invoice.tax = 0
        invoice.total = invoice.total_excluding_tax = 0
        invoice.tax_breakdown, invoice.tax_notes = [], []
    invoice.amount_due = invoice.total
    invoice.amount_remaining = invoice.total - invoice.amount_paid


async def reprice_draft(
    uow: UnitOfWork,
    invoice: Invoice,
    lines: Sequence[InvoiceLine],
    *,
    now: datetime,
    ctx: RequestContext,
) -> None:
    """A draft's amounts as they would be if it were finalized now (the parties and the
    date are taken again at finalization)."""
    location = await uow.repo(LocationRepository).get(invoice.location_id)
    if location is None:  # a foreign key: cannot happen
        raise NotFound.of("location", invoice.location_id, param="location")
    entity = await seller_of(uow, location)
    customer = await customer_of(uow, ctx, invoice.customer_id)
    buyer = await buyer_tax(uow, customer, fallback_country=entity.country)
    apply_amounts(
        invoice,
        lines,
        buyer=buyer.party,
        seller=seller_party(entity),
        tax_point=local_date(now, location),
    )
