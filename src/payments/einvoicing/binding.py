"""What of the document model goes into the XML, and how it is written.

Shared by both syntaxes (:mod:`.cii`, :mod:`.ubl`): decimal text for money in
the currency's own minor unit (ISO 4217 exponent: EUR 2, JPY 0), rates and
quantities as plain decimals, and the EN 16931 semantic rules that decide
whether an identifier may appear at all.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from payments.kernel.money import exponent

from .model import NOT_SUBJECT, DocumentLine, DocumentTax, InvoiceDocument

#: Allowance reason (UNTDID 5189) for a line discount (BG-27): 95 "Discount".
DISCOUNT_REASON_CODE = "95"
DISCOUNT_REASON = "Discount"


def amount_text(minor: int, currency: str) -> str:
    """``1999, "eur"`` -> ``"19.99"``; ``1999, "jpy"`` -> ``"1999"``. Exact, no float."""
    digits = exponent(currency)
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), 10**digits)
    return f"{sign}{whole}.{fraction:0{digits}d}" if digits else f"{sign}{whole}"


def decimal_text(value: Decimal) -> str:
    """A rate or quantity without exponent or trailing zeros: ``19``, ``8.1``, ``1.5``."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def currency_code(doc: InvoiceDocument) -> str:
    return doc.currency.upper()


def date_102(value: date) -> str:
    """UN/CEFACT date format 102 (CCYYMMDD), used by CII."""
    return value.strftime("%Y%m%d")


def has_rate(category_code: str) -> bool:
    """ "Not subject to VAT" lines and breakdowns carry no rate (BR-O-05, BR-O-10)."""
    return category_code != NOT_SUBJECT


def not_subject_to_vat(doc: InvoiceDocument) -> bool:
    return any(line.category_code == NOT_SUBJECT for line in doc.lines)


def seller_vat_id(doc: InvoiceDocument) -> str | None:
    """BT-31, left out of a "not subject to VAT" document as BR-O-02 requires.

    The PDF still prints it; the seller is then identified by its tax number
    (BT-32) and legal registration (BT-30) in the XML.
    """
    return None if not_subject_to_vat(doc) else doc.seller.vat_id


def buyer_vat_id(doc: InvoiceDocument) -> str | None:
    """BT-48, left out of a "not subject to VAT" document as BR-O-02 requires."""
    return None if not_subject_to_vat(doc) else doc.buyer.vat_id


def line_rate_text(line: DocumentLine) -> str | None:
    return decimal_text(line.rate) if has_rate(line.category_code) else None


def tax_rate_text(tax: DocumentTax) -> str | None:
    return decimal_text(tax.rate) if has_rate(tax.category_code) else None
