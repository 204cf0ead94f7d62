"""Plan changes with prorations, to the second as Stripe computes them.

Stripe's own example (https://gist.github.com/matthewarkin/27bcfdf622eb91d3508ea082d0ad50b8):
a 10.00 monthly plan whose period runs from 1487030400 to 1489449600 (14 Feb to 14 Mar
2017), changed at 1488568488, is credited -364 for its unused time. The remaining time of
a plan twice as dear is 2000 x 881112 / 2419200 = 728.43 -> 728. The VAT tables start
later than 2017, so the same inputs are shifted to 2026: the same 28-day period (14 Feb
to 14 Mar), changed with the same 881112 seconds left.
"""

from __future__ import annotations

from typing import Any

from support.app import Api
from support.billing import advance, catalogue, clock, get, invoices_of, ok, post
from support.invoices import customer, setup
from support.refunds import verified

PERIOD_START = 1771027200  # 2026-02-14 00:00 UTC
PERIOD_END = 1773446400  # 2026-03-14 00:00 UTC
CHANGE = PERIOD_END - 881112  # Stripe's example: 1489449600 - 1488568488 seconds left


async def contract(
    api: Api,
) -> tuple[dict[str, str], dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    admin, shop = await setup(api)
    basic = await catalogue(api, admin, amount=1000)
    plus = await ok(
        api,
        "/v1/prices",
        admin,
        product=basic["product"],
        currency="eur",
        unit_amount=2000,
        recurring={"interval": "month"},
    )
    test_clock = await clock(api, admin, PERIOD_START)
    cus = await customer(api, admin, location=shop["id"], test_clock=test_clock["id"])
    sub = await ok(
        api,
        "/v1/subscriptions",
        admin,
        customer=cus["id"],
        items=[{"price": basic["id"]}],
        default_payment_method="pm_card_visa",
    )
    assert (sub["current_period_start"], sub["current_period_end"]) == (PERIOD_START, PERIOD_END)
    await advance(api, admin, test_clock["id"], CHANGE)
    return admin, basic, plus, sub, test_clock


def proration_amounts(invoice: dict[str, Any]) -> list[int]:
    return [line["amount"] for line in invoice["lines"]["data"] if line["proration"]]


async def test_an_upgrade_mid_month_invoiced_at_once_has_stripes_prorations(api: Api) -> None:
    admin, _basic, plus, sub, _ = await contract(api)
    item = sub["items"]["data"][0]["id"]
    changed = await ok(
        api,
        f"/v1/subscriptions/{sub['id']}",
        admin,
        items=[{"id": item, "price": plus["id"]}],
        proration_behavior="always_invoice",
    )
    assert changed["items"]["data"][0]["price"]["id"] == plus["id"]
    invoices = await invoices_of(api, admin, sub["id"])
    update = invoices[-1]
    assert update["billing_reason"] == "subscription_update"
    assert proration_amounts(update) == [-364, 728]
    assert update["subtotal"] == 364
    assert update["tax"] == 69  # 19 % of 3.64, rounded once
    assert (update["status"], update["amount_paid"]) == ("paid", 433)
    assert changed["latest_invoice"] == update["id"]
    await verified(api)


async def test_prorations_wait_for_the_next_invoice_and_the_preview_shows_them(api: Api) -> None:
    admin, _basic, plus, sub, test_clock = await contract(api)
    item = sub["items"]["data"][0]["id"]
    change = {"items": [{"id": item, "price": plus["id"]}]}
    preview = await ok(
        api,
        "/v1/invoices/create_preview",
        admin,
        subscription=sub["id"],
        subscription_details=change,
    )
    assert proration_amounts(preview) == [-364, 728]
    assert preview["subtotal"] == 2000 - 364 + 728
    assert preview["period_start"] == PERIOD_END
    assert preview["id"] is None
    assert len(await invoices_of(api, admin, sub["id"])) == 1  # the preview wrote nothing
    await ok(api, f"/v1/subscriptions/{sub['id']}", admin, **change)  # create_prorations
    assert len(await invoices_of(api, admin, sub["id"])) == 1
    upcoming = await ok(api, "/v1/invoices/create_preview", admin, subscription=sub["id"])
    assert upcoming["subtotal"] == preview["subtotal"]
    older = await get(api, "/v1/invoices/upcoming", admin, subscription=sub["id"])
    assert [x["amount"] for x in older["lines"]["data"]] == [2000, -364, 728]
    assert older["total"] == upcoming["total"]
    await advance(api, admin, test_clock["id"], PERIOD_END + 60)
    renewal = (await invoices_of(api, admin, sub["id"]))[-1]
    assert renewal["billing_reason"] == "subscription_cycle"
    assert proration_amounts(renewal) == [-364, 728]
    assert renewal["subtotal"] == 2364
    assert renewal["status"] == "paid"
    await verified(api)


async def test_a_downgrade_credits_the_unused_time_on_the_next_invoice(api: Api) -> None:
    admin, _basic, _plus, sub, test_clock = await contract(api)
    item = sub["items"]["data"][0]["id"]
    changed = await ok(
        api,
        f"/v1/subscriptions/{sub['id']}",
        admin,
        items=[{"id": item, "quantity": 3}],
        proration_behavior="always_invoice",
    )
    assert changed["items"]["data"][0]["quantity"] == 3
    # 3 x 10.00 for the remaining time: -364 + 1093 (3000 x 881112 / 2419200 = 1092.65)
    assert proration_amounts((await invoices_of(api, admin, sub["id"]))[-1]) == [-364, 1093]
    down = await ok(
        api,
        f"/v1/subscriptions/{sub['id']}",
        admin,
        items=[{"id": item, "quantity": 1}],
        proration_behavior="always_invoice",
    )
    assert down["items"]["data"][0]["quantity"] == 1
    assert len(await invoices_of(api, admin, sub["id"])) == 2  # a net credit is not invoiced
    await advance(api, admin, test_clock["id"], PERIOD_END + 60)
    renewal = (await invoices_of(api, admin, sub["id"]))[-1]
    assert proration_amounts(renewal) == [-1093, 364]
    assert renewal["subtotal"] == 1000 - 1093 + 364
    await verified(api)


async def test_proration_behavior_none_changes_the_price_from_the_next_period(api: Api) -> None:
    admin, _basic, plus, sub, test_clock = await contract(api)
    item = sub["items"]["data"][0]["id"]
    await ok(
        api,
        f"/v1/subscriptions/{sub['id']}",
        admin,
        items=[{"id": item, "price": plus["id"]}],
        proration_behavior="none",
    )
    await advance(api, admin, test_clock["id"], PERIOD_END + 60)
    renewal = (await invoices_of(api, admin, sub["id"]))[-1]
    assert proration_amounts(renewal) == []
    assert renewal["subtotal"] == 2000


async def test_cancel_now_pause_and_resume(api: Api) -> None:
    admin, _basic, _plus, sub, test_clock = await contract(api)
    paused = await ok(
        api, f"/v1/subscriptions/{sub['id']}", admin, pause_collection={"behavior": "void"}
    )
    assert (paused["status"], paused["pause_collection"]["behavior"]) == ("paused", "void")
    await advance(api, admin, test_clock["id"], PERIOD_END + 60)
    assert len(await invoices_of(api, admin, sub["id"])) == 1  # a paused period is not billed
    resumed = await ok(api, f"/v1/subscriptions/{sub['id']}/resume", admin)
    assert (resumed["status"], resumed["pause_collection"]) == ("active", None)
    canceled = await api.client.delete(f"/v1/subscriptions/{sub['id']}", headers=admin)
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["status"] == "canceled"
    again = await post(
        api, f"/v1/subscriptions/{sub['id']}", admin, pause_collection={"behavior": "void"}
    )
    assert again.status_code == 400
    assert again.json()["error"]["param"] == "pause_collection"
    kinds = [
        e["type"]
        for e in (await get(api, "/v1/events", admin, type="customer.subscription.*"))["data"]
    ]
    for kind in ("created", "paused", "resumed", "deleted"):
        assert f"customer.subscription.{kind}" in kinds
