"""The dashboard in a real browser (Chromium): signing in with and without a second
factor, lockout, a forged form, a clerk kept to their shop, a refund requested by a
clerk and approved by finance, a webhook delivery sent again, and axe-core's
accessibility check of the main pages."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pyotp
import pytest

from payments.app.bootstrap import Container
from payments.app.capabilities import run_once, verify_ledger
from payments.kernel.clock import FrozenClock
from payments.staff.domain import MAX_FAILURES
from support.app import Api
from support.dashboard import PASSWORD, axe_violations, browser_sign_in, staff_user
from support.receiver import Receiver, running_receiver
from support.refunds import paid, poll_gateway, shop
from support.webhooks import webhook_ready


@pytest.fixture
async def container(container: Container) -> AsyncIterator[Container]:
    async with webhook_ready(container) as ready:  # webhooks may go to 127.0.0.1
        yield ready


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


async def test_a_user_signs_in_sees_home_and_signs_out(api: Api, page: Any, live_url: str) -> None:
    email = await staff_user(api.container, "finance")
    await page.goto(live_url + "/dashboard/payments")
    assert page.url.startswith(live_url + "/dashboard/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("heading", name="Payments", exact=True).wait_for()  # back where it was
    await page.get_by_role("link", name="Home", exact=True).click()
    await page.get_by_role("heading", name="Needs attention").wait_for()
    cookies = await page.context.cookies()
    session = next(c for c in cookies if c["name"] == "dashboard_session")
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    await page.get_by_role("button", name="Sign out").click()
    await page.get_by_role("heading", name="Sign in").wait_for()
    await page.goto(live_url + "/dashboard")
    assert page.url.startswith(live_url + "/dashboard/login")


async def test_a_user_turns_on_totp_and_then_needs_the_code(
    api: Api, clock: FrozenClock, page: Any, live_url: str
) -> None:
    email = await staff_user(api.container, "admin")
    await browser_sign_in(page, live_url, email)
    await page.get_by_role("link", name="Account").click()
    await page.get_by_role("button", name="Set up two-step verification").click()
    assert await page.locator("figure.qr svg").count() == 1  # the QR code, inline SVG
    secret = (await page.locator("figure.qr code").inner_text()).strip()
    totp = pyotp.TOTP(secret)
    await page.get_by_label("Authentication code").fill(totp.at(clock.now()))
    await page.get_by_role("button", name="Turn on").click()
    await page.get_by_text("Two-step verification is on.").wait_for()
    await page.get_by_role("button", name="Sign out").click()

    clock.advance(seconds=30)
    await browser_sign_in(page, live_url, email)
    await page.get_by_role("heading", name="Two-step verification").wait_for()
    await page.get_by_label("Authentication code").fill("123456")
    await page.get_by_role("button", name="Verify").click()
    await page.get_by_text("Wrong e-mail address, password or code.").wait_for()
    await page.get_by_label("Authentication code").fill(totp.at(clock.now()))
    await page.get_by_role("button", name="Verify").click()
    await page.get_by_role("heading", name="Needs attention").wait_for()


async def test_repeated_wrong_passwords_lock_the_account(
    api: Api, page: Any, live_url: str
) -> None:
    email = await staff_user(api.container, "clerk")
    for _ in range(MAX_FAILURES - 1):
        await browser_sign_in(page, live_url, email, "wrong password!")
        await page.get_by_text("Wrong e-mail address, password or code.").wait_for()
    await browser_sign_in(page, live_url, email, "wrong password!")
    await page.get_by_text("this account is locked for a while").wait_for()
    await browser_sign_in(page, live_url, email)  # the right password: still locked
    await page.get_by_text("this account is locked for a while").wait_for()
    assert "/dashboard/login" in page.url


async def test_a_form_with_a_forged_token_is_refused(api: Api, page: Any, live_url: str) -> None:
    admin, location = await shop(api)
    pi = await paid(api, admin, location["id"], amount=5_000)
    await browser_sign_in(page, live_url, await staff_user(api.container, "finance"))
    await page.goto(f"{live_url}/dashboard/payments/{pi['id']}")
    await page.evaluate(
        "document.querySelectorAll('input[name=csrf_token]').forEach(i => i.value = 'forged')"
    )
    await page.get_by_label("Amount to refund").fill("10")
    await page.get_by_role("button", name="Refund", exact=True).click()
    await page.get_by_role("heading", name="Not allowed").wait_for()
    assert "security token" in await page.content()
    refunds = (await api.client.get("/v1/refunds", headers=admin)).json()["data"]
    assert refunds == []


async def test_a_clerk_cannot_open_another_shops_payment_by_its_url(
    api: Api, page: Any, live_url: str
) -> None:
    admin, berlin = await shop(api)
    munich = await api.location(admin, name="München")
    theirs = await paid(api, admin, munich["id"], amount=7_700)
    await browser_sign_in(
        page, live_url, await staff_user(api.container, "clerk", location=berlin["id"])
    )
    await page.get_by_role("heading", name="Needs attention").wait_for()
    response = await page.goto(f"{live_url}/dashboard/payments/{theirs['id']}")
    assert response.status == 404
    await page.get_by_role("heading", name="Not found").wait_for()
    body = await page.locator("main").inner_text()
    assert "77.00" not in body and "Traceback" not in body


async def test_a_refund_requested_by_a_clerk_is_approved_by_finance(
    api: Api, browser: Any, page: Any, live_url: str
) -> None:
    admin, location = await shop(api)
    pi = await paid(api, admin, location["id"], amount=45_000)
    await browser_sign_in(page, live_url, await staff_user(api.container, "clerk"))
    await page.get_by_role("link", name="Payments", exact=True).click()
    await page.get_by_role("link", name=pi["id"]).click()
    await page.get_by_label("Amount to refund").fill("250.00")
    await page.get_by_label("Reason").select_option("warranty")
    await page.get_by_label("Note").fill("fan replaced under warranty")
    await page.get_by_role("button", name="Refund", exact=True).click()
    await page.get_by_role("heading", name="Refund the payment?").wait_for()
    await page.get_by_role("button", name="Refund", exact=True).click()
    await page.get_by_text("awaits approval by finance").wait_for()
    refund_id = re.search(r"re_\w+", await page.locator("table").first.inner_text()).group(0)  # type: ignore[union-attr]

    finance = await browser.new_context(locale="de-DE", viewport={"width": 1024, "height": 768})
    other = await finance.new_page()
    try:
        await other.goto(live_url + "/dashboard/login?lang=en")
        await browser_sign_in(other, live_url, await staff_user(api.container, "finance"))
        await other.get_by_role("link", name="Refunds", exact=True).first.click()
        await other.get_by_role("link", name=refund_id).first.click()
        await other.get_by_text("fan replaced under warranty").wait_for()
        await other.get_by_role("button", name="Approve").click()
        await other.get_by_role("heading", name="Approve the refund?").wait_for()
        await other.get_by_role("button", name="Approve").click()
        await other.get_by_text("The refund was approved and sent.").wait_for()
    finally:
        await finance.close()
    refund = (await api.client.get(f"/v1/refunds/{refund_id}", headers=admin)).json()
    assert (refund["status"], refund["amount"]) == ("succeeded", 25_000)
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_a_webhook_delivery_is_sent_again_from_the_delivery_log(
    api: Api, receiver: Receiver, page: Any, live_url: str
) -> None:
    admin = await api.key()
    endpoint = (
        await api.client.post(
            "/v1/webhook_endpoints",
            json={"url": receiver.url, "enabled_events": ["customer.created"]},
            headers=admin,
        )
    ).json()
    await api.client.post("/v1/customers", json={"name": "Ada"}, headers=admin)
    await run_once(api.container, only={"deliver_webhooks"})
    assert len(receiver.requests) == 1

    await browser_sign_in(page, live_url, await staff_user(api.container, "admin"))
    await page.get_by_role("link", name="Developers").click()
    await page.get_by_role("link", name=receiver.url).click()
    await page.get_by_role("cell", name="customer.created").wait_for()
    await page.get_by_role("button", name=re.compile("^Send again")).first.click()
    await page.get_by_text("The event will be sent again in a moment.").wait_for()
    await run_once(api.container, only={"deliver_webhooks"})
    assert len(receiver.requests) == 2
    first, again = receiver.requests
    assert first.headers["webhook-id"] == again.headers["webhook-id"]
    await page.reload()
    assert await page.get_by_role("cell", name="customer.created").count() == 2
    assert endpoint["id"] in page.url


async def test_the_main_pages_have_no_serious_accessibility_violations(
    api: Api, browser: Any, live_url: str
) -> None:
    admin, location = await shop(api)
    pi = await paid(api, admin, location["id"], amount=12_345)
    clerk_key = await api.key("clerk")
    await api.client.post(
        "/v1/refunds", json={"payment_intent": pi["id"], "amount": 100}, headers=clerk_key
    )
    disputed = await paid(api, admin, location["id"], amount=9_900, method="pm_card_createDispute")
    assert await poll_gateway(api.container) >= 1
    (dispute,) = (
        await api.client.get(
            "/v1/disputes", params={"payment_intent": disputed["id"]}, headers=admin
        )
    ).json()["data"]
    context = await browser.new_context(  # axe is injected as an inline script
        bypass_csp=True, locale="en-GB", viewport={"width": 1024, "height": 768}
    )
    page = await context.new_page()
    try:
        await page.goto(live_url + "/dashboard/login")
        assert await axe_violations(page) == []
        await browser_sign_in(page, live_url, await staff_user(api.container, "admin"))
        await page.get_by_role("heading", name="Needs attention").wait_for()
        for path in (
            "/dashboard",
            "/dashboard/payments",
            f"/dashboard/payments/{pi['id']}",
            "/dashboard/refunds",
            f"/dashboard/disputes/{dispute['id']}",
            "/dashboard/customers",
            "/dashboard/invoices",
            "/dashboard/developers",
            "/dashboard/audit",
            "/dashboard/account",
            "/dashboard/payments?lang=de",
        ):
            await page.goto(live_url + path)
            assert (path, await axe_violations(page)) == (path, [])
    finally:
        await context.close()
