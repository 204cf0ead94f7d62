"""A payment link for one share of an invoice's payment plan (an insurer pays 80 %, the
customer 20 %): created with ``share``, it collects at most what that share owes, from
the share's payer; its page says so; paying through it pays that share and not the
other; shares that are paid, unknown or another invoice's are refused naming ``share``."""

from __future__ import annotations

import re
from typing import Any

import httpx
import sqlalchemy as sa

from payments.app.capabilities import verify_ledger
from payments.payment_links.tables import payment_links
from support.app import Api
from support.invoices import finalized, post
from support.payment_links import insurer_and_customer_shares, new_link, open_invoice, path_of

VISA = "4242 4242 4242 4242"
TOTAL = 29631
INSURER, CUSTOMER = 23704, 5927  # 80 % rounded down; the remainder cent on the last


async def _pay(api: Api, path: str, nonce: str | None = None) -> httpx.Response:
    if nonce is None:
        page = (await api.client.get(path)).text
        found = re.search(r'name="nonce" value="([^"]+)"', page)
        assert found, page
        nonce = found.group(1)
    form = {"card_number": VISA, "expiry": "12/34", "cvc": "123", "nonce": nonce}
    return await api.client.post(path, data=form)


async def _get(api: Api, headers: dict[str, str], path: str) -> Any:
    response = await api.client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _link_count(api: Api) -> int:
    async with api.container.engine.connect() as conn:
        return int(
            (await conn.execute(sa.select(sa.func.count()).select_from(payment_links))).scalar_one()
        )


async def test_a_share_link_is_the_share_payers_for_what_the_share_owes(api: Api) -> None:
    admin, invoice = await open_invoice(api)
    insurer_share, customer_share = await insurer_and_customer_shares(api, admin, invoice)
    clerk = await api.key("clerk")

    mine = await new_link(api, clerk, invoice, share=customer_share["id"])
    theirs = await new_link(api, clerk, invoice, share=insurer_share["id"])
    whole = await new_link(api, clerk, invoice)

    assert (mine["share"], mine["customer"], mine["amount"]) == (
        customer_share["id"],
        invoice["customer"],
        CUSTOMER,
    )
    assert (theirs["share"], theirs["customer"], theirs["amount"]) == (
        insurer_share["id"],
        insurer_share["customer"],
        INSURER,
    )
    assert theirs["customer"] != invoice["customer"]
    assert (whole["share"], whole["amount"]) == (None, TOTAL)
    shown = await _get(api, admin, f"/v1/payment_links/{mine['id']}")
    assert shown | {"url": mine["url"]} == mine


async def test_a_partly_paid_share_gets_a_link_for_what_it_still_owes(api: Api) -> None:
    admin, invoice = await open_invoice(api)
    _insurer, customer_share = await insurer_and_customer_shares(api, admin, invoice)
    cash = await post(
        api,
        f"/v1/invoices/{invoice['id']}/pay",
        admin,
        share=customer_share["id"],
        paid_out_of_band=True,
        amount=1000,
        method="cash",
    )
    assert cash.status_code == 200, cash.text

    link = await new_link(api, admin, invoice, share=customer_share["id"])

    assert link["amount"] == CUSTOMER - 1000
    page = await api.client.get(path_of(link))
    assert 'id="amount-due">€49.27<' in page.text
    assert 'id="share-amount">€59.27<' in page.text


async def test_a_share_that_is_paid_unknown_or_another_invoices_is_refused_naming_share(
    api: Api,
) -> None:
    admin, invoice = await open_invoice(api)
    insurer_share, customer_share = await insurer_and_customer_shares(api, admin, invoice)
    other = await finalized(api, admin, {"id": invoice["location"]}, {"id": invoice["customer"]})
    no_plan = await post(
        api, f"/v1/invoices/{other['id']}/payment_links", admin, share=customer_share["id"]
    )
    transfer = await post(
        api,
        f"/v1/invoices/{invoice['id']}/pay",
        admin,
        share=insurer_share["id"],
        paid_out_of_band=True,
        method="bank_transfer",
    )
    assert transfer.status_code == 200, transfer.text

    refusals = [
        (no_plan, "resource_missing"),
        (
            await post(
                api, f"/v1/invoices/{invoice['id']}/payment_links", admin, share="ishr_missing"
            ),
            "resource_missing",
        ),
        (
            await post(
                api, f"/v1/invoices/{invoice['id']}/payment_links", admin, share=insurer_share["id"]
            ),
            "invoice_share_paid",
        ),
    ]
    for refused, code in refusals:
        assert refused.status_code == 400, refused.text
        assert (refused.json()["error"]["param"], refused.json()["error"]["code"]) == (
            "share",
            code,
        )
    assert await _link_count(api) == 0


async def test_paying_through_a_share_link_pays_that_share_and_not_the_other(api: Api) -> None:
    admin, invoice = await open_invoice(api)
    insurer_share, customer_share = await insurer_and_customer_shares(api, admin, invoice)
    link = await new_link(api, admin, invoice, share=customer_share["id"])

    page = await api.client.get(path_of(link))
    assert page.status_code == 200
    assert "This link pays your share of the invoice: €59.27 of €296.31." in page.text
    assert 'id="amount-due">€59.27<' in page.text
    assert "Pay €59.27" in page.text

    paid = await _pay(api, path_of(link))

    assert paid.status_code == 303, paid.text
    receipt = await api.client.get(path_of(link))
    assert f"Your share of invoice {invoice['number']} is paid." in receipt.text
    assert "€59.27" in receipt.text and "Visa •••• 4242" in receipt.text
    now = await _get(api, admin, f"/v1/invoices/{invoice['id']}")
    assert (now["status"], now["amount_paid"], now["amount_remaining"]) == (
        "open",
        CUSTOMER,
        INSURER,
    )
    plan = await _get(api, admin, f"/v1/invoices/{invoice['id']}/payment_plan")
    assert [(s["id"], s["status"], s["amount_paid"]) for s in plan["shares"]] == [
        (insurer_share["id"], "open", 0),
        (customer_share["id"], "paid", CUSTOMER),
    ]
    intent = await _get(api, admin, f"/v1/payment_intents/{now['payment_intent']}")
    assert (intent["amount"], intent["customer"]) == (CUSTOMER, invoice["customer"])
    assert intent["metadata"]["invoice_share"] == customer_share["id"]
    assert intent["metadata"]["payment_link"] == link["id"]
    payments = await _get(api, admin, f"/v1/invoices/{invoice['id']}/payments")
    assert [p["amount_paid"] for p in payments["data"]] == [CUSTOMER]

    # the paid share's link takes nothing more; a new link for it is refused
    again = await _pay(api, path_of(link), nonce="another-form-0001")
    assert again.status_code == 200
    assert f"Your share of invoice {invoice['number']} is paid." in again.text
    assert (await _get(api, admin, f"/v1/invoices/{invoice['id']}"))["amount_paid"] == CUSTOMER
    refused = await post(
        api, f"/v1/invoices/{invoice['id']}/payment_links", admin, share=customer_share["id"]
    )
    assert (refused.status_code, refused.json()["error"]["param"]) == (400, "share")
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_the_insurers_share_link_charges_the_insurer(api: Api) -> None:
    admin, invoice = await open_invoice(api)
    insurer_share, customer_share = await insurer_and_customer_shares(api, admin, invoice)
    link = await new_link(api, admin, invoice, share=insurer_share["id"])

    page = await api.client.get(path_of(link))
    assert "Ihren Anteil an der Rechnung: 237,04\xa0€ von 296,31\xa0€" in page.text  # de-DE
    assert (await _pay(api, path_of(link))).status_code == 303
    cash = await post(
        api,
        f"/v1/invoices/{invoice['id']}/pay",
        admin,
        share=customer_share["id"],
        paid_out_of_band=True,
        method="cash",
    )
    assert cash.status_code == 200, cash.text

    now = cash.json()
    assert (now["status"], now["amount_remaining"]) == ("paid", 0)
    intent = await _get(api, admin, f"/v1/payment_intents/{link_intent(now)}")
    assert (intent["amount"], intent["customer"]) == (INSURER, insurer_share["customer"])
    plan = await _get(api, admin, f"/v1/invoices/{invoice['id']}/payment_plan")
    assert [s["status"] for s in plan["shares"]] == ["paid", "paid"]
    receipt = await api.client.get(path_of(link))
    assert f"Ihr Anteil an Rechnung {invoice['number']} ist bezahlt." in receipt.text
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


def link_intent(invoice: dict[str, Any]) -> str:
    return str(invoice["payment_intent"])
