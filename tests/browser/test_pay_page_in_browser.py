"""The hosted pay page in a real browser (Chromium): a customer opens the link, sees the
invoice, pays with a test card (straight away, through 3-D Secure, after a decline),
gets the receipt; an expired link says so; the Pay button is reached by keyboard alone;
and no page logs a console error or a Content-Security-Policy violation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from payments.app.capabilities import verify_ledger
from payments.kernel.clock import FrozenClock, to_unix
from support.app import Api
from support.local_methods import settle
from support.payment_links import new_link, open_invoice, path_of


def _console_errors(page: Any) -> list[str]:
    """Console errors (a CSP violation is one) and uncaught page errors of the pay page's
    own pages, as they come (the simulator's pages stand in for a bank's: not ours)."""
    seen: list[str] = []

    def console(message: Any) -> None:
        if message.type == "error" and "/pay/" in page.url:
            seen.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda e: seen.append(str(e)))
    return seen


async def _fill_card(page: Any, number: str) -> None:
    await page.get_by_label("Card number").fill(number)
    await page.get_by_label("Expiry (MM/YY)").fill("12/34")
    await page.get_by_label("CVC").fill("123")


async def _invoice(api: Api, headers: dict[str, str], invoice_id: str) -> dict[str, Any]:
    return (await api.client.get(f"/v1/invoices/{invoice_id}", headers=headers)).json()  # type: ignore[no-any-return]


async def test_a_customer_opens_the_link_pays_with_a_card_and_gets_the_receipt(
    api: Api, page: Any, live_url: str
) -> None:
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)
    errors = _console_errors(page)

    await page.goto(live_url + path_of(link))

    assert await page.title() == f"Pay invoice {invoice['number']}"
    await page.get_by_role("heading", name=f"Pay invoice {invoice['number']}").wait_for()
    assert await page.get_by_role("cell", name="Labour: replace display").is_visible()
    assert await page.locator("#amount-due").inner_text() == "€296.31"
    assert await page.get_by_text("DE89370400440532013000").is_visible()
    assert await page.get_by_role("img", name="EPC QR code").is_visible()
    pdf = page.get_by_role("link", name="Download the invoice (PDF)")
    assert await pdf.get_attribute("href") == path_of(link) + "/invoice.pdf"

    await _fill_card(page, "4242 4242 4242 4242")
    await page.get_by_role("button", name="Pay €296.31").click()

    await page.get_by_role("heading", name="Payment received").wait_for()
    assert await page.get_by_text(f"Invoice {invoice['number']} is paid.").is_visible()
    assert await page.get_by_text("Visa •••• 4242").is_visible()
    paid = await _invoice(api, admin, invoice["id"])
    assert (paid["status"], paid["amount_remaining"]) == ("paid", 0)
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []
    assert errors == []


async def test_a_3d_secure_card_is_authenticated_on_the_challenge_page(
    api: Api, page: Any, live_url: str
) -> None:
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)

    await page.goto(live_url + path_of(link))
    await _fill_card(page, "4000 0027 6000 3184")
    await page.get_by_role("button", name="Pay €296.31").click()
    await page.get_by_role("heading", name="Authenticate this payment").wait_for()
    await page.get_by_role("button", name="Complete authentication").click()

    await page.get_by_role("heading", name="Payment received").wait_for()
    assert page.url == live_url + path_of(link)
    assert (await _invoice(api, admin, invoice["id"]))["status"] == "paid"
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_a_declined_card_is_explained_and_the_customer_retries_with_another(
    api: Api, page: Any, live_url: str
) -> None:
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)
    await page.goto(live_url + path_of(link))

    await _fill_card(page, "4000 0000 0000 0002")
    await page.get_by_role("button", name="Pay €296.31").click()

    alert = page.get_by_role("alert")
    await alert.wait_for()
    assert "Your card was declined" in await alert.inner_text()
    assert (await _invoice(api, admin, invoice["id"]))["status"] == "open"
    await _fill_card(page, "4242 4242 4242 4242")
    await page.get_by_role("button", name="Pay €296.31").click()
    await page.get_by_role("heading", name="Payment received").wait_for()
    assert (await _invoice(api, admin, invoice["id"]))["status"] == "paid"
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_an_expired_link_shows_a_plain_message(
    api: Api, clock: FrozenClock, page: Any, live_url: str
) -> None:
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice, expires_at=to_unix(clock.now() + timedelta(days=1)))
    clock.advance(timedelta(days=2))
    errors = _console_errors(page)

    response = await page.goto(live_url + path_of(link))

    assert response.status == 410
    await page.get_by_role("heading", name="Payment link expired").wait_for()
    assert await page.get_by_role("button").count() == 0
    assert "Traceback" not in await page.content()
    # the browser reports the 410 itself as a failed resource; nothing else may fail
    assert all("410" in e for e in errors)


async def test_the_pay_button_is_reached_with_the_keyboard_alone(
    api: Api, page: Any, live_url: str
) -> None:
    admin, invoice = await open_invoice(api)
    link = await new_link(api, admin, invoice)
    await page.goto(live_url + path_of(link))

    reached: list[str] = []
    for _ in range(12):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(
            "() => { const e = document.activeElement;"
            " return (e.labels && e.labels[0] ? e.labels[0].innerText : e.innerText) || e.id; }"
        )
        reached.append(focused.strip())
        if focused.startswith("Pay "):
            break
    assert reached[:4] == ["Card number", "Expiry (MM/YY)", "CVC", "Pay €296.31"]
    outline = await page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # the focus is visible

    await page.keyboard.press("Shift+Tab")
    await page.keyboard.press("Shift+Tab")
    await page.keyboard.press("Shift+Tab")
    await page.keyboard.type("4242424242424242")
    await page.keyboard.press("Tab")
    await page.keyboard.type("12/34")
    await page.keyboard.press("Tab")
    await page.keyboard.type("123")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await page.get_by_role("heading", name="Payment received").wait_for()
    assert (await _invoice(api, admin, invoice["id"]))["status"] == "paid"


async def test_a_swiss_customer_pays_with_twint_through_its_page(
    api: Api, clock: FrozenClock, page: Any, live_url: str
) -> None:
    admin, invoice = await open_invoice(api, country="CH")
    link = await new_link(api, admin, invoice)
    errors = _console_errors(page)

    await page.goto(live_url + path_of(link))
    await page.get_by_role("button", name="Pay with TWINT").click()
    await page.get_by_role("heading", name="TWINT test payment").wait_for()
    await page.get_by_role("button", name="Authorize test payment").click()
    await page.get_by_role("heading", name="Payment processing").wait_for()

    await settle(api, clock)
    await page.goto(live_url + path_of(link))
    await page.get_by_role("heading", name="Payment received").wait_for()
    assert (await _invoice(api, admin, invoice["id"]))["status"] == "paid"
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []
    assert errors == []


async def test_a_german_browser_gets_the_page_in_german(
    api: Api, browser: Any, live_url: str
) -> None:
    admin, invoice = await open_invoice(api, locales=[])
    link = await new_link(api, admin, invoice)
    context = await browser.new_context(locale="de-DE", viewport={"width": 390, "height": 844})
    try:
        page = await context.new_page()
        await page.goto(live_url + path_of(link))
        await page.get_by_role("heading", name=f"Rechnung {invoice['number']} bezahlen").wait_for()
        assert await page.locator("#amount-due").inner_text() == "296,31\xa0€"
        await page.get_by_label("Kartennummer").fill("4242 4242 4242 4242")
        await page.get_by_label("Ablaufdatum (MM/JJ)").fill("12/34")
        await page.get_by_label("Prüfnummer (CVC)").fill("123")
        await page.get_by_role("button", name="296,31\xa0€ bezahlen").click()
        await page.get_by_role("heading", name="Zahlung erhalten").wait_for()
    finally:
        await context.close()
    assert (await _invoice(api, admin, invoice["id"]))["status"] == "paid"
