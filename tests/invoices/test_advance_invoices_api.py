"""Advance-payment invoices (deposits actually received, EN 16931 type 386): the VAT of
what is received is due on receipt; the final invoice charges the whole repair and
deducts the paid advance as the prepaid amount (BT-113) with a reference to it (BT-25),
the advance's VAT reversed so it is counted once; refusals name advance_invoice and
write nothing; ``payments ledger verify`` clean after each step."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from lxml import etree
from pypdf import PdfReader

from payments.einvoicing.problems import errors
from payments.einvoicing.validation import validate_cii, validate_ubl
from payments.invoices.domain.advance import vat_due_on_receipt, vat_received
from support.app import Api
from support.invoices import customer, dimension_balances, draft, post, setup
from support.invoices import seller_shop as second_shop
from support.refunds import ledger_kinds, verified

DEPOSIT = {"description": "Deposit: display replacement", "unit_amount": 10000}
ADVANCE_TOTAL = 11900  # EUR 100.00 + 19 % VAT
FINAL_TOTAL = 29631  # LABOUR + PARTS: 249.00 net + 47.31 VAT
NS = {
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}


async def _held(api: Api, headers: dict[str, str], account: str) -> dict[str, int]:
    """The account's non-zero balances by dimension."""
    return {k: v for k, v in (await dimension_balances(api, headers, account)).items() if v}


async def _get(api: Api, headers: dict[str, str], invoice_id: str) -> dict[str, Any]:
    response = await api.client.get(f"/v1/invoices/{invoice_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def _advance(
    api: Api, headers: dict[str, str], shop: dict[str, Any], cus: dict[str, Any]
) -> dict[str, Any]:
    made = await draft(api, headers, shop, cus, [DEPOSIT], invoice_type="advance")
    assert made["invoice_type"] == "advance"
    done = await post(api, f"/v1/invoices/{made['id']}/finalize", headers)
    assert done.status_code == 200, done.text
    return done.json()  # type: ignore[no-any-return]


async def _pay(api: Api, headers: dict[str, str], invoice_id: str, amount: int) -> dict[str, Any]:
    paid = await post(
        api,
        f"/v1/invoices/{invoice_id}/pay",
        headers,
        paid_out_of_band=True,
        amount=amount,
        method="cash",
        note="deposit at drop-off",
    )
    assert paid.status_code == 200, paid.text
    return paid.json()  # type: ignore[no-any-return]


async def _paid_advance(
    api: Api, headers: dict[str, str], shop: dict[str, Any], cus: dict[str, Any]
) -> dict[str, Any]:
    advance = await _advance(api, headers, shop, cus)
    return await _pay(api, headers, advance["id"], ADVANCE_TOTAL)


async def _xml(api: Api, headers: dict[str, str], invoice_id: str, syntax: str) -> Any:
    response = await api.client.get(
        f"/v1/invoices/{invoice_id}/xml", params={"syntax": syntax}, headers=headers
    )
    assert response.status_code == 200, response.text
    check = validate_cii if syntax == "cii" else validate_ubl
    assert errors(check(response.content)) == []
    return etree.fromstring(response.content)


def test_the_vat_received_is_proportional_and_complete_at_the_last_payment() -> None:
    breakdown = [{"amount": 1900}, {"amount": 70}]
    assert vat_received(breakdown, total=12970, paid=0) == [0, 0]
    assert vat_received(breakdown, total=12970, paid=5000) == [732, 27]  # 732.46, 26.99
    parts = [
        vat_due_on_receipt(breakdown, total=12970, paid_before=a, paid_after=b)
        for a, b in ((0, 3333), (3333, 6666), (6666, 12970))
    ]
    assert [sum(p[i] for p in parts) for i in (0, 1)] == [1900, 70]  # no cent lost


async def test_an_advance_invoice_makes_its_vat_due_as_it_is_paid(api: Api) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    advance = await _advance(api, admin, shop, cus)
    assert (advance["status"], advance["total"], advance["tax"]) == ("open", ADVANCE_TOTAL, 1900)
    assert advance["applied_to"] is None and advance["prepaid_amount"] == 0
    # issued, nothing received: no VAT due yet, no sale
    assert await _held(api, admin, "vat_payable") == {}
    assert await _held(api, admin, "sales") == {}
    assert await _held(api, admin, "customer_advances") == {advance["id"]: 11900}
    await verified(api)
    cii = await _xml(api, admin, advance["id"], "cii")
    assert cii.findtext(".//rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "386"
    ubl = await _xml(api, admin, advance["id"], "ubl")
    assert ubl.findtext("cbc:InvoiceTypeCode", namespaces=NS) == "386"

    part = await _pay(api, admin, advance["id"], 5000)
    assert (part["status"], part["amount_remaining"]) == ("open", 6900)
    # 1900 x 5000 / 11900 = 798.32: EUR 7.98 of VAT is due on what was received
    assert await _held(api, admin, "vat_payable") == {"DE:S:19": 798}
    assert await _held(api, admin, "customer_advances") == {advance["id"]: 11102}
    await verified(api)

    rest = await _pay(api, admin, advance["id"], 6900)
    assert (rest["status"], rest["amount_paid"]) == ("paid", ADVANCE_TOTAL)
    assert await _held(api, admin, "vat_payable") == {"DE:S:19": 1900}
    assert await _held(api, admin, "customer_advances") == {advance["id"]: 10000}
    assert await _held(api, admin, "accounts_receivable") == {}
    await verified(api)


async def test_the_final_invoice_deducts_the_advance_and_is_paid_by_the_remainder(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    clerk = await api.key("clerk")
    cus = await customer(api, admin)
    advance = await _paid_advance(api, clerk, shop, cus)
    final = await draft(api, clerk, shop, cus)
    applied = await post(
        api, f"/v1/invoices/{final['id']}/apply_advance", clerk, advance_invoice=advance["id"]
    )
    assert applied.status_code == 200, applied.text
    assert (applied.json()["status"], applied.json()["advance_invoice"]) == (
        "draft",
        advance["id"],
    )
    assert (await _get(api, admin, advance["id"]))["applied_to"] == final["id"]
    await verified(api)

    done = await post(api, f"/v1/invoices/{final['id']}/finalize", clerk)
    assert done.status_code == 200, done.text
    issued = done.json()
    # the whole repair and its whole VAT charged, the deposit deducted
    assert (issued["total"], issued["tax"]) == (FINAL_TOTAL, 4731)
    assert (issued["prepaid_amount"], issued["amount_remaining"]) == (11900, 17731)
    assert (issued["status"], issued["amount_paid"]) == ("open", 0)
    # VAT counted once: 19 % of 249.00, the advance's 19.00 reversed; advance released
    assert await _held(api, admin, "vat_payable") == {"DE:S:19": 4731}
    assert await _held(api, admin, "sales") == {"DE:S:19": 24900}
    assert await _held(api, admin, "customer_advances") == {}
    assert await _held(api, admin, "accounts_receivable") == {final["id"]: 17731}
    assert await ledger_kinds(api, admin, final["id"]) == [
        "invoice.advance_applied",
        "invoice.finalized",
    ]
    await verified(api)

    cii = await _xml(api, admin, final["id"], "cii")
    totals = cii.find(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation", namespaces=NS)
    assert totals.findtext("ram:GrandTotalAmount", namespaces=NS) == "296.31"
    assert totals.findtext("ram:TotalPrepaidAmount", namespaces=NS) == "119.00"
    assert totals.findtext("ram:DuePayableAmount", namespaces=NS) == "177.31"
    reference = cii.find(".//ram:InvoiceReferencedDocument", namespaces=NS)
    assert reference.findtext("ram:IssuerAssignedID", namespaces=NS) == advance["number"]
    assert cii.findtext(".//rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "380"
    ubl = await _xml(api, admin, final["id"], "ubl")
    assert ubl.findtext("cac:LegalMonetaryTotal/cbc:PrepaidAmount", namespaces=NS) == "119.00"
    assert ubl.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "177.31"
    assert (
        ubl.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS)
        == advance["number"]
    )

    paid = await _pay(api, clerk, final["id"], 17731)
    assert (paid["status"], paid["amount_paid"], paid["amount_remaining"]) == ("paid", 17731, 0)
    assert await _held(api, admin, "accounts_receivable") == {}
    assert await _held(api, admin, "vat_payable") == {"DE:S:19": 4731}
    await verified(api)


async def test_an_advance_covering_the_whole_invoice_pays_it_at_issue(api: Api) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    advance = await _paid_advance(api, admin, shop, cus)
    final = await draft(api, admin, shop, cus, [DEPOSIT | {"description": "Display panel"}])
    applied = await post(
        api, f"/v1/invoices/{final['id']}/apply_advance", admin, advance_invoice=advance["id"]
    )
    assert applied.status_code == 200, applied.text
    done = await post(api, f"/v1/invoices/{final['id']}/finalize", admin)
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["amount_remaining"]) == ("paid", 0)
    assert await _held(api, admin, "vat_payable") == {"DE:S:19": 1900}
    await _xml(api, admin, final["id"], "cii")
    await _xml(api, admin, final["id"], "ubl")
    pdf = await api.client.get(f"/v1/invoices/{final['id']}/pdf", headers=admin)
    assert pdf.status_code == 200, pdf.text
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert f"Abzüglich Anzahlungsrechnung {advance['number']}" in text  # the buyer's German
    assert "Bereits gezahlt" in text and "Korrektur" not in text
    await verified(api)


async def _refused(
    api: Api, headers: dict[str, str], final: dict[str, Any], advance_id: str, code: int = 400
) -> dict[str, Any]:
    response = await post(
        api, f"/v1/invoices/{final['id']}/apply_advance", headers, advance_invoice=advance_id
    )
    assert response.status_code == code, response.text
    error = response.json()["error"]
    after = await _get(api, headers, final["id"])
    assert after["advance_invoice"] is None  # nothing written
    return error  # type: ignore[no-any-return]


async def test_refusals_name_the_advance_invoice_and_write_nothing(api: Api) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    final = await draft(api, admin, shop, cus)

    unpaid = await _advance(api, admin, shop, cus)
    error = await _refused(api, admin, final, unpaid["id"])
    assert error["param"] == "advance_invoice" and "paid" in error["message"]
    assert (await _get(api, admin, unpaid["id"]))["applied_to"] is None

    other = await customer(api, admin, name="Charles Babbage")
    theirs = await _paid_advance(api, admin, shop, other)
    error = await _refused(api, admin, final, theirs["id"])
    assert error["param"] == "advance_invoice" and "another customer" in error["message"]

    zurich = await second_shop(api, admin, "CH")
    in_chf = await _paid_advance(api, admin, zurich, cus)
    assert in_chf["currency"] == "chf"
    error = await _refused(api, admin, final, in_chf["id"])
    assert error["param"] == "advance_invoice" and "chf" in error["message"]

    other_seller = await second_shop(api, admin, "DE")
    elsewhere = await _paid_advance(api, admin, other_seller, cus)
    error = await _refused(api, admin, final, elsewhere["id"])
    assert error["param"] == "advance_invoice" and "another seller" in error["message"]

    small = await draft(api, admin, shop, cus, [{"description": "Cleaning", "unit_amount": 5000}])
    advance = await _paid_advance(api, admin, shop, cus)
    error = await _refused(api, admin, small, advance["id"])
    assert error["param"] == "advance_invoice" and "larger" in error["message"]

    plain = await post(api, f"/v1/invoices/{unpaid['id']}/pay", admin, paid_out_of_band=True)
    assert plain.status_code == 200, plain.text
    final_invoice = await draft(api, admin, shop, cus)
    not_advance = await post(api, f"/v1/invoices/{final_invoice['id']}/finalize", admin)
    error = await _refused(api, admin, final, not_advance.json()["id"])
    assert error["param"] == "advance_invoice" and "not an advance" in error["message"]

    ok = await post(
        api, f"/v1/invoices/{final['id']}/apply_advance", admin, advance_invoice=advance["id"]
    )
    assert ok.status_code == 200, ok.text
    again = await draft(api, admin, shop, cus)
    error = await _refused(api, admin, again, advance["id"])
    assert error["param"] == "advance_invoice" and "already deducted" in error["message"]
    second = await post(
        api, f"/v1/invoices/{final['id']}/apply_advance", admin, advance_invoice=unpaid["id"]
    )
    assert second.status_code == 400 and second.json()["error"]["param"] == "advance_invoice"

    issued = await post(api, f"/v1/invoices/{final['id']}/finalize", admin)
    assert issued.status_code == 200, issued.text
    late = await post(
        api, f"/v1/invoices/{final['id']}/apply_advance", admin, advance_invoice=unpaid["id"]
    )
    assert late.status_code == 400 and late.json()["error"]["param"] == "id"
    credit = await post(api, "/v1/credit_notes", admin, invoice=advance["id"], amount=1000)
    assert credit.status_code == 400 and credit.json()["error"]["param"] == "invoice"
    missing = await _refused(api, admin, again, "in_missing", code=404)
    assert missing["param"] == "advance_invoice"
    await verified(api)


def test_the_datev_export_maps_customer_advances_in_both_charts() -> None:
    from payments.reports.domain.datev import account_code

    assert account_code("customer_advances", "in_1", chart="skr03", overrides={}) == "1718"
    assert account_code("customer_advances", "in_1", chart="skr04", overrides={}) == "3272"


async def test_finalizing_checks_the_advance_again_and_writes_nothing_when_refused(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    advance = await _paid_advance(api, admin, shop, cus)
    final = await draft(api, admin, shop, cus)
    applied = await post(
        api, f"/v1/invoices/{final['id']}/apply_advance", admin, advance_invoice=advance["id"]
    )
    assert applied.status_code == 200, applied.text
    labour = final["lines"]["data"][0]["id"]
    parts = final["lines"]["data"][1]["id"]
    removed = await post(
        api, f"/v1/invoices/{final['id']}/remove_lines", admin, lines=[{"id": parts}]
    )
    assert removed.status_code == 200, removed.text
    shrunk = await post(
        api,
        f"/v1/invoices/{final['id']}/update_lines",
        admin,
        lines=[{"id": labour, "unit_amount": 4000}],  # 1.5 h x 40.00 + VAT = 71.40
    )
    assert shrunk.status_code == 200, shrunk.text
    assert shrunk.json()["total"] == 7140
    refused = await post(api, f"/v1/invoices/{final['id']}/finalize", admin)
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["param"] == "advance_invoice"
    after = await _get(api, admin, final["id"])
    assert (after["status"], after["number"], after["prepaid_amount"]) == ("draft", None, 0)
    assert await _held(api, admin, "customer_advances") == {advance["id"]: 10000}
    await verified(api)


async def test_an_advance_paid_by_card_owes_its_vat_and_an_unpaid_one_can_be_voided(
    api: Api,
) -> None:
    admin, shop = await setup(api)
    cus = await customer(api, admin)
    by_card = await _advance(api, admin, shop, cus)
    charged = await post(
        api, f"/v1/invoices/{by_card['id']}/pay", admin, payment_method="pm_card_visa"
    )
    assert charged.status_code == 200, charged.text
    assert charged.json()["status"] == "paid"
    assert await _held(api, admin, "vat_payable") == {"DE:S:19": 1900}
    assert await _held(api, admin, "customer_advances") == {by_card["id"]: 10000}
    await verified(api)

    unused = await _advance(api, admin, shop, cus)
    voided = await post(api, f"/v1/invoices/{unused['id']}/void", admin)
    assert voided.status_code == 200, voided.text
    assert voided.json()["status"] == "void"
    assert await _held(api, admin, "customer_advances") == {by_card["id"]: 10000}
    assert await _held(api, admin, "accounts_receivable") == {}
    assert await _held(api, admin, "sales") == {}
    await verified(api)
