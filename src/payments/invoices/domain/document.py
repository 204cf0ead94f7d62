"""A finalized invoice or credit note as the e-invoicing document model.

:func:`invoice_document` and :func:`credit_note_document` map what was frozen at
issue (seller, buyer, lines with their tax treatment, VAT breakdown, totals) to
:class:`payments.einvoicing.model.InvoiceDocument`; the renderers of
:mod:`payments.einvoicing` turn it into CII, UBL and PDF/A-3. Nothing is recomputed
here: the figures are the ones the invoice was issued with. A document shows the
invoice as issued (nothing prepaid but the advance it deducts, the rest payable), so
that every copy of it is the same document whatever was paid or credited since.

An advance-payment invoice is type 386 (prepayment invoice). A final invoice that
deducted a paid advance carries its total as the paid amount (BT-113), the amount due
for payment (BT-115) less by it, and the advance as the preceding invoice reference
(BG-3: its number BT-25 and issue date BT-26).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.dates import format_date

from payments.einvoicing.model import (
    CREDIT_NOTE,
    INVOICE,
    LANGUAGES,
    PREPAYMENT_INVOICE,
    Address,
    Buyer,
    DocumentLine,
    DocumentTax,
    InvoiceDocument,
    Seller,
)
from payments.invoices.domain.advance import ADVANCE
from payments.invoices.domain.lines import LineUnit
from payments.invoices.domain.model import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from payments.tax.domain import legal_note

#: The legal note each zero-rated EN 16931 category needs when the engine gave no reason.
CATEGORY_NOTES: dict[str, str] = {
    "AE": "reverse_charge",
    "K": "intra_community",
    "G": "export",
    "O": "not_subject",
    "E": "exempt",
}

#: The language of an invoice in a country, when the customer prefers none we print.
COUNTRY_LANGUAGES: dict[str, str] = {
    "DE": "de",
    "AT": "de",
    "CH": "de",
    "LI": "de",
    "LU": "fr",
    "NL": "nl",
    "BE": "nl",
    "PL": "pl",
    "SE": "sv",
    "FR": "fr",
    "MC": "fr",
    "IT": "it",
    "SM": "it",
}

_TERMS_DUE: dict[str, str] = {
    "en": "Payable without deduction by {due}.",
    "de": "Zahlbar ohne Abzug bis {due}.",
    "nl": "Te betalen zonder aftrek vóór {due}.",
    "pl": "Płatne bez potrąceń do {due}.",
    "sv": "Betalas utan avdrag senast {due}.",
    "fr": "Payable sans escompte au plus tard le {due}.",
    "it": "Pagabile senza detrazioni entro il {due}.",
}
_TERMS_AUTOMATIC: dict[str, str] = {
    "en": "Charged to the payment method on file.",
    "de": "Wird von der hinterlegten Zahlungsmethode eingezogen.",
    "nl": "Wordt afgeschreven van de opgeslagen betaalmethode.",
    "pl": "Pobierane z zapisanej metody płatności.",
    "sv": "Debiteras det sparade betalningssättet.",
    "fr": "Prélevé sur le moyen de paiement enregistré.",
    "it": "Addebitato sul metodo di pagamento registrato.",
}


def document_language(preferred: Sequence[str], country: str) -> str:
    """The first of the customer's preferred locales we print, else the seller country's."""
    for tag in preferred:
        primary = tag.replace("_", "-").split("-", 1)[0].lower()
        if primary in LANGUAGES:
            return primary
    return COUNTRY_LANGUAGES.get(country, "en")


def _address(data: dict[str, Any]) -> Address:
    return Address(
        line1=data.get("line1") or "",
        line2=data.get("line2") or None,
        postal_code=data.get("postal_code") or "",
        city=data.get("city") or "",
        country=data.get("country") or "",
    )


def _seller(seller: dict[str, Any]) -> Seller:
    return Seller(
        name=seller["legal_name"],
        address=_address(seller["address"]),
        vat_id=seller.get("vat_id"),
        tax_registration_id=seller.get("tax_number"),
        iban=seller.get("iban"),
        bic=seller.get("bic"),
        email=seller.get("email"),
        phone=seller.get("phone"),
        footer=seller.get("invoice_footer"),
        legal_registration_id=seller.get("registration_number"),
    )


def buyer_vat_id(tax_ids: Sequence[dict[str, Any]]) -> str | None:
    for tax_id in tax_ids:
        if str(tax_id.get("type", "")).endswith("_vat") and tax_id.get("value"):
            return str(tax_id["value"])
    return None


def _buyer(invoice: Invoice) -> Buyer:
    return Buyer(
        name=invoice.customer_name or "",
        address=_address(invoice.customer_address or {}),
        vat_id=buyer_vat_id(invoice.customer_tax_ids),
        email=invoice.customer_email,
        buyer_reference=invoice.customer_id,
    )


def _unit_price(line: InvoiceLine | CreditNoteLine, quantity: Decimal) -> tuple[int, int]:
    """(net unit price, net discount) of a line: as entered for exclusive lines; for
    inclusive ones the net amount per unit, rounded half up, discount folded in."""
    if line.tax_behavior == "exclusive":
        return line.unit_amount, line.discount_amount
    per_unit = (Decimal(line.net_amount) / quantity).to_integral_value(rounding=ROUND_HALF_UP)
    return int(per_unit), 0


def _lines(lines: Sequence[InvoiceLine | CreditNoteLine]) -> tuple[DocumentLine, ...]:
    out = []
    for n, line in enumerate(lines, start=1):
        quantity = Decimal(line.quantity)
        unit_price, discount = _unit_price(line, quantity)
        out.append(
            DocumentLine(
                line_id=str(n),
                description=line.description,
                quantity=quantity,
                unit_code=LineUnit(line.unit).code,
                unit_price=unit_price,
                discount_amount=discount,
                net_amount=line.net_amount,
                category_code=line.category_code or "S",
                rate=Decimal(line.tax_rate or "0"),
                sku=getattr(line, "sku", None),
            )
        )
    return tuple(out)


def _taxes(breakdown: Sequence[dict[str, Any]], language: str) -> tuple[DocumentTax, ...]:
    out = []
    for group in breakdown:
        code = group["category"]
        reason = group.get("exemption_reason")
        if reason is None and code in CATEGORY_NOTES:
            reason = legal_note(CATEGORY_NOTES[code], language)
        out.append(
            DocumentTax(
                category_code=code,
                rate=Decimal(group["rate"]),
                taxable_amount=int(group["taxable_amount"]),
                tax_amount=int(group["amount"]),
                exemption_reason=reason,
                exemption_reason_code=group.get("exemption_reason_code"),
            )
        )
    return tuple(out)


def _notes(keys: Sequence[str], language: str, *extra: str | None) -> tuple[str, ...]:
    return tuple([legal_note(k, language) for k in keys] + [e for e in extra if e])


def payment_terms(invoice: Invoice, language: str) -> str:
    if invoice.collection_method == "send_invoice" and invoice.due_date is not None:
        due = format_date(invoice.due_date, format="long", locale=language)
        return _TERMS_DUE[language].format(due=due)
    return _TERMS_AUTOMATIC[language]


def invoice_document(
    invoice: Invoice, lines: Sequence[InvoiceLine], advance: Invoice | None = None
) -> InvoiceDocument:
    """The finalized ``invoice`` (type 380, or 386 for an advance-payment invoice) as
    issued; ``advance`` is the advance-payment invoice it deducts (required if it does)."""
    if invoice.number is None or invoice.seller is None or invoice.issue_date is None:
        raise ValueError(f"invoice {invoice.id} is a draft: it has no document yet")
    language = invoice.language or "en"
    preceding: tuple[str, date] | None = None
    if invoice.advance_invoice_id is not None:
        if advance is None or advance.id != invoice.advance_invoice_id:
            raise ValueError(f"invoice {invoice.id} deducts {invoice.advance_invoice_id}")
        if advance.number is None or advance.issue_date is None:
            raise ValueError(f"advance invoice {advance.id} is a draft")
        preceding = (advance.number, advance.issue_date)
    return InvoiceDocument(
        type_code=PREPAYMENT_INVOICE if invoice.invoice_type == ADVANCE else INVOICE,
        number=invoice.number,
        issue_date=invoice.issue_date,
        tax_point_date=None,
        due_date=invoice.due_date,
        currency=invoice.currency,
        language=language,
        seller=_seller(invoice.seller),
        buyer=_buyer(invoice),
        lines=_lines(lines),
        taxes=_taxes(invoice.tax_breakdown, language),
        line_total=sum(line.net_amount for line in lines),
        tax_exclusive_total=invoice.total_excluding_tax,
        tax_total=invoice.tax,
        tax_inclusive_total=invoice.total,
        prepaid_amount=invoice.prepaid_amount,
        payable_amount=invoice.total - invoice.prepaid_amount,
        payment_terms=payment_terms(invoice, language),
        payment_reference=invoice.payment_reference,
        notes=_notes(invoice.tax_notes, language, invoice.description),
        preceding_invoice=preceding,
        order_reference=None,
        delivery_date=invoice.tax_point,  # the date of supply (BT-72, Leistungsdatum)
    )


def credit_note_document(
    note: CreditNote, lines: Sequence[CreditNoteLine], invoice: Invoice
) -> InvoiceDocument:
    """Credit note ``note`` (type 381, positive amounts) of ``invoice``, with the parties
    the invoice was issued to and from."""
    if invoice.number is None or invoice.seller is None or invoice.issue_date is None:
        raise ValueError(f"invoice {invoice.id} is a draft")
    language = invoice.language or "en"
    preceding: tuple[str, date] = (invoice.number, invoice.issue_date)
    return InvoiceDocument(
        type_code=CREDIT_NOTE,
        number=note.number,
        issue_date=note.issue_date,
        tax_point_date=None,
        due_date=None,
        currency=note.currency,
        language=language,
        seller=_seller(invoice.seller),
        buyer=_buyer(invoice),
        lines=_lines(lines),
        taxes=_taxes(note.tax_breakdown, language),
        line_total=sum(line.net_amount for line in lines),
        tax_exclusive_total=note.total_excluding_tax,
        tax_total=note.tax,
        tax_inclusive_total=note.total,
        prepaid_amount=0,
        payable_amount=note.total,
        payment_terms=None,
        payment_reference=invoice.payment_reference,
        notes=_notes(note.tax_notes, language, note.memo),
        preceding_invoice=preceding,
        order_reference=None,
    )
