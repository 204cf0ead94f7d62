"""Invoices in the dashboard: detail, PDF, a payment at the counter, a credit note."""

from __future__ import annotations

from typing import Any

import httpx

from payments.app.capabilities import verify_ledger
from payments.invoices.notifier import EXTRA_KEY
from support.app import Api
from support.dashboard import csrf_of, sign_in, staff_user
from support.invoices import customer, finalized, setup


async def _confirmed(client: httpx.AsyncClient, url: str, data: dict[str, str]) -> httpx.Response:
    first = await client.post(url, data=data)
    assert first.status_code == 200, first.text
    return await client.post(
        url, data=data | {"confirmed": "yes", "csrf_token": csrf_of(first.text)}
    )


async def test_a_clerk_records_a_cash_payment_and_finance_issues_a_credit_note(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    admin, seller = await setup(api)
    cus = await customer(api, admin)
    invoice = await finalized(api, admin, seller, cus)
    await sign_in(browserless, await staff_user(api.container, "clerk", location=seller["id"]))

    page = await browserless.get(f"/dashboard/invoices/{invoice['id']}")
    assert page.status_code == 200 and invoice["number"] in page.text
    pdf = await browserless.get(f"/dashboard/invoices/{invoice['id']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    paid = await _confirmed(
        browserless,
        f"/dashboard/invoices/{invoice['id']}/pay",
        {"csrf_token": csrf_of(page.text)},
    )
    assert paid.status_code == 303, paid.text
    after = (await api.client.get(f"/v1/invoices/{invoice['id']}", headers=admin)).json()
    assert (after["status"], after["paid_out_of_band"]) == ("paid", True)

    page = await browserless.get(f"/dashboard/invoices/{invoice['id']}")
    credited = await _confirmed(
        browserless,
        f"/dashboard/invoices/{invoice['id']}/credit_notes",
        {
            "amount": "10",
            "reason": "warranty",
            "settle": "out_of_band",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert credited.status_code == 303, credited.text
    notes = (
        await api.client.get("/v1/credit_notes", params={"invoice": invoice["id"]}, headers=admin)
    ).json()["data"]
    assert [(n["amount"], n["out_of_band_amount"]) for n in notes] == [(1000, 1000)]
    shown = await browserless.get(f"/dashboard/invoices/{invoice['id']}")
    assert notes[0]["number"] in shown.text
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_an_invoice_is_sent_to_the_customer_from_its_page(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    sent: list[tuple[str, str]] = []

    class Recorder:
        async def invoice_sent(self, invoice: dict[str, Any], *, to: str) -> None:
            sent.append((invoice["number"], to))

    api.container.extras[EXTRA_KEY] = Recorder()
    admin, seller = await setup(api)
    invoice = await finalized(
        api, admin, seller, await customer(api, admin), collection_method="send_invoice"
    )
    await sign_in(browserless, await staff_user(api.container, "clerk"))
    page = await browserless.get(f"/dashboard/invoices/{invoice['id']}")
    assert "ada@example.com" in page.text
    done = await browserless.post(
        f"/dashboard/invoices/{invoice['id']}/send", data={"csrf_token": csrf_of(page.text)}
    )
    assert done.status_code == 303
    assert "The invoice was sent" in (await browserless.get(done.headers["location"])).text
    assert sent == [(invoice["number"], "ada@example.com")]
