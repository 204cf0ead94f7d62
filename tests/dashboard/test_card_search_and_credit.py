"""The dashboard's payments search by a card's last 4 digits (typed-in cards and cards
read at a reader, within the person's shop) and the customer page's credit balance."""

from __future__ import annotations

import re

import httpx

from support.app import Api
from support.dashboard import sign_in, staff_user
from support.invoices import customer, finalized, post, setup
from support.refunds import paid, verified
from support.terminal import counter_intent, paid_at_counter, reader


def _listed(html: str) -> set[str]:
    """The payments the search's table links to."""
    return set(re.findall(r'<a href="/dashboard/payments/(pi_\w+)"', html))


async def test_payments_are_found_by_the_last_4_digits_of_the_card(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    admin, berlin = await setup(api)
    munich = await api.location(admin, name="München")
    visa = await paid(api, admin, berlin["id"], method="pm_card_visa")  # ···· 4242
    mastercard = await paid(api, admin, berlin["id"], method="pm_card_mastercard")  # 4444
    visa_munich = await paid(api, admin, munich["id"], method="pm_card_visa")
    terminal = await reader(api, admin, berlin)
    at_counter = await counter_intent(api, admin, berlin)
    done = await paid_at_counter(api, admin, terminal["id"], at_counter["id"])
    assert done["status"] == "succeeded", done
    charge = (await api.client.get(f"/v1/charges/{done['latest_charge']}", headers=admin)).json()
    counter_last4 = charge["payment_method_details"]["card_present"]["last4"]

    await sign_in(browserless, await staff_user(api.container, "readonly"))
    by_field = await browserless.get("/dashboard/payments?last4=4444")
    assert by_field.status_code == 200, by_field.text
    assert _listed(by_field.text) == {mastercard["id"]}
    by_text = await browserless.get("/dashboard/payments?q=4242")
    expected = {visa["id"], visa_munich["id"]} | (
        {at_counter["id"]} if counter_last4 == "4242" else set()
    )
    assert _listed(by_text.text) == expected
    read_at_reader = await browserless.get(f"/dashboard/payments?last4={counter_last4}")
    assert at_counter["id"] in _listed(read_at_reader.text)
    pasted = await browserless.get("/dashboard/payments", params={"last4": "···· 4444"})
    assert _listed(pasted.text) == {mastercard["id"]}
    with_amount = await browserless.get("/dashboard/payments?last4=4242&amount=1&currency=eur")
    assert _listed(with_amount.text) == set()
    nobody = await browserless.get("/dashboard/payments?last4=0000")
    assert _listed(nobody.text) == set() and "No payments match." in nobody.text
    for bad in ("424", "42424", "42a2"):
        refused = await browserless.get("/dashboard/payments", params={"last4": bad})
        assert refused.status_code == 400, bad
        assert "Not the last 4 digits of a card" in refused.text
        assert "Traceback" not in refused.text

    clerk = await staff_user(api.container, "clerk", location=berlin["id"])
    browserless.cookies.clear()
    await sign_in(browserless, clerk)
    ours = await browserless.get("/dashboard/payments?last4=4242")
    assert visa["id"] in _listed(ours.text)
    assert visa_munich["id"] not in _listed(ours.text)  # another shop's, never shown
    german = await browserless.get("/dashboard/payments?lang=de")
    assert "Letzte 4 Ziffern der Karte" in german.text


async def test_the_customer_page_shows_the_credit_balance_per_currency(
    api: Api, browserless: httpx.AsyncClient
) -> None:
    admin, shop = await setup(api)
    ada = await customer(api, admin)
    invoice = await finalized(api, admin, shop, ada)
    payment = await post(
        api, f"/v1/invoices/{invoice['id']}/pay", admin, payment_method="pm_card_visa"
    )
    assert payment.status_code == 200, payment.text
    note = await post(
        api,
        "/v1/credit_notes",
        admin,
        invoice=invoice["id"],
        amount=2500,
        credit_amount=2000,
        out_of_band_amount=500,
        reason="order_change",
    )
    assert note.status_code == 200, note.text
    bob = await customer(api, admin, name="Bob", email="bob@example.com")
    await verified(api)

    await sign_in(browserless, await staff_user(api.container, "clerk"))
    page = await browserless.get(f"/dashboard/customers/{ada['id']}?lang=en")
    assert page.status_code == 200, page.text
    facts = page.text.split('<dl class="facts">')[1].split("</dl>")[0]
    assert "Credit balance" in facts and "€20.00" in facts
    other = await browserless.get(f"/dashboard/customers/{bob['id']}")
    assert "No credit" in other.text and "€20.00" not in other.text
    german = await browserless.get(f"/dashboard/customers/{ada['id']}?lang=de")
    assert "Guthaben" in german.text and "20,00\xa0€" in german.text
