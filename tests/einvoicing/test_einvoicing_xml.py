"""What the CII and UBL renderers write, read back with XPath as a buyer's ERP would."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from lxml import etree

from payments.einvoicing.binding import amount_text, decimal_text
from payments.einvoicing.cii import to_cii
from payments.einvoicing.ubl import CUSTOMIZATION_EN16931, CUSTOMIZATION_XRECHNUNG, to_ubl
from support.einvoicing_samples import (
    CREDIT_NOTE_DE,
    DOMESTIC_DE_19,
    EXPORT_SERVICES_DE_CH,
    JPY_EXPORT,
    REVERSE_CHARGE_DE_NL,
    SEK_SE,
)

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
SETTLEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
SUMMATION = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
AGREEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"


def xpath(xml: bytes, path: str) -> list[str]:
    return [str(v) for v in etree.fromstring(xml).xpath(path, namespaces=NS)]


def one(xml: bytes, path: str) -> str:
    (value,) = xpath(xml, path)
    return value


def test_amounts_use_the_currency_minor_unit_exactly() -> None:
    assert amount_text(23788, "eur") == "237.88"
    assert amount_text(5, "eur") == "0.05"
    assert amount_text(-1518, "eur") == "-15.18"
    assert amount_text(25600, "jpy") == "25600"
    assert amount_text(274875, "sek") == "2748.75"
    assert decimal_text(Decimal("19.00")) == "19"
    assert decimal_text(Decimal("8.10")) == "8.1"
    assert decimal_text(Decimal("1E+1")) == "10"


def test_cii_declares_the_en16931_profile_and_carries_the_totals() -> None:
    xml = to_cii(DOMESTIC_DE_19)
    context = "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter"
    assert one(xml, f"{context}/ram:ID/text()") == "urn:cen.eu:en16931:2017"
    assert one(xml, "rsm:ExchangedDocument/ram:TypeCode/text()") == "380"
    assert one(xml, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString/text()") == (
        "20260302"
    )
    assert one(xml, f"{SUMMATION}/ram:LineTotalAmount/text()") == "199.90"
    assert one(xml, f"{SUMMATION}/ram:TaxTotalAmount/@currencyID") == "EUR"
    assert one(xml, f"{SUMMATION}/ram:TaxTotalAmount/text()") == "37.98"
    assert one(xml, f"{SUMMATION}/ram:DuePayableAmount/text()") == "237.88"
    assert one(xml, f"{SETTLEMENT}/ram:PaymentReference/text()") == "RF03DE12026000001"
    assert one(xml, f"{AGREEMENT}/ram:BuyerReference/text()") == "04011000-12345-34"
    assert xpath(xml, f"{AGREEMENT}/ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID")


def test_cii_lines_carry_quantity_unit_price_discount_and_rate() -> None:
    xml = to_cii(DOMESTIC_DE_19)
    lines = "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem"
    assert xpath(xml, f"{lines}/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/text()") == [
        "1.5",
        "1",
    ]
    assert xpath(xml, f"{lines}/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode") == [
        "HUR",
        "C62",
    ]
    allowance = f"{lines}[2]/ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeAllowanceCharge"
    assert one(xml, f"{allowance}/ram:ActualAmount/text()") == "10.00"
    assert one(xml, f"{lines}[2]/ram:SpecifiedTradeProduct/ram:SellerAssignedID/text()") == (
        "SSD-1TB-NVME"
    )


def test_payment_means_are_sepa_transfer_in_eur_and_credit_transfer_otherwise() -> None:
    means = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans"
    eur = to_cii(DOMESTIC_DE_19)
    assert one(eur, f"{means}/ram:TypeCode/text()") == "58"
    assert one(eur, f"{means}/ram:PayeePartyCreditorFinancialAccount/ram:IBANID/text()") == (
        "DE89370400440532013000"
    )
    assert one(to_cii(SEK_SE), f"{means}/ram:TypeCode/text()") == "30"
    no_iban = dataclasses.replace(
        DOMESTIC_DE_19, seller=dataclasses.replace(DOMESTIC_DE_19.seller, iban=None)
    )
    assert xpath(to_cii(no_iban), means) == []
    assert xpath(to_ubl(no_iban), "cac:PaymentMeans") == []


def test_zero_decimal_currencies_are_written_without_decimals() -> None:
    assert one(to_cii(JPY_EXPORT), f"{SUMMATION}/ram:GrandTotalAmount/text()") == "25600"
    ubl = to_ubl(JPY_EXPORT)
    assert one(ubl, "cac:LegalMonetaryTotal/cbc:PayableAmount/text()") == "25600"
    assert one(ubl, "cac:LegalMonetaryTotal/cbc:PayableAmount/@currencyID") == "JPY"


def test_ubl_declares_xrechnung_only_with_a_buyer_reference() -> None:
    assert one(to_ubl(DOMESTIC_DE_19), "cbc:CustomizationID/text()") == CUSTOMIZATION_XRECHNUNG
    assert one(to_ubl(REVERSE_CHARGE_DE_NL), "cbc:CustomizationID/text()") == (
        CUSTOMIZATION_EN16931
    )


def test_a_credit_note_is_a_ubl_credit_note_with_positive_amounts_and_its_invoice() -> None:
    ubl = to_ubl(CREDIT_NOTE_DE)
    assert etree.QName(etree.fromstring(ubl)).localname == "CreditNote"
    assert one(ubl, "cbc:CreditNoteTypeCode/text()") == "381"
    reference = "cac:BillingReference/cac:InvoiceDocumentReference"
    assert one(ubl, f"{reference}/cbc:ID/text()") == "DE1-2026-000001"
    assert one(ubl, f"{reference}/cbc:IssueDate/text()") == "2026-03-02"
    assert one(ubl, "cac:LegalMonetaryTotal/cbc:PayableAmount/text()") == "95.08"
    assert one(ubl, "cac:CreditNoteLine/cbc:CreditedQuantity/text()") == "1"
    cii = to_cii(CREDIT_NOTE_DE)
    assert one(cii, "rsm:ExchangedDocument/ram:TypeCode/text()") == "381"
    assert one(cii, f"{SETTLEMENT}/ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()") == (
        "DE1-2026-000001"
    )
    assert one(cii, f"{SUMMATION}/ram:DuePayableAmount/text()") == "95.08"


def test_a_credit_note_due_date_goes_to_payment_means_as_ubl_has_no_due_date_there() -> None:
    ubl = to_ubl(dataclasses.replace(CREDIT_NOTE_DE, due_date=date(2026, 4, 1)))
    assert one(ubl, "cac:PaymentMeans/cbc:PaymentDueDate/text()") == "2026-04-01"
    assert xpath(ubl, "cbc:DueDate") == []


def test_reverse_charge_carries_its_exemption_reason_and_both_vat_ids() -> None:
    ubl = to_ubl(REVERSE_CHARGE_DE_NL)
    category = "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory"
    assert one(ubl, f"{category}/cbc:ID/text()") == "AE"
    assert one(ubl, f"{category}/cbc:TaxExemptionReasonCode/text()") == "VATEX-EU-AE"
    vat_ids = xpath(ubl, "//cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID/text()")
    assert vat_ids == ["DE123456788", "NL123456782B01"]


def test_not_subject_to_vat_documents_carry_no_vat_ids_and_no_rates() -> None:
    # BR-O-02 and BR-O-05: the renderer leaves them out; the tax number identifies the seller.
    cii = to_cii(EXPORT_SERVICES_DE_CH)
    registrations = f"{AGREEMENT}//ram:SpecifiedTaxRegistration/ram:ID"
    assert xpath(cii, f"{registrations}/@schemeID") == ["FC"]
    assert xpath(cii, "//ram:RateApplicablePercent") == []
    ubl = to_ubl(EXPORT_SERVICES_DE_CH)
    assert xpath(ubl, "//cac:PartyTaxScheme/cac:TaxScheme/cbc:ID/text()") == ["FC"]
    assert xpath(ubl, "//cbc:Percent") == []
