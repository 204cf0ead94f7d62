"""The local payment methods' simulator pages in a real browser (Chromium): a customer
authorizes an iDEAL payment on its bank page and is sent back to the shop; a BLIK payment
is found in the "banking app" by its code and approved there. Both then settle through
the gateway's events, and every cent is in the ledger."""

from __future__ import annotations

from typing import Any

from payments.app.capabilities import verify_ledger
from payments.kernel.clock import FrozenClock
from support.app import Api
from support.local_methods import (
    RETURN_URL,
    fresh_admin,
    intent,
    local_shop,
    new_blik_code,
    path_of,
    pay_with,
    settle,
)


async def _shop_return_page(page: Any) -> list[str]:
    """The shop's return URL answered in the browser (it is not a real host here)."""
    seen: list[str] = []

    async def fulfil(route: Any) -> None:
        seen.append(route.request.url)
        await route.fulfill(status=200, content_type="text/html", body="<h1>Thank you</h1>")

    await page.route("https://shop.example/**", fulfil)
    return seen


async def test_a_customer_authorizes_ideal_on_the_bank_page_and_returns_to_the_shop(
    api: Api, clock: FrozenClock, page: Any, live_url: str
) -> None:
    admin = await fresh_admin(api)
    shop = await local_shop(api, admin, "ideal")
    created = await pay_with(api, admin, shop, "ideal", amount=12_500)
    assert created.status_code == 200, created.text
    pi = created.json()
    returned = await _shop_return_page(page)

    await page.goto(live_url + path_of(pi["next_action"]["redirect_to_url"]["url"]))
    assert await page.title() == "iDEAL test payment"
    assert await page.get_by_text("€125.00").is_visible()
    await page.get_by_role("button", name="Authorize test payment").click()
    await page.get_by_role("heading", name="Thank you").wait_for()

    assert len(returned) == 1
    assert returned[0].startswith(RETURN_URL + "&payment_intent=" + pi["id"])
    assert "redirect_status=succeeded" in returned[0]
    await settle(api, clock)
    paid = await intent(api, admin, pi["id"])
    assert (paid["status"], paid["amount_received"]) == ("succeeded", 12_500)
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_a_customer_declines_ideal_and_the_intent_asks_for_another_method(
    api: Api, clock: FrozenClock, page: Any, live_url: str
) -> None:
    admin = await fresh_admin(api)
    shop = await local_shop(api, admin, "ideal")
    pi = (await pay_with(api, admin, shop, "ideal")).json()
    returned = await _shop_return_page(page)

    await page.goto(live_url + path_of(pi["next_action"]["redirect_to_url"]["url"]))
    await page.get_by_role("button", name="Fail test payment").click()
    await page.get_by_role("heading", name="Thank you").wait_for()

    assert "redirect_status=failed" in returned[0]
    await settle(api, clock)
    failed = await intent(api, admin, pi["id"])
    assert failed["status"] == "requires_payment_method"
    assert failed["last_payment_error"] is not None
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_a_blik_payment_is_approved_in_the_banking_app_by_its_code(
    api: Api, clock: FrozenClock, page: Any, live_url: str
) -> None:
    admin = await fresh_admin(api)
    shop = await local_shop(api, admin, "blik")
    code = new_blik_code()
    created = await pay_with(api, admin, shop, "blik", amount=8_900, blik_code=code)
    assert created.status_code == 200, created.text
    pi = created.json()
    assert pi["status"] == "requires_action"

    await page.goto(live_url + "/simulator/blik")
    await page.get_by_label("BLIK code").fill(code)
    await page.get_by_role("button", name="Show the payment").click()
    await page.get_by_text("89,00").or_(page.get_by_text("89.00")).first.wait_for()
    await page.get_by_role("button", name="Authorize test payment").click()
    await page.get_by_role("heading", name="Payment authorized").wait_for()

    await settle(api, clock)
    paid = await intent(api, admin, pi["id"])
    assert (paid["status"], paid["amount_received"], paid["currency"]) == (
        "succeeded",
        8_900,
        "pln",
    )
    assert await verify_ledger(uow_factory=api.container.uow_factory) == []


async def test_a_blik_code_nobody_is_waiting_for_is_told_plainly(page: Any, live_url: str) -> None:
    await page.goto(live_url + "/simulator/blik")
    await page.get_by_label("BLIK code").fill(new_blik_code())
    await page.get_by_role("button", name="Show the payment").click()
    await page.get_by_role("heading", name="No payment to approve").wait_for()
    assert "Traceback" not in await page.content()
