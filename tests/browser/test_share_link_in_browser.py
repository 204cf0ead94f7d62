"""Several payers, end to end: an insurer pays its 80 % share of a repair by a bank
transfer found in a camt.053 statement imported through ``POST /v1/bank_statements``, the
customer pays the remaining 20 % on the pay page of a link for their share, in Chromium,
with a test card; then the invoice is paid and every cent is in the ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from payments.app.capabilities import verify_ledger
from support.app import Api
from support.invoices import customer, finalized, setup
from support.payment_links import insurer_and_customer_shares, new_link, path_of

STATEMENT = Path(__file__).parent.parent / "fixtures" / "bank_statements"


async def _get(api: Api, headers: dict[str, str], path: str) -> Any:
    response = await api.client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_insurer_pays_80_percent_by_transfer_and_the_customer_20_by_pay_link(
    api: Api, page: Any, live_url: str
) -> None:
    admin, shop = await setup(api)
    ada = await customer(api, admin, preferred_locales=["en-GB"])
    invoice = await finalized(
        api, admin, shop, ada, [{"description": "Repair", "unit_amount": 100000}]
    )
    # the statement's transfer names this invoice's creditor reference, RF03DE12026000001
    assert (invoice["number"], invoice["total"]) == ("DE1-2026-000001", 119000)
    insurer_share, customer_share = await insurer_and_customer_shares(api, admin, invoice)
    assert (insurer_share["amount"], customer_share["amount"]) == (95200, 23800)

    finance = await api.key("finance")
    imported = await api.client.post(
        "/v1/bank_statements",
        content=(STATEMENT / "camt053_v08_insurer_share.xml").read_bytes(),
        headers=finance | {"Content-Type": "application/xml"},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["transactions"]["matched"] == 1
    plan = await _get(api, admin, f"/v1/invoices/{invoice['id']}/payment_plan")
    assert [(s["status"], s["amount_paid"]) for s in plan["shares"]] == [
        ("paid", 95200),
        ("open", 0),
    ]
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []

    link = await new_link(api, admin, invoice, share=customer_share["id"])
    await page.goto(live_url + path_of(link))
    await page.get_by_role("heading", name=f"Pay invoice {invoice['number']}").wait_for()
    assert await page.locator("#share-note").inner_text() == (
        "This link pays your share of the invoice: €238.00 of €1,190.00."
    )
    assert await page.locator("#amount-due").inner_text() == "€238.00"
    await page.get_by_label("Card number").fill("4242 4242 4242 4242")
    await page.get_by_label("Expiry (MM/YY)").fill("12/34")
    await page.get_by_label("CVC").fill("123")
    await page.get_by_role("button", name="Pay €238.00").click()

    await page.get_by_role("heading", name="Payment received").wait_for()
    assert await page.get_by_text(
        f"Thank you. Your share of invoice {invoice['number']} is paid."
    ).is_visible()
    assert await page.get_by_text("Visa •••• 4242").is_visible()
    paid = await _get(api, admin, f"/v1/invoices/{invoice['id']}")
    assert (paid["status"], paid["amount_paid"], paid["amount_remaining"]) == ("paid", 119000, 0)
    plan = await _get(api, admin, f"/v1/invoices/{invoice['id']}/payment_plan")
    assert [s["status"] for s in plan["shares"]] == ["paid", "paid"]
    payments = await _get(api, admin, f"/v1/invoices/{invoice['id']}/payments")
    assert sorted((p["amount_paid"], p["payment"]["type"]) for p in payments["data"]) == [
        (23800, "payment_intent"),
        (95200, "out_of_band"),
    ]
    intent = await _get(api, admin, f"/v1/payment_intents/{paid['payment_intent']}")
    assert intent["metadata"]["invoice_share"] == customer_share["id"]
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []
