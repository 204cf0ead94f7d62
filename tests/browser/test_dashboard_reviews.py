"""A fraud review decided in the dashboard, in Chromium: finance finds the held payment
from the home page, reads why it was held, approves it (confirmed) and the payment is
captured; axe-core finds no serious accessibility violation on the new pages."""

from __future__ import annotations

from typing import Any

from payments.app.capabilities import verify_ledger
from support.app import Api
from support.dashboard import axe_violations, browser_sign_in, staff_user
from support.refunds import shop


async def test_finance_approves_a_held_payment_and_it_is_captured(
    api: Api, browser: Any, live_url: str
) -> None:
    admin, location = await shop(api)
    rule = await api.client.post(
        "/v1/fraud/rules",
        json={"action": "review", "predicate": ":risk_level: = 'elevated'"},
        headers=admin,
    )
    assert rule.status_code == 200, rule.text
    held = await api.client.post(
        "/v1/payment_intents",
        json={
            "amount": 4999,
            "location": location["id"],
            "payment_method": "pm_card_riskLevelElevated",
            "confirm": True,
        },
        headers=admin,
    )
    pi = held.json()
    assert pi["status"] == "requires_capture", held.text

    context = await browser.new_context(  # axe is injected as an inline script
        bypass_csp=True, locale="en-GB", viewport={"width": 1024, "height": 768}
    )
    context.set_default_timeout(15_000)
    page = await context.new_page()
    try:
        await browser_sign_in(page, live_url, await staff_user(api.container, "finance"))
        await page.get_by_role("heading", name="Fraud reviews open: 1").wait_for()
        await page.get_by_role("link", name="All open fraud reviews").click()
        await page.get_by_role("heading", name="Fraud reviews", exact=True).wait_for()
        review = page.get_by_role("region", name="€49.99 · Berlin Mitte")
        await review.get_by_text("Test card: elevated (+58)").wait_for()
        assert await review.get_by_role("link", name=pi["id"]).count() == 1
        assert (page.url, await axe_violations(page)) == (page.url, [])

        await review.get_by_role("button", name="Approve").click()
        await page.get_by_role("heading", name="Approve the payment?").wait_for()
        await page.get_by_role("button", name="Approve").click()
        await page.get_by_text("The review was approved: the payment was captured.").wait_for()
        await page.get_by_text("No payment is waiting for a review.").wait_for()

        for path in (
            "/dashboard/reports",
            "/dashboard/subscriptions",
            "/dashboard/bank_transactions",
            "/dashboard",
        ):
            await page.goto(live_url + path)
            assert (path, await axe_violations(page)) == (path, [])
    finally:
        await context.close()
    captured = (await api.client.get(f"/v1/payment_intents/{pi['id']}", headers=admin)).json()
    assert (captured["status"], captured["amount_received"]) == ("succeeded", 4999)
    reviews = (await api.client.get("/v1/reviews", headers=admin)).json()["data"]
    assert [(r["open"], r["closed_reason"]) for r in reviews] == [(False, "approved")]
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []
