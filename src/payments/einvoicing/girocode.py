"""The EPC QR code ("GiroCode", EPC069-12 version 002) printed on EUR invoices.

A banking app scanning it fills in a SEPA credit transfer: the seller as
beneficiary, its IBAN (and BIC), the amount due, and the RF creditor reference
as structured remittance information (or the document number as text when
there is none). Printed only when the currency is EUR, the seller has an IBAN
and something is due; never on a credit note, where the money flows back.
"""

from __future__ import annotations

from decimal import Decimal

import segno
from segno import helpers

from .model import InvoiceDocument

#: EPC069-12 limits.
_NAME_MAX = 70
_TEXT_MAX = 140
_AMOUNT_MAX = Decimal("999999999.99")


def epc_amount(doc: InvoiceDocument) -> Decimal:
    """The amount due in euros, exact (cents / 100)."""
    return Decimal(doc.payable_amount).scaleb(-2)


def wants_girocode(doc: InvoiceDocument) -> bool:
    return (
        doc.currency == "eur"
        and doc.seller.iban is not None
        and not doc.is_credit_note
        and 0 < epc_amount(doc) <= _AMOUNT_MAX
    )


def epc_qr(doc: InvoiceDocument) -> segno.QRCode | None:
    """The EPC QR code of the amount due, or ``None`` when none belongs on the document."""
    if not wants_girocode(doc) or doc.seller.iban is None:
        return None
    reference = doc.payment_reference
    return helpers.make_epc_qr(
        name=doc.seller.name[:_NAME_MAX],
        iban=doc.seller.iban.replace(" ", ""),
        amount=epc_amount(doc),
        reference=reference.replace(" ", "") if reference else None,
        text=None if reference else doc.number[:_TEXT_MAX],
        bic=doc.seller.bic,
    )


def epc_qr_svg_uri(doc: InvoiceDocument) -> str | None:
    """The code as an SVG ``data:`` URI for the HTML template."""
    code = epc_qr(doc)
    return None if code is None else code.svg_data_uri(scale=3, border=2)
