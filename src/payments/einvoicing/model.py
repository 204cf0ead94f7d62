"""The e-invoicing document model: one invoice or credit note, ready to render.

These frozen dataclasses are the contract between the capability that owns
invoices (numbering, tax computation, persistence) and the renderers in this
package (CII and UBL XML, PDF/A-3 with embedded Factur-X). A document holds
*resolved* figures: every amount is already computed and rounded by the tax
engine; nothing here recomputes or rounds money, the renderers only format it.
Whether the figures are consistent (EN 16931's BR-CO-* and per-category rules)
is what :mod:`payments.einvoicing.validation` checks on the rendered XML.

Units, as everywhere in the service:

- money: ``int`` minor units of ``InvoiceDocument.currency`` (EUR cents, JPY yen);
- rates: ``Decimal`` percent (``Decimal("19")``, ``Decimal("8.1")``);
- quantities: ``Decimal`` (``Decimal("1.5")`` hours).

Credit notes (type code 381) carry **positive** amounts, as EN 16931 requires:
the type code alone says the money flows back.

Construction checks shape only (types, code lists, countries, languages), not
arithmetic, so a wrong document can still be built and shown to fail
validation. Errors::

    ValueError
     └── DocumentError     a field has the wrong type or a value outside its code list
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from payments.kernel.money import UnknownCurrency, normalize_currency


class DocumentError(ValueError):
    """A document field has the wrong type or a value outside its code list."""


#: UNTDID 1001 document types we issue.
INVOICE: Final = 380
CREDIT_NOTE: Final = 381
PREPAYMENT_INVOICE: Final = 386
TYPE_CODES: Final = frozenset({INVOICE, CREDIT_NOTE, PREPAYMENT_INVOICE})

#: Languages of the rendered documents (labels, dates, numbers).
LANGUAGES: Final = frozenset({"en", "de", "nl", "pl", "sv", "fr", "it"})

#: UNCL 5305 VAT category codes allowed by EN 16931 (BT-118, BT-151).
#: S standard, Z zero rated, E exempt, AE reverse charge, K intra-community
#: supply, G export outside the EU, O not subject to VAT, L Canary Islands
#: (IGIC), M Ceuta and Melilla (IPSI).
CATEGORY_CODES: Final = frozenset({"S", "Z", "E", "AE", "K", "G", "O", "L", "M"})

#: "Not subject to VAT": such lines and breakdowns carry no rate (BR-O-05, BR-O-10),
#: and no other category may appear on the same document (BR-O-11..14).
NOT_SUBJECT: Final = "O"


def _check_int(owner: object, *names: str) -> None:
    for name in names:
        value = getattr(owner, name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise DocumentError(f"{type(owner).__name__}.{name} must be int minor units")


def _check_decimal(owner: object, *names: str) -> None:
    for name in names:
        if not isinstance(getattr(owner, name), Decimal):
            raise DocumentError(f"{type(owner).__name__}.{name} must be a Decimal")


def _check_text(owner: object, *names: str) -> None:
    for name in names:
        value = getattr(owner, name)
        if not isinstance(value, str) or not value.strip():
            raise DocumentError(f"{type(owner).__name__}.{name} must be a non-empty string")


def _check_category(owner: object, code: str, rate: Decimal) -> None:
    if code not in CATEGORY_CODES:
        raise DocumentError(
            f"{type(owner).__name__}.category_code {code!r} is not an EN 16931 VAT category"
        )
    if not rate.is_finite() or rate < 0:
        raise DocumentError(f"{type(owner).__name__}.rate must be a non-negative percent")


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address (BG-5, BG-8). ``country`` is ISO 3166-1 alpha-2, upper case."""

    line1: str
    line2: str | None
    postal_code: str
    city: str
    country: str

    def __post_init__(self) -> None:
        _check_text(self, "line1", "city")
        country = self.country
        if not (isinstance(country, str) and len(country) == 2 and country.isalpha()):
            raise DocumentError(f"Address.country {country!r} is not ISO 3166-1 alpha-2")
        object.__setattr__(self, "country", country.upper())


@dataclass(frozen=True, slots=True)
class Seller:
    """The legal entity issuing the document (BG-4).

    ``vat_id`` is BT-31 (with its country prefix, ``DE123456789``);
    ``tax_registration_id`` is BT-32 (a national tax number, e.g. the German
    Steuernummer); ``legal_registration_id`` is BT-30 (commercial register
    number, e.g. ``HRB 12345``). ``email`` doubles as the seller's electronic
    address (BT-34, scheme ``EM``).
    """

    name: str
    address: Address
    vat_id: str | None
    tax_registration_id: str | None
    iban: str | None
    bic: str | None
    email: str | None
    phone: str | None
    footer: str | None
    legal_registration_id: str | None = None
    contact_name: str | None = None

    def __post_init__(self) -> None:
        _check_text(self, "name")


@dataclass(frozen=True, slots=True)
class Buyer:
    """The customer (BG-7). ``buyer_reference`` is BT-10 (XRechnung: the Leitweg-ID)."""

    name: str
    address: Address
    vat_id: str | None
    email: str | None
    buyer_reference: str | None
    legal_registration_id: str | None = None

    def __post_init__(self) -> None:
        _check_text(self, "name")


@dataclass(frozen=True, slots=True)
class DocumentLine:
    """One invoice line (BG-25).

    ``unit_price`` is the net price of one ``unit_code`` unit (BT-146) in minor
    units; ``discount_amount`` a line allowance (BG-27, BT-136);
    ``net_amount`` is BT-131 as resolved by the tax engine
    (quantity x unit price - discount, rounded once). ``unit_code`` is UN/ECE
    recommendation 20 (``C62`` piece, ``HUR`` hour).
    """

    line_id: str
    description: str
    quantity: Decimal
    unit_code: str
    unit_price: int
    discount_amount: int
    net_amount: int
    category_code: str
    rate: Decimal
    sku: str | None
    note: str | None = None

    def __post_init__(self) -> None:
        _check_text(self, "line_id", "description", "unit_code")
        _check_decimal(self, "quantity", "rate")
        _check_int(self, "unit_price", "discount_amount", "net_amount")
        _check_category(self, self.category_code, self.rate)


@dataclass(frozen=True, slots=True)
class DocumentTax:
    """One VAT breakdown group (BG-23): a category and rate with its totals.

    ``tax_amount`` is ``taxable_amount x rate`` rounded once for the whole
    category (BR-S-09 etc.), never the sum of rounded line taxes.
    ``exemption_reason`` (BT-120) is text in the document language,
    ``exemption_reason_code`` (BT-121) a VATEX code (``VATEX-EU-AE``).
    """

    category_code: str
    rate: Decimal
    taxable_amount: int
    tax_amount: int
    exemption_reason: str | None
    exemption_reason_code: str | None

    def __post_init__(self) -> None:
        _check_decimal(self, "rate")
        _check_int(self, "taxable_amount", "tax_amount")
        _check_category(self, self.category_code, self.rate)


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    """An invoice (380), credit note (381) or prepayment invoice (386).

    Totals: ``line_total`` BT-106 (sum of line net amounts),
    ``tax_exclusive_total`` BT-109, ``tax_total`` BT-110,
    ``tax_inclusive_total`` BT-112, ``prepaid_amount`` BT-113,
    ``payable_amount`` BT-115. ``payment_reference`` is the remittance
    information (BT-83), an ISO 11649 RF creditor reference for transfers.
    ``notes`` are legal notes already in ``language`` (e.g. the reverse-charge
    text). ``preceding_invoice`` is (number, issue date) of the invoice a credit
    note corrects (BT-25, BT-26). ``payment_means_code`` (BT-81, UNTDID 4461)
    defaults to 58 (SEPA credit transfer) for EUR with an IBAN, 30 (credit
    transfer) for other currencies with an IBAN, and no payment instructions
    without one. ``delivery_date`` is the actual date of supply (BT-72, the
    German *Leistungsdatum*); ``tax_point_date`` is BT-7.
    """

    type_code: int
    number: str
    issue_date: date
    tax_point_date: date | None
    due_date: date | None
    currency: str
    language: str
    seller: Seller
    buyer: Buyer
    lines: tuple[DocumentLine, ...]
    taxes: tuple[DocumentTax, ...]
    line_total: int
    tax_exclusive_total: int
    tax_total: int
    tax_inclusive_total: int
    prepaid_amount: int
    payable_amount: int
    payment_terms: str | None
    payment_reference: str | None
    notes: tuple[str, ...]
    preceding_invoice: tuple[str, date] | None
    order_reference: str | None
    payment_means_code: str | None = None
    delivery_date: date | None = None

    def __post_init__(self) -> None:
        if self.type_code not in TYPE_CODES:
            raise DocumentError(f"type_code {self.type_code!r} is not one of {sorted(TYPE_CODES)}")
        _check_text(self, "number")
        for name in ("issue_date", "tax_point_date", "due_date", "delivery_date"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, date):
                raise DocumentError(f"InvoiceDocument.{name} must be a date")
        try:
            object.__setattr__(self, "currency", normalize_currency(self.currency))
        except UnknownCurrency as exc:
            raise DocumentError(str(exc)) from exc
        if self.language not in LANGUAGES:
            raise DocumentError(f"language {self.language!r} is not one of {sorted(LANGUAGES)}")
        for name, kind in (("lines", DocumentLine), ("taxes", DocumentTax), ("notes", str)):
            value = getattr(self, name)
            if not isinstance(value, tuple) or not all(isinstance(v, kind) for v in value):
                raise DocumentError(f"InvoiceDocument.{name} must be a tuple of {kind.__name__}")
        if not self.lines:
            raise DocumentError("InvoiceDocument.lines must not be empty")
        if not self.taxes:
            raise DocumentError("InvoiceDocument.taxes must not be empty")
        _check_int(
            self,
            "line_total",
            "tax_exclusive_total",
            "tax_total",
            "tax_inclusive_total",
            "prepaid_amount",
            "payable_amount",
        )
        if self.preceding_invoice is not None:
            number, issued = self.preceding_invoice
            if not (isinstance(number, str) and number and isinstance(issued, date)):
                raise DocumentError("preceding_invoice must be (number, issue date)")

    @property
    def is_credit_note(self) -> bool:
        return self.type_code == CREDIT_NOTE

    @property
    def category_codes(self) -> frozenset[str]:
        return frozenset(t.category_code for t in self.taxes)

    @property
    def resolved_payment_means_code(self) -> str | None:
        """BT-81: the explicit code, else derived from the seller's IBAN and the currency."""
        if self.payment_means_code is not None:
            return self.payment_means_code
        if self.seller.iban is None:
            return None
        return "58" if self.currency == "eur" else "30"


__all__ = [
    "CATEGORY_CODES",
    "CREDIT_NOTE",
    "INVOICE",
    "LANGUAGES",
    "NOT_SUBJECT",
    "PREPAYMENT_INVOICE",
    "TYPE_CODES",
    "Address",
    "Buyer",
    "DocumentError",
    "DocumentLine",
    "DocumentTax",
    "InvoiceDocument",
    "Seller",
]
