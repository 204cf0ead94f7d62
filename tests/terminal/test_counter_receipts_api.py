"""Receipts of counter payments (HTML and PDF, 80 mm), e-mailed through the notification
port, and an invoice paid at the reader (its lines on the display, its VAT on the
receipt)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from pypdf import PdfReader

from payments.app.capabilities import verify_ledger
from payments.terminal.notifier import EXTRA_KEY
from support.app import Api
from support.invoices import customer, finalized
from support.refunds import poll_gateway
from support.terminal import counter, counter_intent, get_reader, paid_at_counter, present, reader


class Outbox:
    def __init__(self) -> None:
        self.sent: list[tuple[Any, str, str]] = []

    async def receipt_sent(self, receipt: Any, html: str, *, to: str) -> None:
        self.sent.append((receipt, html, to))


async def test_the_receipt_of_a_counter_payment(api: Api) -> None:
    _admin, clerk, shop = await counter(api)
    tmr = await reader(api, clerk, shop)
    pi = await counter_intent(api, clerk, shop, receipt_email="ada@example.com")
    paid = await paid_at_counter(api, clerk, tmr["id"], pi["id"])
    charge_id = paid["latest_charge"]
    charge = (await api.client.get(f"/v1/charges/{charge_id}", headers=clerk)).json()
    auth = charge["payment_method_details"]["card_present"]["receipt"]["authorization_code"]

    html = await api.client.get(f"/v1/charges/{charge_id}/receipt", headers=clerk)
    assert html.status_code == 200, html.text
    assert html.headers["content-type"].startswith("text/html")
    text = html.text
    for expected in (
        "MyComputer Deutschland GmbH",  # the shop's legal entity
        "DE",
        "VAT ID: DE136695976",
        "Torstrasse 101",
        "€129.00",
        "VISA",
        "**** 4242",
        "Contactless",
        auth,
        "A0000000031010",
        "VISA CREDIT",
        "APPROVED",
        "size: 80mm",
    ):
        assert expected in text, expected

    pdf = await api.client.get(
        f"/v1/charges/{charge_id}/receipt", params={"format": "pdf"}, headers=clerk
    )
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    page = PdfReader(BytesIO(pdf.content)).pages[0]
    width_mm = float(page.mediabox.width) / 72 * 25.4
    assert round(width_mm) == 80
    assert "4242" in page.extract_text()

    outbox = Outbox()
    api.container.extras[EXTRA_KEY] = outbox
    sent = await api.client.post(f"/v1/charges/{charge_id}/send_receipt", headers=clerk)
    assert sent.status_code == 200, sent.text
    ((receipt, body, to),) = outbox.sent
    assert to == "ada@example.com"
    assert receipt.charge_id == charge_id
    assert auth in body


async def test_no_receipt_for_an_online_charge_nor_another_shops(api: Api) -> None:
    admin, clerk, shop = await counter(api)
    online = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": 1500,
            "currency": "eur",
            "location": shop["id"],
            "payment_method": "pm_card_visa",
            "confirm": True,
        },
        headers=clerk,
    )
    charge_id = online.json()["latest_charge"]
    refused = await api.client.get(f"/v1/charges/{charge_id}/receipt", headers=clerk)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "charge_invalid_parameter"
    elsewhere = await api.location(admin, name="Hamburg")
    stranger = await api.key("clerk", location=elsewhere["id"])
    hidden = await api.client.get(f"/v1/charges/{charge_id}/receipt", headers=stranger)
    assert hidden.status_code == 404


async def test_an_invoice_paid_at_the_reader(api: Api) -> None:
    admin, clerk, shop = await counter(api)
    tmr = await reader(api, clerk, shop)
    cus = await customer(api, clerk)
    invoice = await finalized(api, admin, shop, cus)
    shown = await api.client.post(
        f"/v1/terminal/readers/{tmr['id']}/set_reader_display",
        json={"invoice": invoice["id"]},
        headers=clerk,
    )
    assert shown.status_code == 200, shown.text
    cart = shown.json()["action"]["set_reader_display"]["cart"]
    assert cart["total"] == invoice["amount_remaining"]
    assert cart["tax"] == invoice["tax"]
    assert [li["description"] for li in cart["line_items"]] == [
        line["description"] for line in invoice["lines"]["data"]
    ]

    sent = await api.client.post(
        f"/v1/terminal/readers/{tmr['id']}/process_payment_intent",
        json={"invoice": invoice["id"]},
        headers=clerk,
    )
    assert sent.status_code == 200, sent.text
    pi_id = sent.json()["action"]["process_payment_intent"]["payment_intent"]
    pi = (await api.client.get(f"/v1/payment_intents/{pi_id}", headers=clerk)).json()
    assert pi["invoice"] == invoice["id"]
    assert pi["payment_method_types"] == ["card_present"]
    assert pi["amount"] == invoice["amount_remaining"]
    assert (await present(api, clerk, tmr["id"])).status_code == 200
    await poll_gateway(api.container)

    paid = (await api.client.get(f"/v1/invoices/{invoice['id']}", headers=admin)).json()
    assert paid["status"] == "paid"
    assert paid["amount_remaining"] == 0
    pi = (await api.client.get(f"/v1/payment_intents/{pi_id}", headers=clerk)).json()
    receipt = await api.client.get(f"/v1/charges/{pi['latest_charge']}/receipt", headers=clerk)
    assert receipt.status_code == 200
    assert invoice["number"] in receipt.text
    assert "19 %" in receipt.text  # the VAT summary of the invoice
    assert (await get_reader(api, clerk, tmr["id"]))["action"]["status"] == "succeeded"

    again = await api.client.post(
        f"/v1/terminal/readers/{tmr['id']}/process_payment_intent",
        json={"invoice": invoice["id"]},
        headers=clerk,
    )
    assert again.status_code == 400  # it owes nothing now
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []
