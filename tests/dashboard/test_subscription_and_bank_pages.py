"""Subscriptions (list and detail, read-only) and unmatched bank transactions in the
dashboard, on both databases, each with the rights of the role and shop."""

from __future__ import annotations

from pathlib import Path

import httpx

from support.app import Api
from support.billing import billing_setup, ok
from support.dashboard import csrf_of, sign_in, staff_user
from support.invoices import setup

STATEMENT = Path(__file__).parent.parent / "fixtures" / "bank_statements"


async def test_subscriptions_are_listed_and_shown_with_items_and_invoices(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    admin, shop, price, cus, _ = await billing_setup(api, with_clock=False)
    sub = await ok(
        api,
        "/v1/subscriptions",
        admin,
        customer=cus["id"],
        items=[{"price": price["id"], "quantity": 2}],
        default_payment_method="pm_card_visa",
    )
    assert sub["status"] == "active"
    invoice = (
        await api.client.get("/v1/invoices", params={"subscription": sub["id"]}, headers=admin)
    ).json()["data"][0]
    await sign_in(browserless, await staff_user(api.container, "clerk", location=shop["id"]))

    listed = await browserless.get("/dashboard/subscriptions")
    assert listed.status_code == 200, listed.text
    row = listed.text.split(f'href="/dashboard/subscriptions/{sub["id"]}"')[1].split("</tr>")[0]
    assert "Ada Lovelace" in row and "Active" in row
    assert "€19.80 / Month" in row  # 2 x 9.90 a month
    assert "2/15/26" in row  # the current period ends a month after 15 January 2026
    ended = await browserless.get("/dashboard/subscriptions?status=ended")
    assert sub["id"] not in ended.text

    detail = await browserless.get(f"/dashboard/subscriptions/{sub['id']}")
    assert detail.status_code == 200, detail.text
    items = detail.text.split("<h2>Items</h2>")[1].split("</table>")[0]
    assert "Laptop maintenance" in items and "€9.90" in items and ">2<" in items
    invoices = detail.text.split("<h2>Invoices</h2>")[1]
    assert invoice["number"] in invoices and "Paid" in invoices


async def test_another_shops_subscription_is_not_found(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    admin, _shop, price, cus, _ = await billing_setup(api, with_clock=False)
    sub = await ok(
        api,
        "/v1/subscriptions",
        admin,
        customer=cus["id"],
        items=[{"price": price["id"]}],
        default_payment_method="pm_card_visa",
    )
    other = await api.location(admin, name="München")
    await sign_in(browserless, await staff_user(api.container, "clerk", location=other["id"]))
    assert sub["id"] not in (await browserless.get("/dashboard/subscriptions")).text
    missing = await browserless.get(f"/dashboard/subscriptions/{sub['id']}")
    assert missing.status_code == 404 and "Not found" in missing.text


async def test_finance_sees_unmatched_bank_transactions_from_the_home_page(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    admin, shop = await setup(api)
    statement = await api.client.post(
        "/v1/bank_statements",
        content=(STATEMENT / "camt053_v02_2026-01-21.xml").read_bytes(),
        headers=admin | {"Content-Type": "application/xml"},
    )
    assert statement.status_code == 200, statement.text
    assert statement.json()["transactions"]["unmatched"] == 2  # no invoice to pay yet

    await sign_in(browserless, await staff_user(api.container, "finance"))
    home = await browserless.get("/dashboard")
    assert "Unmatched bank transactions: 2" in home.text
    assert 'href="/dashboard/bank_transactions"' in home.text
    listed = await browserless.get("/dashboard/bank_transactions")
    assert listed.status_code == 200, listed.text
    assert "Unknown Payer GmbH" in listed.text and "AT611904300234573201" in listed.text
    assert "€119.00" in listed.text
    await browserless.post("/dashboard/logout", data={"csrf_token": csrf_of(home.text)})

    # company-wide: not for a clerk, nor for finance kept to one shop
    for role, location in (("clerk", None), ("finance", shop["id"])):
        await sign_in(browserless, await staff_user(api.container, role, location=location))
        home = await browserless.get("/dashboard")
        assert "Unmatched bank transactions" not in home.text
        assert (await browserless.get("/dashboard/bank_transactions")).status_code == 403
        await browserless.post("/dashboard/logout", data={"csrf_token": csrf_of(home.text)})
