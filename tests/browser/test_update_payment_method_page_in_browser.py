"""The update-your-payment-method page in a real browser (Chromium): a subscription in
dunning on a test clock, the customer opens the link from the dunning event, a declined
card is refused on the page, a card asking for 3-D Secure is authenticated on the
simulator's page, and the open invoice is paid; no console error or CSP violation."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from support.app import Api
from support.billing import (
    DAY,
    RENEWAL,
    advance,
    events,
    failing_subscription,
    get,
    renewal,
)
from support.refunds import verified


async def _fill_card(page: Any, number: str) -> None:
    await page.get_by_label("Kartennummer").fill(number)
    await page.get_by_label("Ablaufdatum (MM/JJ)").fill("12/34")
    await page.get_by_label("Prüfnummer (CVC)").fill("123")


async def test_a_customer_updates_the_card_in_the_browser_and_the_invoice_is_paid(
    api: Api, page: Any, live_url: str
) -> None:
    admin, _shop, sub, clock = await failing_subscription(api)
    await advance(api, admin, clock["id"], RENEWAL + 4 * DAY)  # failed, retried once
    updates = await events(api, admin, "customer.subscription.updated")
    url = next(
        e["data"]["object"]["update_payment_method_url"]
        for e in reversed(updates)
        if "update_payment_method_url" in e["data"]["object"]
    )
    errors: list[str] = []
    declined_page = "Failed to load resource: the server responded with a status of 402"

    def console(message: Any) -> None:  # a CSP violation is a console error
        ours = message.type == "error" and "/billing/update/" in page.url
        if ours and not message.text.startswith(declined_page):  # the decline's 402 page
            errors.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda e: errors.append(str(e)))

    await page.goto(live_url + urlsplit(url).path)
    await page.get_by_role("heading", name="Zahlungsmethode aktualisieren").wait_for()
    assert await page.locator("#current-method").inner_text() == "Visa •••• 0341"
    assert await page.locator("#amount-open").inner_text() == "117,81\xa0€"

    await _fill_card(page, "4000 0000 0000 0002")
    await page.get_by_role("button", name="Karte speichern").click()
    alert = page.get_by_role("alert")
    await alert.wait_for()
    assert "abgelehnt" in await alert.inner_text()

    await _fill_card(page, "4000 0025 0000 3155")  # 3-D Secure once, at setup
    await page.get_by_role("button", name="Karte speichern").click()
    await page.get_by_role("button", name="Complete authentication").click()
    await page.get_by_role("heading", name="Zahlungsmethode aktualisiert").wait_for()
    assert "ist bezahlt" in await page.locator("main").inner_text()

    invoice = await renewal(api, admin, sub)
    assert (invoice["status"], invoice["attempt_count"]) == ("paid", 3)
    assert (await get(api, f"/v1/subscriptions/{sub['id']}", admin))["status"] == "active"
    assert errors == []
    await verified(api)
