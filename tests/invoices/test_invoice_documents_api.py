"""Every sample kind of invoice, made THROUGH THE API, renders CII and UBL XML that pass
the official EN 16931 rules (Factur-X XSD + Schematron, UBL Schematron) and a PDF/A-3 that
carries the same CII and the RF creditor reference."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

import pytest
from lxml import etree
from pypdf import PdfReader

from payments.einvoicing.problems import errors
from payments.einvoicing.validation import validate_cii, validate_ubl
from support.app import Api
from support.invoices import LABOUR, PARTS, customer, finalized, post, setup

NL_BUSINESS = {
    "name": "Reparatie Partner B.V.",
    "address": {
        "line1": "Keizersgracht 1",
        "postal_code": "1015 CJ",
        "city": "Amsterdam",
        "country": "NL",
    },
    "preferred_locales": ["nl"],
    "tax_id_data": [{"type": "eu_vat", "value": "NL004495445B01"}],
}
CH_BUSINESS = {
    "name": "Uhren Service AG",
    "address": {"line1": "Limmatquai 1", "postal_code": "8001", "city": "Zurich", "country": "CH"},
    "preferred_locales": ["de-CH"],
    "tax_id_data": [{"type": "ch_vat", "value": "CHE-116.281.710 MWST"}],
}
MANUAL = {
    "description": "Repair manual (book)",
    "unit_amount": 2490,
    "tax_category": "reduced",
    "sku": "BOOK-1",
    "kind": "goods",
}
EXEMPT = {
    "description": "Insurance handling fee",
    "unit_amount": 1500,
    "tax_category": "exempt",
    "exemption_reason": "Steuerfrei nach § 4 Nr. 10 UStG",
}

KINDS: dict[str, dict[str, Any]] = {
    "domestic": {"lines": [LABOUR, PARTS]},
    "reduced_rate": {"lines": [MANUAL]},
    "mixed_rates": {"lines": [LABOUR, PARTS, MANUAL]},
    "reverse_charge": {"lines": [LABOUR], "customer": NL_BUSINESS},
    "export": {"lines": [PARTS], "customer": CH_BUSINESS},
    "exempt_line": {"lines": [LABOUR, EXEMPT]},
    "inclusive_prices": {
        "lines": [
            LABOUR | {"tax_behavior": "inclusive", "unit_amount": 9520},
            PARTS | {"tax_behavior": "inclusive", "unit_amount": 15351},
        ]
    },
}
EXPECTED_CATEGORIES = {
    "domestic": {"S"},
    "reduced_rate": {"S"},
    "mixed_rates": {"S"},
    "reverse_charge": {"AE"},
    "export": {"G"},
    "exempt_line": {"S", "E"},
    "inclusive_prices": {"S"},
}


async def _invoice(api: Api, kind: str) -> tuple[dict[str, str], dict[str, Any]]:
    admin, shop = await setup(api)
    spec = KINDS[kind]
    cus = await customer(api, admin, **spec.get("customer", {}))
    return admin, await finalized(api, admin, shop, cus, spec["lines"])


async def _valid(api: Api, headers: dict[str, str], base: str) -> bytes:
    cii = await api.client.get(f"{base}/xml", params={"syntax": "cii"}, headers=headers)
    assert cii.status_code == 200, cii.text
    assert cii.headers["content-type"].startswith("application/xml")
    assert errors(validate_cii(cii.content)) == []
    ubl = await api.client.get(f"{base}/xml", params={"syntax": "ubl"}, headers=headers)
    assert ubl.status_code == 200, ubl.text
    assert errors(validate_ubl(ubl.content)) == []
    return cii.content


@pytest.mark.parametrize("kind", sorted(KINDS))
async def test_every_sample_invoice_kind_passes_the_en16931_rules_in_cii_and_ubl(
    api: Api, kind: str
) -> None:
    admin, invoice = await _invoice(api, kind)
    assert {g["category"] for g in invoice["tax_breakdown"]} == EXPECTED_CATEGORIES[kind]
    cii = await _valid(api, admin, f"/v1/invoices/{invoice['id']}")
    assert invoice["payment_reference"].encode() in cii


async def test_a_credit_note_passes_the_en16931_rules_as_type_381(api: Api) -> None:
    admin, invoice = await _invoice(api, "mixed_rates")
    paid = await post(api, f"/v1/invoices/{invoice['id']}/pay", admin, paid_out_of_band=True)
    assert paid.status_code == 200, paid.text
    note = await post(
        api,
        "/v1/credit_notes",
        admin,
        invoice=invoice["id"],
        amount=10000,
        out_of_band_amount=10000,
    )
    assert note.status_code == 200, note.text
    assert len(note.json()["tax_breakdown"]) == 2  # the amount is spread over both rates
    cii = await _valid(api, admin, f"/v1/credit_notes/{note.json()['id']}")
    assert b">381<" in cii
    assert invoice["number"].encode() in cii  # the preceding invoice (BT-25)
    by_line = await post(
        api,
        "/v1/credit_notes",
        admin,
        invoice=invoice["id"],
        lines=[
            {
                "type": "invoice_line_item",
                "invoice_line_item": invoice["lines"]["data"][0]["id"],
                "quantity": "0.5",
            },
            {"type": "custom_line_item", "description": "Goodwill", "unit_amount": 500},
        ],
        out_of_band_amount=5355,
    )
    assert by_line.status_code == 200, by_line.text
    await _valid(api, admin, f"/v1/credit_notes/{by_line.json()['id']}")


async def test_the_pdf_is_pdf_a_3_with_the_factur_x_xml_and_the_rf_reference(api: Api) -> None:
    admin, invoice = await _invoice(api, "domestic")
    response = await api.client.get(f"/v1/invoices/{invoice['id']}/pdf", headers=admin)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert invoice["number"] in response.headers["content-disposition"]
    reader = PdfReader(BytesIO(response.content))
    (embedded,) = reader.attachments["factur-x.xml"]
    assert errors(validate_cii(embedded)) == []
    xmp = etree.fromstring(reader.trailer["/Root"]["/Metadata"].get_object().get_data())
    pdfaid = {"pdfaid": "http://www.aiim.org/pdfa/ns/id/"}
    assert xmp.xpath("string(//pdfaid:part)", namespaces=pdfaid) == "3"
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    for needed in (invoice["number"], "MyComputer Deutschland GmbH", "DE136695976", "Ada Lovelace"):
        assert needed in text
    assert invoice["payment_reference"] in text.replace(" ", "")
    note = await post(api, "/v1/credit_notes", admin, invoice=invoice["id"], amount=1000)
    pdf = await api.client.get(f"/v1/credit_notes/{note.json()['id']}/pdf", headers=admin)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


async def test_a_draft_has_no_document(api: Api) -> None:
    admin, shop = await setup(api)
    invoice = await post(
        api,
        "/v1/invoices",
        admin,
        customer=(await customer(api, admin))["id"],
        location=shop["id"],
        lines=[LABOUR],
    )
    response = await api.client.get(f"/v1/invoices/{invoice.json()['id']}/pdf", headers=admin)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invoice_unexpected_state"
