"""Screenshots of the dashboard's main pages for the docs (``docs/images/dashboard-*.png``).

The test fills a shop with a fortnight of payments, a refund awaiting approval, an
invoice and a webhook endpoint, then visits each page at a tablet's size. It always
checks the pages render; with ``PAYMENTS_UPDATE_SCREENSHOTS=1`` it also writes the
images the tour (docs/tutorials/dashboard-tour.md) shows:

    PAYMENTS_UPDATE_SCREENSHOTS=1 .venv/bin/python -m pytest \\
        tests/browser/test_dashboard_screenshots.py -k sqlite
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from payments.app.bootstrap import Container
from payments.app.capabilities import run_once
from payments.kernel.clock import FrozenClock
from support.app import Api
from support.dashboard import browser_sign_in, staff_user
from support.invoices import customer, finalized, setup
from support.receiver import Receiver, running_receiver
from support.refunds import paid, poll_gateway
from support.webhooks import webhook_ready

DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


@pytest.fixture
async def container(container: Container) -> AsyncIterator[Container]:
    async with webhook_ready(container) as ready:
        yield ready


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


async def test_screenshots_of_the_main_pages(
    api: Api,
    clock: FrozenClock,
    receiver: Receiver,
    browser: Any,
    live_url: str,
    tmp_path: Path,
) -> None:
    target = DOCS_IMAGES if os.environ.get("PAYMENTS_UPDATE_SCREENSHOTS") == "1" else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    today = clock.now()
    clock.set(today - timedelta(days=13))
    admin, seller = await setup(api)
    await api.client.post(
        "/v1/webhook_endpoints",
        json={"url": receiver.url, "enabled_events": ["payment_intent.succeeded"]},
        headers=admin,
    )
    cus = await customer(api, admin)
    amounts = [8_900, 12_500, 4_990, 23_000, 15_900, 7_450, 31_000]
    for day in range(14):
        for n in range(day % 3 + 1):
            await paid(
                api,
                admin,
                seller["id"],
                amount=amounts[(day + n) % len(amounts)],
                customer=cus["id"],
                description=f"Repair #{1000 + day * 3 + n}",
            )
        clock.advance(days=1)
    clock.set(today)
    pi = await paid(
        api, admin, seller["id"], amount=45_000, customer=cus["id"], description="Laptop screen"
    )
    clerk_key = await api.key("clerk", location=seller["id"])
    refund = await api.client.post(
        "/v1/refunds",
        json={"payment_intent": pi["id"], "amount": 25_000, "reason": "warranty"},
        headers=clerk_key,
    )
    invoice = await finalized(api, admin, seller, cus)
    disputed = await paid(
        api, admin, seller["id"], amount=12_000, method="pm_card_createDispute", customer=cus["id"]
    )
    assert await poll_gateway(api.container) >= 1
    (dispute,) = (
        await api.client.get(
            "/v1/disputes", params={"payment_intent": disputed["id"]}, headers=admin
        )
    ).json()["data"]
    await run_once(api.container, only={"deliver_webhooks"})
    endpoints = (await api.client.get("/v1/webhook_endpoints", headers=admin)).json()["data"]

    context = await browser.new_context(locale="en-GB", viewport={"width": 1024, "height": 768})
    page = await context.new_page()
    try:
        await page.goto(live_url + "/dashboard/login")
        await page.screenshot(path=str(target / "dashboard-login.png"))
        await browser_sign_in(page, live_url, await staff_user(api.container, "finance"))
        await page.get_by_role("heading", name="Needs attention").wait_for()
        shots = {
            "home": "/dashboard",
            "payments": "/dashboard/payments",
            "payment": f"/dashboard/payments/{pi['id']}",
            "refund-approval": f"/dashboard/refunds/{refund.json()['id']}",
            "invoice": f"/dashboard/invoices/{invoice['id']}",
            "dispute": f"/dashboard/disputes/{dispute['id']}",
            "webhook": f"/dashboard/developers/webhooks/{endpoints[0]['id']}",
            "audit": "/dashboard/audit?verify=yes",
            "home-de": "/dashboard?lang=de",
        }
        for name, path in shots.items():
            response = await page.goto(live_url + path)
            assert response.status == 200, (name, await page.content())
            await page.screenshot(path=str(target / f"dashboard-{name}.png"), full_page=True)
    finally:
        await context.close()
    assert sorted(p.name for p in target.glob("dashboard-*.png")) == sorted(
        f"dashboard-{n}.png" for n in [*shots, "login"]
    )
