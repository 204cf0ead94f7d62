"""The README's invoice walkthrough, step by step through the API, on the embedded
default's sample data: a customer, an invoice with labour and parts at the Berlin shop,
finalize, the PDF, CII and UBL XML, pay, and a partial credit note with a refund."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader

from payments.app.http import prepare_embedded
from payments.einvoicing.problems import errors
from payments.einvoicing.validation import validate_cii, validate_ubl
from support.app import Api
from support.refunds import skip_past_gateway_events, verified


async def test_the_readme_walkthrough_issues_pays_and_credits_an_invoice(api: Api) -> None:
    container = api.container
    settings = container.settings
    container.settings = settings.model_copy(update={"seed_sample_data": True})
    try:
        await prepare_embedded(container)  # what `python3 dev.py serve` does at first start
    finally:
        container.settings = settings
    await skip_past_gateway_events(container)
    h = await api.key("admin")
    c = api.client

    # the sample shops: the Berlin one invoices as MyComputer Deutschland GmbH
    shops = (await c.get("/v1/locations", headers=h)).json()["data"]
    berlin = next(s for s in shops if s["name"] == "MyComputer Berlin Mitte")
    assert berlin["legal_entity"].startswith("le_")

    # a customer
    cus = await c.post(
        "/v1/customers",
        json={
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "address": {
                "line1": "Invalidenstrasse 1",
                "postal_code": "10115",
                "city": "Berlin",
                "country": "DE",
            },
            "preferred_locales": ["de"],
        },
        headers=h,
    )
    assert cus.status_code == 200, cus.text

    # an invoice with labour and parts at the Berlin shop
    invoice = await c.post(
        "/v1/invoices",
        json={
            "customer": cus.json()["id"],
            "location": berlin["id"],
            "lines": [
                {
                    "description": "Labour: replace display",
                    "quantity": "1.5",
                    "unit": "hour",
                    "unit_amount": 8000,
                },
                {"description": "Display panel 13.3in", "unit_amount": 12900, "sku": "LCD-133"},
            ],
        },
        headers=h,
    )
    assert invoice.status_code == 200, invoice.text
    inv = invoice.json()["id"]
    assert (invoice.json()["status"], invoice.json()["total"]) == ("draft", 29631)

    # finalize: numbered, frozen, posted
    final = await c.post(f"/v1/invoices/{inv}/finalize", headers=h)
    assert final.status_code == 200, final.text
    assert final.json()["number"] == "DE1-2026-000001"
    assert final.json()["payment_reference"].startswith("RF")

    # the PDF (PDF/A-3 with the Factur-X XML inside), CII and UBL XML
    pdf = await c.get(f"/v1/invoices/{inv}/pdf", headers=h)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "factur-x.xml" in PdfReader(BytesIO(pdf.content)).attachments
    cii = await c.get(f"/v1/invoices/{inv}/xml", params={"syntax": "cii"}, headers=h)
    ubl = await c.get(f"/v1/invoices/{inv}/xml", params={"syntax": "ubl"}, headers=h)
    assert errors(validate_cii(cii.content)) == []
    assert errors(validate_ubl(ubl.content)) == []

    # pay it with Stripe's test card
    paid = await c.post(
        f"/v1/invoices/{inv}/pay", json={"payment_method": "pm_card_visa"}, headers=h
    )
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid"

    # a warranty case: credit half an hour of labour and refund it to the card
    labour = paid.json()["lines"]["data"][0]["id"]
    note = await c.post(
        "/v1/credit_notes",
        json={
            "invoice": inv,
            "lines": [
                {"type": "invoice_line_item", "invoice_line_item": labour, "quantity": "0.5"}
            ],
            "refund_amount": 4760,
            "reason": "warranty",
        },
        headers=h,
    )
    assert note.status_code == 200, note.text
    assert (note.json()["number"], note.json()["total"]) == ("DE1-CN-2026-000001", 4760)
    refund = note.json()["refunds"][0]["refund"]
    assert (await c.get(f"/v1/refunds/{refund}", headers=h)).json()["status"] == "succeeded"
    note_xml = await c.get(
        f"/v1/credit_notes/{note.json()['id']}/xml", params={"syntax": "cii"}, headers=h
    )
    assert errors(validate_cii(note_xml.content)) == []
    note_pdf = await c.get(f"/v1/credit_notes/{note.json()['id']}/pdf", headers=h)
    assert note_pdf.status_code == 200
    await verified(api)
