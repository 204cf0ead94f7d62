"""The PDF/A-3 with embedded Factur-X, opened with a real PDF parser (pypdf)."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from io import BytesIO

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader
from segno import helpers

from payments.einvoicing.cii import to_cii
from payments.einvoicing.girocode import epc_qr, wants_girocode
from payments.einvoicing.labels import LABELS, missing_labels
from payments.einvoicing.model import InvoiceDocument
from payments.einvoicing.pdf import context, render_html, to_pdf
from payments.einvoicing.validation import errors, validate_cii
from support.einvoicing_samples import (
    CREDIT_NOTE_DE,
    DOMESTIC_DE_19,
    REDUCED_DE_7,
    REVERSE_CHARGE_DE_NL,
    SEK_SE,
    VALID_SAMPLES,
)

RENDERED = {
    "domestic": DOMESTIC_DE_19,
    "credit_note": CREDIT_NOTE_DE,
    "reverse_charge": REVERSE_CHARGE_DE_NL,
    "sek": SEK_SE,
}


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    return {name: to_pdf(doc) for name, doc in RENDERED.items()}


def text_of(pdf: bytes) -> str:
    """All page text, with non-breaking and narrow spaces as plain spaces, runs collapsed."""
    raw = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", raw.replace("\xa0", " ").replace("\u202f", " "))


def test_an_invoice_prints_every_legally_required_field(pdfs: dict[str, bytes]) -> None:
    text = text_of(pdfs["domestic"])
    for expected in [
        "Rechnung",
        "MyComputer Berlin GmbH",
        "Friedrichstraße 123",
        "10117 Berlin",
        "USt-IdNr.: DE123456788",
        "Steuernummer: 1123012345678",
        "Beispiel Büroservice GmbH",
        "USt-IdNr.: DE812345673",
        "DE1-2026-000001",
        "Ausstellungsdatum 2. März 2026",
        "Leistungsdatum 27. Februar 2026",
        "Fällig am 16. März 2026",
        "1,5 Std.",
        "USt. 19 % 199,90 € 37,98 €",
        "Gesamtbetrag 237,88 €",
        "Zahlbar innerhalb von 14 Tagen ohne Abzug.",
        "DE89 3704 0044 0532 0130 00",
        "COBADEFFXXX",
        "RF03 DE12 0260 0000 1",
        "Seite 1 von 1",
    ]:
        assert expected in text, expected


def test_a_reverse_charge_invoice_prints_the_note_and_both_vat_ids(
    pdfs: dict[str, bytes],
) -> None:
    text = text_of(pdfs["reverse_charge"])
    assert "Reverse charge: VAT to be accounted for by the recipient" in text
    assert "VAT ID: DE123456788" in text
    assert "VAT ID: NL123456782B01" in text
    assert "Reverse charge €374.00 €0.00" in text


def test_a_credit_note_names_the_invoice_it_corrects_and_asks_for_no_payment(
    pdfs: dict[str, bytes],
) -> None:
    text = text_of(pdfs["credit_note"])
    assert "Rechnungskorrektur" in text
    assert "Korrektur der Rechnung DE1-2026-000001 vom 2. März 2026" in text
    assert "Gutschriftsbetrag 95,08 €" in text
    assert "Kontoinhaber" not in text


def test_amounts_are_localised_in_the_document_currency(pdfs: dict[str, bytes]) -> None:
    text = text_of(pdfs["sek"])
    assert "Summa inkl. moms 2 748,75 kr" in text
    assert "9 mars 2026" in text


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_the_pdf_embeds_the_valid_cii_as_factur_x_xml(pdfs: dict[str, bytes], name: str) -> None:
    reader = PdfReader(BytesIO(pdfs[name]))
    (embedded,) = reader.attachments["factur-x.xml"]
    assert embedded == to_cii(RENDERED[name])
    assert errors(validate_cii(embedded)) == []
    filename, xml = facturx.get_xml_from_pdf(pdfs[name], check_xsd=True)
    assert filename == "factur-x.xml"
    assert xml == embedded


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_the_pdf_identifies_as_pdf_a_3b_with_factur_x_en16931_metadata(
    pdfs: dict[str, bytes], name: str
) -> None:
    reader = PdfReader(BytesIO(pdfs[name]))
    root = reader.trailer["/Root"]
    xmp = etree.fromstring(root["/Metadata"].get_object().get_data())
    ns = {
        "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
        "fx": "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#",
        "pdf": "http://ns.adobe.com/pdf/1.3/",
    }
    assert xmp.xpath("string(//pdfaid:part)", namespaces=ns) == "3"
    assert xmp.xpath("string(//pdfaid:conformance)", namespaces=ns) == "B"
    assert xmp.xpath("string(//fx:ConformanceLevel)", namespaces=ns) == "EN 16931"
    assert xmp.xpath("string(//fx:DocumentFileName)", namespaces=ns) == "factur-x.xml"
    (intent,) = root["/OutputIntents"]
    assert intent.get_object()["/S"] == "/GTS_PDFA1"
    (spec,) = root["/AF"]
    assert spec.get_object()["/AFRelationship"] == "/Data"
    # Info and XMP agree (PDF/A): factur-x leaves WeasyPrint's producer, to_pdf aligns it.
    assert reader.metadata is not None
    assert reader.metadata["/Producer"] == xmp.xpath("string(//pdf:Producer)", namespaces=ns)
    assert "/Keywords" not in reader.metadata


def test_every_font_is_embedded(pdfs: dict[str, bytes]) -> None:
    reader = PdfReader(BytesIO(pdfs["domestic"]))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert fonts
    for font in fonts.values():
        font = font.get_object()
        descriptor = (
            font.get("/FontDescriptor")
            or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        ).get_object()
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]


def test_an_epc_qr_code_is_printed_for_eur_invoices_with_an_iban_and_an_amount_due() -> None:
    assert wants_girocode(DOMESTIC_DE_19)
    assert 'alt="EPC QR code"' in render_html(DOMESTIC_DE_19)
    expected = helpers.make_epc_qr(
        name="MyComputer Berlin GmbH",
        iban="DE89370400440532013000",
        amount=Decimal("237.88"),
        reference="RF03DE12026000001",
        bic="COBADEFFXXX",
    )
    code = epc_qr(DOMESTIC_DE_19)
    assert code is not None
    assert code.matrix == expected.matrix


@pytest.mark.parametrize(
    "doc",
    [
        SEK_SE,  # not EUR
        CREDIT_NOTE_DE,  # the seller pays back
        REDUCED_DE_7,  # nothing due (paid by card)
        dataclasses.replace(
            DOMESTIC_DE_19, seller=dataclasses.replace(DOMESTIC_DE_19.seller, iban=None)
        ),
    ],
)
def test_no_epc_qr_code_without_eur_iban_and_amount_due(doc: InvoiceDocument) -> None:
    assert not wants_girocode(doc)
    assert epc_qr(doc) is None
    assert "EPC QR code" not in render_html(doc)


@pytest.mark.parametrize("kind", sorted(VALID_SAMPLES))
def test_every_sample_renders_in_its_language_with_localised_totals(kind: str) -> None:
    doc = VALID_SAMPLES[kind]
    html = render_html(doc)
    labels = LABELS[doc.language]
    assert f'<html lang="{doc.language}">' in html
    assert labels[f"title_{doc.type_code}"].replace("'", "&#39;") in html
    due = context(doc)["totals"][-1][1]
    assert due in html


def test_the_catalog_has_every_label_in_every_language() -> None:
    assert missing_labels() == {}
    assert set(LABELS) == {"en", "de", "nl", "pl", "sv", "fr", "it"}


def test_document_text_is_escaped_not_interpreted() -> None:
    line = dataclasses.replace(
        DOMESTIC_DE_19.lines[0], description='<img src="http://example.invalid/x.png">'
    )
    html = render_html(dataclasses.replace(DOMESTIC_DE_19, lines=(line,)))
    assert "&lt;img" in html
    assert '<img src="http' not in html
