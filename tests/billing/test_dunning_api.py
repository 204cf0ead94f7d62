"""Dunning with a test clock: a card that starts failing (4000000000000341) is retried
3, 5 and 7 days after each failure, then the subscription is unpaid (or canceled, per
the shop's setting); a new card before the last retry pays at once; hard declines and
authentication requests stop the retries."""

from __future__ import annotations

from support.app import Api
from support.billing import (
    DAY,
    HOUR,
    RENEWAL,
    advance,
    events,
    failing_subscription,
    get,
    invoices_of,
    ok,
    renewal,
    status,
)
from support.refunds import verified


async def test_a_failing_card_goes_through_the_schedule_to_unpaid(api: Api) -> None:
    admin, _shop, sub, clock = await failing_subscription(api)
    await advance(api, admin, clock["id"], RENEWAL + HOUR)
    invoice = await renewal(api, admin, sub)
    assert (invoice["status"], invoice["attempt_count"]) == ("open", 1)
    assert await status(api, admin, sub) == "past_due"
    # retries 3, 5 and 7 days after each previous attempt
    for days, attempts in ((3, 2), (3 + 5, 3)):
        await advance(api, admin, clock["id"], RENEWAL + days * DAY - HOUR)
        assert (await renewal(api, admin, sub))["attempt_count"] == attempts - 1
        await advance(api, admin, clock["id"], RENEWAL + days * DAY + HOUR)
        assert (await renewal(api, admin, sub))["attempt_count"] == attempts
        assert await status(api, admin, sub) == "past_due"
    await advance(api, admin, clock["id"], RENEWAL + 15 * DAY + HOUR)
    invoice = await renewal(api, admin, sub)
    assert (invoice["status"], invoice["attempt_count"]) == ("open", 4)
    assert await status(api, admin, sub) == "unpaid"
    assert len(await events(api, admin, "invoice.payment_failed")) == 4
    # the unpaid period stays receivable
    await verified(api)


async def test_a_new_card_before_the_last_retry_pays_at_once(api: Api) -> None:
    admin, _shop, sub, clock = await failing_subscription(api)
    await advance(api, admin, clock["id"], RENEWAL + 4 * DAY)  # failed, retried once
    assert (await renewal(api, admin, sub))["attempt_count"] == 2
    fixed = await ok(
        api, f"/v1/subscriptions/{sub['id']}", admin, default_payment_method="pm_card_mastercard"
    )
    assert fixed["status"] == "active"
    invoice = await renewal(api, admin, sub)
    assert (invoice["status"], invoice["attempt_count"]) == ("paid", 3)
    # and the dunning is over: nothing more is retried, the next renewal is charged
    await advance(api, admin, clock["id"], RENEWAL + 29 * DAY)
    invoices = await invoices_of(api, admin, sub["id"])
    assert [i["status"] for i in invoices] == ["paid", "paid", "paid"]
    await verified(api)


async def test_a_shop_may_cancel_after_the_last_retry_instead(api: Api) -> None:
    admin, shop, sub, clock = await failing_subscription(api)
    settings = await ok(
        api,
        f"/v1/billing/dunning_settings/{shop['id']}",
        admin,
        retry_days=[1, 2],
        final_action="canceled",
    )
    assert settings == {
        "object": "dunning_settings",
        "location": shop["id"],
        "retry_days": [1, 2],
        "final_action": "canceled",
        "overridden": True,
    }
    await advance(api, admin, clock["id"], RENEWAL + 3 * DAY + HOUR)
    now = await get(api, f"/v1/subscriptions/{sub['id']}", admin)
    assert (now["status"], now["ended_at"]) == ("canceled", RENEWAL + 3 * DAY)
    assert (await renewal(api, admin, sub))["attempt_count"] == 3
    assert len(await events(api, admin, "customer.subscription.deleted")) == 1
    await verified(api)


async def test_a_hard_decline_is_not_retried(api: Api) -> None:
    admin, _shop, sub, clock = await failing_subscription(api, "pm_card_chargeDeclinedLostCard")
    await advance(api, admin, clock["id"], RENEWAL + 20 * DAY)
    assert (await renewal(api, admin, sub))["attempt_count"] == 1
    assert await status(api, admin, sub) == "past_due"


async def test_authentication_needed_off_session_leaves_the_invoice_open(api: Api) -> None:
    admin, _shop, sub, clock = await failing_subscription(api, "pm_card_authenticationRequired")
    await advance(api, admin, clock["id"], RENEWAL + HOUR)
    invoice = await renewal(api, admin, sub)
    assert invoice["status"] == "open"
    assert await status(api, admin, sub) == "past_due"
    required = await events(api, admin, "invoice.payment_action_required")
    assert [e["data"]["object"]["id"] for e in required] == [invoice["id"]]
    await advance(api, admin, clock["id"], RENEWAL + 20 * DAY)
    assert (await renewal(api, admin, sub))["attempt_count"] == 1  # waits for the customer
