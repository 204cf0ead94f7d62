"""Renewals with a test clock: a year of monthly renewals, a clock jump over three
periods, trials, cancel at period end; exactly once after crashes and with several
workers."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from payments.app.capabilities import run_once
from payments.billing.service import renewals, test_clocks
from payments.billing.service.common import billing_of
from payments.invoices.service import drafts, payments
from payments.kernel.context import SYSTEM
from support.app import Api
from support.billing import (
    DAY,
    START,
    advance,
    billing_setup,
    customer,
    events,
    get,
    invoices_of,
    ok,
)
from support.refunds import event_types, verified


async def subscribe(
    api: Api, admin: dict[str, str], cus: dict[str, Any], price: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    return await ok(
        api,
        "/v1/subscriptions",
        admin,
        customer=cus["id"],
        items=[{"price": price["id"], "quantity": 10}],
        default_payment_method="pm_card_visa",
        **fields,
    )


async def test_a_monthly_contract_renews_twelve_times_with_twelve_paid_invoices(api: Api) -> None:
    admin, _shop, price, cus, clock = await billing_setup(api)
    assert clock is not None and cus["test_clock"] == clock["id"]
    sub = await subscribe(api, admin, cus, price)
    assert sub["status"] == "active"
    assert sub["current_period_start"] == START
    assert sub["current_period_end"] == int(datetime(2026, 2, 15, 9, tzinfo=UTC).timestamp())
    first = await invoices_of(api, admin, sub["id"])
    assert [(i["billing_reason"], i["status"], i["total"]) for i in first] == [
        ("subscription_create", "paid", 11781)  # 10 x 9.90 EUR + 19 % VAT
    ]
    assert sub["latest_invoice"] == first[0]["id"]
    done = await advance(api, admin, clock["id"], START + 366 * DAY)
    assert (done["status"], done["frozen_time"]) == ("ready", START + 366 * DAY)
    invoices = await invoices_of(api, admin, sub["id"])
    cycles = [i for i in invoices if i["billing_reason"] == "subscription_cycle"]
    assert len(cycles) == 12
    assert all(i["status"] == "paid" and i["amount_paid"] == 11781 for i in cycles)
    starts = [i["period_start"] for i in cycles]
    assert starts == sorted(starts)
    assert [datetime.fromtimestamp(s, UTC).month for s in starts] == [
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        9,
        10,
        11,
        12,
        1,
    ]
    assert all(a["period_end"] == b["period_start"] for a, b in itertools.pairwise(cycles))
    numbers = [i["number"] for i in invoices]
    assert len(set(numbers)) == 13  # every renewal numbered by the invoices service
    # the invoice's date is the clock's, never the wall clock's
    assert cycles[0]["issue_date"] == "2026-02-15"
    now = await get(api, f"/v1/subscriptions/{sub['id']}", admin)
    assert now["status"] == "active"
    assert now["current_period_start"] == int(datetime(2027, 1, 15, 9, tzinfo=UTC).timestamp())
    assert now["latest_invoice"] == cycles[-1]["id"]
    upcoming = await events(api, admin, "invoice.upcoming")
    assert len(upcoming) == 12
    assert upcoming[0]["created"] == START + 24 * DAY  # 7 days before Feb 15
    assert upcoming[0]["data"]["object"]["subscription"] == sub["id"]
    assert len(await events(api, admin, "invoice.paid")) == 13
    assert len(await events(api, admin, "customer.subscription.created")) == 1
    await verified(api)


async def test_a_clock_jump_over_three_periods_makes_three_invoices_in_order(api: Api) -> None:
    admin, _shop, price, cus, clock = await billing_setup(api)
    assert clock is not None
    sub = await subscribe(api, admin, cus, price)
    await advance(api, admin, clock["id"], START + 95 * DAY)  # past Feb, Mar, Apr 15
    cycles = [
        i
        for i in await invoices_of(api, admin, sub["id"])
        if i["billing_reason"] == "subscription_cycle"
    ]
    assert [datetime.fromtimestamp(i["period_start"], UTC).month for i in cycles] == [2, 3, 4]
    assert [i["created"] for i in cycles] == [i["period_start"] for i in cycles]
    assert all(i["status"] == "paid" for i in cycles)
    # the same again changes nothing: the clock cannot go back, nothing is due twice
    again = await api.client.post(
        f"/v1/test_helpers/test_clocks/{clock['id']}/advance",
        json={"frozen_time": START + 95 * DAY},
        headers=admin,
    )
    assert again.status_code == 400
    assert again.json()["error"]["param"] == "frozen_time"
    assert len(await invoices_of(api, admin, sub["id"])) == 4
    await verified(api)


async def test_a_trial_invoices_at_its_end_and_warns_three_days_before(api: Api) -> None:
    admin, _shop, price, cus, clock = await billing_setup(api)
    assert clock is not None
    sub = await subscribe(api, admin, cus, price, trial_period_days=14)
    assert sub["status"] == "trialing"
    assert sub["trial_end"] == START + 14 * DAY == sub["current_period_end"]
    assert await invoices_of(api, admin, sub["id"]) == []
    await advance(api, admin, clock["id"], START + 12 * DAY)
    assert "customer.subscription.trial_will_end" in await event_types(api, admin)
    assert (await get(api, f"/v1/subscriptions/{sub['id']}", admin))["status"] == "trialing"
    await advance(api, admin, clock["id"], START + 15 * DAY)
    now = await get(api, f"/v1/subscriptions/{sub['id']}", admin)
    assert now["status"] == "active"
    invoices = await invoices_of(api, admin, sub["id"])
    assert [(i["period_start"], i["status"]) for i in invoices] == [(START + 14 * DAY, "paid")]
    await verified(api)


async def test_cancel_at_period_end_ends_it_at_the_period_end_without_an_invoice(api: Api) -> None:
    admin, _shop, price, cus, clock = await billing_setup(api)
    assert clock is not None
    sub = await subscribe(api, admin, cus, price)
    updated = await ok(api, f"/v1/subscriptions/{sub['id']}", admin, cancel_at_period_end=True)
    assert updated["cancel_at"] == sub["current_period_end"]
    await advance(api, admin, clock["id"], START + 40 * DAY)
    now = await get(api, f"/v1/subscriptions/{sub['id']}", admin)
    assert (now["status"], now["ended_at"]) == ("canceled", sub["current_period_end"])
    assert len(await invoices_of(api, admin, sub["id"])) == 1
    assert "customer.subscription.deleted" in await event_types(api, admin)


async def test_a_crash_before_finalizing_or_charging_resumes_without_a_second_invoice(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin, _shop, price, cus, clock = await billing_setup(api)
    assert clock is not None
    sub = await subscribe(api, admin, cus, price)
    billing = billing_of(api.container)
    target = datetime.fromtimestamp(START + 32 * DAY, UTC)

    async def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("worker killed")

    # 1. killed while the renewal's invoice was being made and finalized: its one
    # transaction (the period moving on, the invoice, its number and posting) rolls back
    real_issue = drafts.issue_invoice
    monkeypatch.setattr(drafts, "issue_invoice", crash)
    with pytest.raises(RuntimeError):
        await test_clocks.advance_test_clock(clock["id"], target, billing=billing, ctx=SYSTEM)
    monkeypatch.setattr(drafts, "issue_invoice", real_issue)
    assert [i["status"] for i in await invoices_of(api, admin, sub["id"])] == ["paid"]
    unmoved = await get(api, f"/v1/subscriptions/{sub['id']}", admin)
    assert unmoved["current_period_end"] == sub["current_period_end"]
    # 2. killed after finalizing, before charging
    real_charge = payments.charge_invoice  # what a renewal charges its invoice with
    monkeypatch.setattr(payments, "charge_invoice", crash)
    with pytest.raises(RuntimeError):
        await test_clocks.advance_test_clock(clock["id"], target, billing=billing, ctx=SYSTEM)
    monkeypatch.setattr(payments, "charge_invoice", real_charge)
    drafts_made = invoices = await invoices_of(api, admin, sub["id"])
    assert [i["status"] for i in invoices] == ["paid", "open"]
    # the next run charges the same invoice, once
    await test_clocks.advance_test_clock(clock["id"], target, billing=billing, ctx=SYSTEM)
    invoices = await invoices_of(api, admin, sub["id"])
    assert [i["status"] for i in invoices] == ["paid", "paid"]
    assert invoices[1]["id"] == drafts_made[1]["id"]
    pis = await get(api, "/v1/payment_intents", admin, limit=100)
    assert sum(1 for p in pis["data"] if p.get("invoice") == invoices[1]["id"]) == 1
    await verified(api)


async def test_the_worker_renews_real_clock_subscriptions_once_even_with_two_workers(
    api: Api,
) -> None:
    admin, _shop, price, cus, _ = await billing_setup(api, with_clock=False)
    sub = await subscribe(api, admin, cus, price)
    clock = api.container.clock
    clock.advance(timedelta(days=31))  # type: ignore[attr-defined]
    billing = billing_of(api.container)
    done = await asyncio.gather(renewals.renew_due(billing), renewals.renew_due(billing))
    assert sum(done) >= 1
    await run_once(api.container, only={"renew_subscriptions"})
    invoices = await invoices_of(api, admin, sub["id"])
    assert [(i["billing_reason"], i["status"]) for i in invoices] == [
        ("subscription_create", "paid"),
        ("subscription_cycle", "paid"),
    ]
    assert await run_once(api.container, only={"renew_subscriptions"}) == {"renew_subscriptions": 0}
    await verified(api)


async def test_renewals_due_together_are_made_together_or_each_alone_once(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On one writer (SQLite) the renewals due at one moment make their invoices in one
    transaction: one failing rolls them all back, each is then run alone (and the one
    failing fails alone); the next advance makes each missing invoice once."""
    admin, shop, price, cus, clock = await billing_setup(api)
    assert clock is not None
    other = await customer(api, admin, location=shop["id"], test_clock=clock["id"])
    subs = [await subscribe(api, admin, c, price) for c in (cus, other)]
    billing = billing_of(api.container)
    target = datetime.fromtimestamp(START + 32 * DAY, UTC)
    real_issue = drafts.issue_invoice

    async def second_fails(uow: Any, cmd: Any, **kwargs: Any) -> Any:
        if cmd.customer == other["id"]:
            raise RuntimeError("worker killed")
        return await real_issue(uow, cmd, **kwargs)

    monkeypatch.setattr(drafts, "issue_invoice", second_fails)
    with pytest.raises(RuntimeError):
        await test_clocks.advance_test_clock(clock["id"], target, billing=billing, ctx=SYSTEM)
    monkeypatch.setattr(drafts, "issue_invoice", real_issue)
    first, second = [await invoices_of(api, admin, s["id"]) for s in subs]
    assert [i["status"] for i in second] == ["paid"]  # its renewal rolled back
    assert [i["status"] for i in first] in (["paid"], ["paid", "paid"])  # alone, if first
    await test_clocks.advance_test_clock(clock["id"], target, billing=billing, ctx=SYSTEM)
    for s in subs:
        invoices = await invoices_of(api, admin, s["id"])
        assert [(i["billing_reason"], i["status"]) for i in invoices] == [
            ("subscription_create", "paid"),
            ("subscription_cycle", "paid"),
        ]
    pis = await get(api, "/v1/payment_intents", admin, limit=100)
    assert len(pis["data"]) == 4  # two subscriptions, two invoices each, one intent each
    await verified(api)
