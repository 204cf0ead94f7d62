"""Subscription options: a billing cycle anchor's prorated first period, send_invoice,
a final invoice when canceling, deleting a test clock."""

from __future__ import annotations

from datetime import UTC, datetime

from support.app import Api
from support.billing import DAY, START, advance, billing_setup, clock, get, invoices_of, ok

FEB_1 = int(datetime(2026, 2, 1, tzinfo=UTC).timestamp())


async def test_a_billing_cycle_anchor_prorates_the_first_period_to_the_second(api: Api) -> None:
    admin, _shop, price, cus, test_clock = await billing_setup(api)
    assert test_clock is not None
    sub = await ok(
        api,
        "/v1/subscriptions",
        admin,
        customer=cus["id"],
        items=[{"price": price["id"], "quantity": 10}],
        default_payment_method="pm_card_visa",
        billing_cycle_anchor=FEB_1,
    )
    assert (sub["current_period_start"], sub["current_period_end"]) == (START, FEB_1)
    first = (await invoices_of(api, admin, sub["id"]))[0]
    line = first["lines"]["data"][0]
    # 10 x 9.90 for 1436400 of the 2678400 seconds of Jan 1 - Feb 1: 5309.27 -> 5309
    assert (line["proration"], line["amount"]) == (True, 5309)
    assert first["status"] == "paid"
    await advance(api, admin, test_clock["id"], FEB_1 + 60)
    second = (await invoices_of(api, admin, sub["id"]))[1]
    assert second["subtotal"] == 9900
    assert datetime.fromtimestamp(second["period_end"], UTC).date().isoformat() == "2026-03-01"


async def test_send_invoice_leaves_the_invoice_open_for_the_customer(api: Api) -> None:
    admin, _shop, price, cus, _ = await billing_setup(api)
    sub = await ok(
        api,
        "/v1/subscriptions",
        admin,
        customer=cus["id"],
        items=[{"price": price["id"]}],
        collection_method="send_invoice",
        days_until_due=14,
    )
    assert sub["status"] == "active"
    (invoice,) = await invoices_of(api, admin, sub["id"])
    assert (invoice["status"], invoice["collection_method"]) == ("open", "send_invoice")
    assert invoice["attempt_count"] == 0
    assert invoice["due_date"] is not None


async def test_cancel_now_invoices_what_is_pending_and_a_used_clock_stays(api: Api) -> None:
    admin, _shop, price, cus, test_clock = await billing_setup(api)
    assert test_clock is not None
    sub = await ok(
        api,
        "/v1/subscriptions",
        admin,
        customer=cus["id"],
        items=[{"price": price["id"], "quantity": 1}],
        default_payment_method="pm_card_visa",
    )
    await advance(api, admin, test_clock["id"], START + 10 * DAY)
    item = sub["items"]["data"][0]["id"]
    await ok(api, f"/v1/subscriptions/{sub['id']}", admin, items=[{"id": item, "quantity": 2}])
    response = await api.client.delete(
        f"/v1/subscriptions/{sub['id']}", params={"invoice_now": "true"}, headers=admin
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "canceled"
    final = (await invoices_of(api, admin, sub["id"]))[-1]
    assert final["billing_reason"] == "subscription_cancel"
    assert [x["proration"] for x in final["lines"]["data"]] == [True, True]
    assert final["status"] == "paid"
    refused = await api.client.delete(
        f"/v1/test_helpers/test_clocks/{test_clock['id']}", headers=admin
    )
    assert refused.status_code == 400
    spare = await clock(api, admin)
    deleted = await api.client.delete(f"/v1/test_helpers/test_clocks/{spare['id']}", headers=admin)
    assert deleted.json() == {
        "id": spare["id"],
        "object": "test_helpers.test_clock",
        "deleted": True,
    }
    gone = await api.client.get(f"/v1/test_helpers/test_clocks/{spare['id']}", headers=admin)
    assert gone.status_code == 404
    listed = await get(api, "/v1/subscriptions", admin, status="ended")
    assert [s["id"] for s in listed["data"]] == [sub["id"]]
