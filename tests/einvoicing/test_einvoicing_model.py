"""The document model checks shape (types, code lists), never arithmetic."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from payments.einvoicing.model import (
    Address,
    Buyer,
    DocumentError,
    DocumentLine,
    DocumentTax,
    InvoiceDocument,
    Seller,
)

BERLIN = Address("Friedrichstr. 1", None, "10117", "Berlin", "de")
SELLER = Seller("MyComputer GmbH", BERLIN, "DE123456788", None, None, None, None, None, None)
BUYER = Buyer("Erika Mustermann", BERLIN, None, None, None)
LINE = DocumentLine("1", "Repair", Decimal("1"), "C62", 10000, 0, 10000, "S", Decimal("19"), None)
TAX = DocumentTax("S", Decimal("19"), 10000, 1900, None, None)


def document(**changes: object) -> InvoiceDocument:
    base = InvoiceDocument(
        type_code=380,
        number="DE1-2026-000001",
        issue_date=date(2026, 3, 2),
        tax_point_date=None,
        due_date=None,
        currency="EUR",
        language="de",
        seller=SELLER,
        buyer=BUYER,
        lines=(LINE,),
        taxes=(TAX,),
        line_total=10000,
        tax_exclusive_total=10000,
        tax_total=1900,
        tax_inclusive_total=11900,
        prepaid_amount=0,
        payable_amount=11900,
        payment_terms=None,
        payment_reference=None,
        notes=(),
        preceding_invoice=None,
        order_reference=None,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_currency_is_normalised_to_the_service_lower_case_and_country_to_upper_case() -> None:
    doc = document()
    assert doc.currency == "eur"
    assert doc.seller.address.country == "DE"


def test_documents_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        document().number = "X"  # type: ignore[misc]


@pytest.mark.parametrize(
    "changes",
    [
        {"type_code": 999},
        {"language": "es"},
        {"currency": "XXY"},
        {"lines": ()},
        {"taxes": ()},
        {"lines": [LINE]},
        {"tax_total": 19.0},
        {"payable_amount": True},
        {"preceding_invoice": ("", date(2026, 1, 1))},
    ],
)
def test_a_field_outside_its_type_or_code_list_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(DocumentError):
        document(**changes)


def test_money_must_be_minor_units_and_rates_decimal() -> None:
    with pytest.raises(DocumentError):
        DocumentLine("1", "Repair", Decimal("1"), "C62", 100.0, 0, 100, "S", Decimal("19"), None)  # type: ignore[arg-type]
    with pytest.raises(DocumentError):
        DocumentTax("S", 19, 100, 19, None, None)  # type: ignore[arg-type]
    with pytest.raises(DocumentError):
        DocumentTax("X", Decimal("19"), 100, 19, None, None)


def test_inconsistent_figures_can_be_built_so_validation_can_report_them() -> None:
    assert document(tax_total=1901).tax_total == 1901


def test_payment_means_follow_the_iban_and_currency_unless_given() -> None:
    with_iban = dataclasses.replace(SELLER, iban="DE02120300000000202051")
    assert document().resolved_payment_means_code is None
    assert document(seller=with_iban).resolved_payment_means_code == "58"
    assert document(seller=with_iban, currency="sek").resolved_payment_means_code == "30"
    assert document(payment_means_code="48").resolved_payment_means_code == "48"
