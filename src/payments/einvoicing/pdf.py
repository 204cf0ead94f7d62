"""The human-readable document: HTML (Jinja2) -> PDF/A-3b (WeasyPrint) + Factur-X.

:func:`render_html` fills ``templates/document.html`` with text already
formatted for the document language (Babel: dates, numbers, amounts in the
currency's own minor unit; :mod:`.labels`: every label). :func:`to_pdf` lays
it out with WeasyPrint as PDF/A-3b (fonts embedded, sRGB output intent) and
embeds the CII XML as ``factur-x.xml`` with the ``factur-x`` library (EN 16931
profile, AFRelationship ``Data``, Factur-X XMP extension schema), so a buyer's
ERP reads the same invoice from the same file.

Fonts: the template asks for DejaVu Sans (the system's, found through
fontconfig: Debian's ``fonts-dejavu-core``), nothing is fetched; no CDN, no
remote URL is ever resolved (the URL fetcher allows ``data:`` URIs only).

``to_pdf`` renders; it does not validate. Validate the XML with
:mod:`.validation` first when the document comes from outside.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from importlib.resources import files
from io import BytesIO
from typing import Any

import facturx
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, PackageLoader, select_autoescape
from pypdf import PdfReader, PdfWriter
from stdnum import iban as iban_number
from stdnum import iso11649
from weasyprint import HTML, URLFetcher

from payments.kernel.money import Money

from .cii import to_cii
from .girocode import epc_qr_svg_uri
from .labels import LOCALES, labels
from .model import CREDIT_NOTE, Address, DocumentLine, DocumentTax, InvoiceDocument

PDF_VARIANT = "pdf/a-3b"


def _inline_only() -> URLFetcher:
    """Resources may only be inline ``data:`` URIs; anything else stops the rendering."""
    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("payments.einvoicing", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _stylesheet() -> str:
    return (files("payments.einvoicing") / "templates" / "document.css").read_text("utf-8")


class _Formatter:
    """Babel formatting in one document's locale and currency."""

    def __init__(self, doc: InvoiceDocument) -> None:
        self.locale = LOCALES[doc.language]
        self.currency = doc.currency

    def money(self, minor: int) -> str:
        return Money(minor, self.currency).format(self.locale)

    def date(self, value: date) -> str:
        return format_date(value, format="long", locale=self.locale)

    def number(self, value: Decimal) -> str:
        return format_decimal(value, locale=self.locale, decimal_quantization=False)

    def percent(self, rate: Decimal) -> str:
        return format_percent(rate.scaleb(-2), locale=self.locale, decimal_quantization=False)


def _party_lines(name: str, address_lines: list[str | None]) -> list[str]:
    return [name, *(line for line in address_lines if line)]


def _address(address: Address, locale: str) -> list[str | None]:
    country = Locale.parse(locale).territories.get(address.country, address.country)
    return [
        address.line1,
        address.line2,
        f"{address.postal_code} {address.city}".strip(),
        country,
    ]


def _vat_label(tax: DocumentTax | DocumentLine, t: dict[str, str], f: _Formatter) -> str:
    name = t.get(f"cat_{tax.category_code}", tax.category_code)
    if tax.category_code in {"S", "L", "M"}:
        return f"{name} {f.percent(tax.rate)}"
    return name


def context(doc: InvoiceDocument) -> dict[str, Any]:
    """Everything the template prints, already formatted (public for previews and tests)."""
    t = labels(doc.language)
    f = _Formatter(doc)
    seller, buyer = doc.seller, doc.buyer

    meta: list[tuple[str, str]] = [
        (t["number"], doc.number),
        (t["issue_date"], f.date(doc.issue_date)),
    ]
    if doc.delivery_date is not None:
        meta.append((t["delivery_date"], f.date(doc.delivery_date)))
    if doc.tax_point_date is not None and doc.tax_point_date != doc.delivery_date:
        meta.append((t["tax_point_date"], f.date(doc.tax_point_date)))
    if doc.due_date is not None:
        meta.append((t["due_date"], f.date(doc.due_date)))
    if buyer.buyer_reference:
        meta.append((t["buyer_reference"], buyer.buyer_reference))
    if doc.order_reference:
        meta.append((t["order_reference"], doc.order_reference))

    corrects = None
    if doc.preceding_invoice is not None:
        number, issued = doc.preceding_invoice
        # a credit note corrects its invoice; a final invoice deducts its advance invoice
        label = t["corrects"] if doc.type_code == CREDIT_NOTE else t["deducts"]
        corrects = label.format(number=number, date=f.date(issued))

    lines = [
        {
            "pos": line.line_id,
            "description": line.description,
            "sku": line.sku,
            "note": line.note,
            "quantity": f.number(line.quantity),
            "unit": t.get(f"unit_{line.unit_code}", line.unit_code),
            "unit_price": f.money(line.unit_price),
            "discount": f.money(line.discount_amount) if line.discount_amount else "",
            "vat": f.percent(line.rate) if line.category_code in {"S", "L", "M"} else "\u2013",
            "net": f.money(line.net_amount),
        }
        for line in doc.lines
    ]
    vat_rows = []
    for tax in doc.taxes:
        label = _vat_label(tax, t, f)
        reason = tax.exemption_reason
        vat_rows.append(
            {
                "label": label,
                "taxable": f.money(tax.taxable_amount),
                "amount": f.money(tax.tax_amount),
                "reason": None if reason and reason.casefold() == label.casefold() else reason,
            }
        )
    totals: list[tuple[str, str, bool]] = [
        (t["line_total"], f.money(doc.tax_exclusive_total), False),
        (t["tax_total"], f.money(doc.tax_total), False),
        (t["grand_total"], f.money(doc.tax_inclusive_total), True),
    ]
    if doc.prepaid_amount:
        totals.append((t["prepaid"], f.money(-doc.prepaid_amount), False))
    due_label = t["amount_credited"] if doc.type_code == CREDIT_NOTE else t["amount_due"]
    totals.append((due_label, f.money(doc.payable_amount), True))

    identifiers = [
        (t["vat_id"], seller.vat_id),
        (t["tax_number"], seller.tax_registration_id),
        (t["registration"], seller.legal_registration_id),
    ]
    reference = doc.payment_reference
    if doc.type_code == CREDIT_NOTE:  # the seller pays back: no bank details to pay to
        payment: dict[str, str | None] = {"terms": doc.payment_terms}
    else:
        payment = {
            "terms": doc.payment_terms,
            "iban": iban_number.format(seller.iban) if seller.iban else None,
            "bic": seller.bic,
            "holder": seller.name if seller.iban else None,
            "reference": (
                iso11649.format(reference)
                if reference and iso11649.is_valid(reference)
                else reference
            ),
        }
    return {
        "t": t,
        "lang": doc.language,
        "title": t[f"title_{doc.type_code}"],
        "number": doc.number,
        "seller_lines": _party_lines(seller.name, _address(seller.address, f.locale)),
        "seller_identifiers": [(k, v) for k, v in identifiers if v],
        "seller_contact": [v for v in (seller.phone, seller.email) if v],
        "buyer_lines": _party_lines(buyer.name, _address(buyer.address, f.locale)),
        "buyer_vat_id": buyer.vat_id,
        "meta": meta,
        "corrects": corrects,
        "lines": lines,
        "has_discount": any(line.discount_amount for line in doc.lines),
        "has_sku": any(line.sku for line in doc.lines),
        "vat_rows": vat_rows,
        "totals": totals,
        "notes": list(doc.notes),
        "payment": payment if any(payment.values()) else None,
        "qr": epc_qr_svg_uri(doc),
        "footer": seller.footer,
        "stylesheet": _stylesheet(),
    }


def render_html(doc: InvoiceDocument) -> str:
    """The document as a self-contained HTML page (inline CSS, inline SVG QR code)."""
    return _environment().get_template("document.html").render(context(doc))


def to_pdf(doc: InvoiceDocument) -> bytes:
    """A PDF/A-3b of the document with its CII XML embedded as ``factur-x.xml``."""
    html = HTML(string=render_html(doc), url_fetcher=_inline_only())
    visual = html.write_pdf(pdf_variant=PDF_VARIANT)
    if visual is None:  # pragma: no cover - write_pdf returns bytes without a target
        raise RuntimeError("WeasyPrint returned no PDF")
    t = labels(doc.language)
    title = f"{t[f'title_{doc.type_code}']} {doc.number}"
    hybrid: bytes = facturx.generate_from_binary(
        visual,
        to_cii(doc),
        flavor="factur-x",
        level="en16931",
        check_xsd=False,
        pdf_metadata={
            "author": doc.seller.name,
            "keywords": "Factur-X, ZUGFeRD, EN 16931",
            "title": f"{doc.seller.name}: {title}",
            "subject": f"{title} ({doc.issue_date.isoformat()})",
        },
        lang=LOCALES[doc.language].replace("_", "-"),
    )
    return _info_matching_xmp(hybrid)


def _info_matching_xmp(pdf: bytes) -> bytes:
    """Make the Info dictionary say what the XMP says, as PDF/A requires (ISO 19005-3, 6.6.3).

    factur-x writes new XMP (producer ``pypdf``, no ``pdf:Keywords``) but keeps
    WeasyPrint's ``/Producer`` and adds ``/Keywords`` to the Info dictionary;
    a PDF/A validator reports both as metadata mismatches.
    """
    reader = PdfReader(BytesIO(pdf))
    xmp = reader.xmp_metadata
    info = reader.metadata
    if xmp is None or info is None:  # pragma: no cover - factur-x always writes both
        return pdf
    entries = {key: value for key, value in info.items() if key != "/Keywords"}
    if xmp.pdf_keywords:
        entries["/Keywords"] = xmp.pdf_keywords
    if xmp.pdf_producer:
        entries["/Producer"] = xmp.pdf_producer
    writer = PdfWriter(clone_from=reader)
    writer.metadata = entries
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
