"""OASIS UBL 2.1 Invoice / CreditNote in the EN 16931 syntax binding.

A credit note (type code 381) is a UBL ``CreditNote`` with positive amounts;
every other type is an ``Invoice``. With a buyer reference (BT-10, the German
Leitweg-ID) the CustomizationID (BT-24) declares XRechnung 3.0 conformance,
otherwise plain EN 16931. Element order follows the UBL 2.1 XSDs.
"""

from __future__ import annotations

from lxml import etree

from . import binding as b
from .model import Address, DocumentLine, DocumentTax, InvoiceDocument

CUSTOMIZATION_EN16931 = "urn:cen.eu:en16931:2017"
CUSTOMIZATION_XRECHNUNG = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
_NS = {"cac": CAC, "cbc": CBC}


def customization_id(doc: InvoiceDocument) -> str:
    return CUSTOMIZATION_XRECHNUNG if doc.buyer.buyer_reference else CUSTOMIZATION_EN16931


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    prefix, name = tag.split(":")
    node = etree.SubElement(parent, f"{{{_NS[prefix]}}}{name}", attrib)
    if text is not None:
        node.text = text
    return node


def _money(parent: etree._Element, tag: str, minor: int, doc: InvoiceDocument) -> None:
    _el(parent, tag, b.amount_text(minor, doc.currency), currencyID=b.currency_code(doc))


def to_ubl(doc: InvoiceDocument) -> bytes:
    """The document as UBL 2.1 XML (UTF-8, with declaration)."""
    credit = doc.is_credit_note
    namespace = CREDIT_NOTE_NS if credit else INVOICE_NS
    root = etree.Element(
        f"{{{namespace}}}{'CreditNote' if credit else 'Invoice'}",
        nsmap={None: namespace, "cac": CAC, "cbc": CBC},
    )
    _el(root, "cbc:CustomizationID", customization_id(doc))
    _el(root, "cbc:ID", doc.number)
    _el(root, "cbc:IssueDate", doc.issue_date.isoformat())
    if credit:
        if doc.tax_point_date is not None:
            _el(root, "cbc:TaxPointDate", doc.tax_point_date.isoformat())
        _el(root, "cbc:CreditNoteTypeCode", str(doc.type_code))
        for note in doc.notes:
            _el(root, "cbc:Note", note)
    else:
        if doc.due_date is not None:
            _el(root, "cbc:DueDate", doc.due_date.isoformat())
        _el(root, "cbc:InvoiceTypeCode", str(doc.type_code))
        for note in doc.notes:
            _el(root, "cbc:Note", note)
        if doc.tax_point_date is not None:
            _el(root, "cbc:TaxPointDate", doc.tax_point_date.isoformat())
    _el(root, "cbc:DocumentCurrencyCode", b.currency_code(doc))
    if doc.buyer.buyer_reference:
        _el(root, "cbc:BuyerReference", doc.buyer.buyer_reference)
    if doc.order_reference:
        _el(_el(root, "cac:OrderReference"), "cbc:ID", doc.order_reference)
    if doc.preceding_invoice is not None:
        number, issued = doc.preceding_invoice
        reference = _el(_el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        _el(reference, "cbc:ID", number)
        _el(reference, "cbc:IssueDate", issued.isoformat())

    _seller(root, doc)
    _buyer(root, doc)
    if doc.delivery_date is not None:
        _el(_el(root, "cac:Delivery"), "cbc:ActualDeliveryDate", doc.delivery_date.isoformat())
    _payment(root, doc)
    _taxes(root, doc)

    totals = _el(root, "cac:LegalMonetaryTotal")
    _money(totals, "cbc:LineExtensionAmount", doc.line_total, doc)
    _money(totals, "cbc:TaxExclusiveAmount", doc.tax_exclusive_total, doc)
    _money(totals, "cbc:TaxInclusiveAmount", doc.tax_inclusive_total, doc)
    if doc.prepaid_amount:
        _money(totals, "cbc:PrepaidAmount", doc.prepaid_amount, doc)
    _money(totals, "cbc:PayableAmount", doc.payable_amount, doc)

    for line in doc.lines:
        _line(root, line, doc)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml


def _address(parent: etree._Element, address: Address) -> None:
    node = _el(parent, "cac:PostalAddress")
    _el(node, "cbc:StreetName", address.line1)
    if address.line2:
        _el(node, "cbc:AdditionalStreetName", address.line2)
    _el(node, "cbc:CityName", address.city)
    if address.postal_code:
        _el(node, "cbc:PostalZone", address.postal_code)
    _el(_el(node, "cac:Country"), "cbc:IdentificationCode", address.country)


def _tax_scheme(parent: etree._Element, company_id: str | None, scheme: str) -> None:
    if company_id:
        node = _el(parent, "cac:PartyTaxScheme")
        _el(node, "cbc:CompanyID", company_id)
        _el(_el(node, "cac:TaxScheme"), "cbc:ID", scheme)


def _legal_entity(parent: etree._Element, name: str, registration: str | None) -> None:
    node = _el(parent, "cac:PartyLegalEntity")
    _el(node, "cbc:RegistrationName", name)
    if registration:
        _el(node, "cbc:CompanyID", registration)


def _seller(root: etree._Element, doc: InvoiceDocument) -> None:
    seller = doc.seller
    party = _el(_el(root, "cac:AccountingSupplierParty"), "cac:Party")
    if seller.email:
        _el(party, "cbc:EndpointID", seller.email, schemeID="EM")
    _address(party, seller.address)
    _tax_scheme(party, b.seller_vat_id(doc), "VAT")
    _tax_scheme(party, seller.tax_registration_id, "FC")
    _legal_entity(party, seller.name, seller.legal_registration_id)
    if seller.contact_name or seller.phone or seller.email:
        contact = _el(party, "cac:Contact")
        if seller.contact_name:
            _el(contact, "cbc:Name", seller.contact_name)
        if seller.phone:
            _el(contact, "cbc:Telephone", seller.phone)
        if seller.email:
            _el(contact, "cbc:ElectronicMail", seller.email)


def _buyer(root: etree._Element, doc: InvoiceDocument) -> None:
    buyer = doc.buyer
    party = _el(_el(root, "cac:AccountingCustomerParty"), "cac:Party")
    if buyer.email:
        _el(party, "cbc:EndpointID", buyer.email, schemeID="EM")
    _address(party, buyer.address)
    _tax_scheme(party, b.buyer_vat_id(doc), "VAT")
    _legal_entity(party, buyer.name, buyer.legal_registration_id)


def _payment(root: etree._Element, doc: InvoiceDocument) -> None:
    means_code = doc.resolved_payment_means_code
    due_in_means = doc.is_credit_note and doc.due_date is not None
    if means_code is not None or due_in_means:
        means = _el(root, "cac:PaymentMeans")
        _el(means, "cbc:PaymentMeansCode", means_code or "1")
        if doc.is_credit_note and doc.due_date is not None:
            _el(means, "cbc:PaymentDueDate", doc.due_date.isoformat())
        if doc.payment_reference:
            _el(means, "cbc:PaymentID", doc.payment_reference)
        if doc.seller.iban:
            account = _el(means, "cac:PayeeFinancialAccount")
            _el(account, "cbc:ID", doc.seller.iban)
            if doc.seller.bic:
                _el(_el(account, "cac:FinancialInstitutionBranch"), "cbc:ID", doc.seller.bic)
    if doc.payment_terms:
        _el(_el(root, "cac:PaymentTerms"), "cbc:Note", doc.payment_terms)


def _category(parent: etree._Element, tag: str, code: str, rate: str | None) -> etree._Element:
    node = _el(parent, tag)
    _el(node, "cbc:ID", code)
    if rate is not None:
        _el(node, "cbc:Percent", rate)
    return node


def _taxes(root: etree._Element, doc: InvoiceDocument) -> None:
    total = _el(root, "cac:TaxTotal")
    _money(total, "cbc:TaxAmount", doc.tax_total, doc)
    for tax in doc.taxes:
        _subtotal(total, tax, doc)


def _subtotal(parent: etree._Element, tax: DocumentTax, doc: InvoiceDocument) -> None:
    node = _el(parent, "cac:TaxSubtotal")
    _money(node, "cbc:TaxableAmount", tax.taxable_amount, doc)
    _money(node, "cbc:TaxAmount", tax.tax_amount, doc)
    category = _category(node, "cac:TaxCategory", tax.category_code, b.tax_rate_text(tax))
    if tax.exemption_reason_code:
        _el(category, "cbc:TaxExemptionReasonCode", tax.exemption_reason_code)
    if tax.exemption_reason:
        _el(category, "cbc:TaxExemptionReason", tax.exemption_reason)
    _el(_el(category, "cac:TaxScheme"), "cbc:ID", "VAT")


def _line(root: etree._Element, line: DocumentLine, doc: InvoiceDocument) -> None:
    credit = doc.is_credit_note
    node = _el(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
    _el(node, "cbc:ID", line.line_id)
    if line.note:
        _el(node, "cbc:Note", line.note)
    _el(
        node,
        "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity",
        b.decimal_text(line.quantity),
        unitCode=line.unit_code,
    )
    _money(node, "cbc:LineExtensionAmount", line.net_amount, doc)
    if line.discount_amount:
        allowance = _el(node, "cac:AllowanceCharge")
        _el(allowance, "cbc:ChargeIndicator", "false")
        _el(allowance, "cbc:AllowanceChargeReasonCode", b.DISCOUNT_REASON_CODE)
        _el(allowance, "cbc:AllowanceChargeReason", b.DISCOUNT_REASON)
        _money(allowance, "cbc:Amount", line.discount_amount, doc)
    item = _el(node, "cac:Item")
    _el(item, "cbc:Name", line.description)
    if line.sku:
        _el(_el(item, "cac:SellersItemIdentification"), "cbc:ID", line.sku)
    category = _category(
        item, "cac:ClassifiedTaxCategory", line.category_code, b.line_rate_text(line)
    )
    _el(_el(category, "cac:TaxScheme"), "cbc:ID", "VAT")
    price = _el(node, "cac:Price")
    _money(price, "cbc:PriceAmount", line.unit_price, doc)
