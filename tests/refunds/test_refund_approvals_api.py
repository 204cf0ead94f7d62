"""Refund policy and approval by role: a clerk's large or late refund waits for finance;
nobody approves their own request; a decision is made once; all of it is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from payments.kernel.access import Principal, Role
from payments.kernel.context import RequestContext
from payments.kernel.errors import PermissionDenied
from payments.refunds.service.approvals import approve_refund
from support.app import Api
from support.refunds import charge_of, event_types, ledger_kinds, paid, refund, shop, verified


async def test_a_clerk_refund_above_the_threshold_waits_for_finance(api: Api) -> None:
    admin, loc = await shop(api)
    pi = await paid(api, admin, loc["id"], amount=50000)
    clerk, finance = await api.key("clerk"), await api.key("finance")

    small = await refund(api, clerk, payment_intent=pi["id"], amount=5000)
    assert small.json()["status"] == "succeeded"  # 50 EUR: within the clerk's 200 EUR
    large = await refund(api, clerk, payment_intent=pi["id"], amount=16000, note="broken screen")
    assert large.status_code == 200, large.text
    waiting = large.json()
    assert waiting["status"] == "pending_approval"
    assert waiting["approval"] == {
        "required_because": "amount_above_threshold",  # 50 + 160 EUR > 200 EUR
        "status": "pending",
        "decided_by": None,
        "decided_at": None,
        "rejection_reason": None,
    }
    assert await ledger_kinds(api, admin, waiting["id"]) == []  # nothing moved yet
    assert (await charge_of(api, admin, pi))["amount_refunded"] == 5000
    # it reserves its amount: no other refund may take it meanwhile
    over = await refund(api, admin, payment_intent=pi["id"], amount=29001)
    assert over.json()["error"]["code"] == "amount_too_large"

    by_clerk = await api.client.post(f"/v1/refunds/{waiting['id']}/approve", headers=clerk)
    assert by_clerk.status_code == 403
    assert by_clerk.json()["error"]["code"] == "insufficient_permissions"

    approved = await api.client.post(f"/v1/refunds/{waiting['id']}/approve", headers=finance)
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "succeeded"
    assert body["approval"]["status"] == "approved"
    assert body["approval"]["decided_by"]["name"] == "test finance"
    assert await ledger_kinds(api, admin, waiting["id"]) == ["refund.created", "refund.succeeded"]
    assert (await charge_of(api, admin, pi))["amount_refunded"] == 21000

    twice = await api.client.post(f"/v1/refunds/{waiting['id']}/approve", headers=admin)
    assert twice.status_code == 400
    assert twice.json()["error"]["code"] == "refund_unexpected_state"
    await verified(api)


async def test_a_rejected_refund_is_canceled_with_its_reason_and_moves_nothing(api: Api) -> None:
    admin, loc = await shop(api)
    pi = await paid(api, admin, loc["id"], amount=50000)
    clerk, finance = await api.key("clerk"), await api.key("finance")
    waiting = (await refund(api, clerk, payment_intent=pi["id"], amount=30000)).json()
    no_reason = await api.client.post(f"/v1/refunds/{waiting['id']}/reject", headers=finance)
    assert no_reason.status_code == 400
    rejected = await api.client.post(
        f"/v1/refunds/{waiting['id']}/reject",
        json={"reason": "repair was done under warranty already"},
        headers=finance,
    )
    assert rejected.status_code == 200, rejected.text
    body = rejected.json()
    assert body["status"] == "canceled"
    assert body["approval"]["status"] == "rejected"
    assert body["approval"]["rejection_reason"] == "repair was done under warranty already"
    late = await api.client.post(f"/v1/refunds/{waiting['id']}/approve", headers=finance)
    assert late.status_code == 400
    assert await ledger_kinds(api, admin, waiting["id"]) == []
    # the rejected amount is free again
    full = await refund(api, admin, payment_intent=pi["id"])
    assert full.json()["amount"] == 50000
    assert "refund.updated" in await event_types(api, admin)
    await verified(api)


async def test_a_refund_awaiting_approval_can_be_canceled(api: Api) -> None:
    admin, loc = await shop(api)
    pi = await paid(api, admin, loc["id"], amount=50000)
    clerk = await api.key("clerk")
    waiting = (await refund(api, clerk, payment_intent=pi["id"], amount=30000)).json()
    canceled = await api.client.post(f"/v1/refunds/{waiting['id']}/cancel", headers=clerk)
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["status"] == "canceled"
    again = await api.client.post(f"/v1/refunds/{waiting['id']}/cancel", headers=clerk)
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "refund_unexpected_state"
    done = (await refund(api, admin, payment_intent=pi["id"], amount=100)).json()
    settled = await api.client.post(f"/v1/refunds/{done['id']}/cancel", headers=admin)
    assert settled.status_code == 400  # a succeeded card refund cannot be canceled
    await verified(api)


async def test_a_late_refund_needs_finance_whatever_its_amount(api: Api) -> None:
    admin, loc = await shop(api)
    pi = await paid(api, admin, loc["id"], amount=5000)
    api.container.clock.advance(timedelta(days=91))  # type: ignore[attr-defined]
    clerk = await api.key("clerk")
    late = (await refund(api, clerk, payment_intent=pi["id"], amount=100)).json()
    assert late["status"] == "pending_approval"
    assert late["approval"]["required_because"] == "outside_refund_window"
    by_finance = await refund(api, await api.key("finance"), payment_intent=pi["id"], amount=100)
    assert by_finance.json()["status"] == "succeeded"
    await verified(api)


async def test_nobody_approves_their_own_request(api: Api) -> None:
    admin, loc = await shop(api)
    pi = await paid(api, admin, loc["id"], amount=50000)
    clerk = await api.key("clerk")
    waiting = (await refund(api, clerk, payment_intent=pi["id"], amount=30000)).json()
    requester = waiting["requested_by"]
    # the same key, had it been promoted to finance since: still its own request
    promoted = RequestContext(
        principal=Principal(api_key_id=requester["id"], name=requester["name"], role=Role.finance)
    )
    c = api.container
    with pytest.raises(PermissionDenied) as info:
        await approve_refund(
            waiting["id"], uow_factory=c.uow_factory, gateway=c.gateway, clock=c.clock, ctx=promoted
        )
    assert info.value.code == "refund_self_approval"
    still = await api.client.get(f"/v1/refunds/{waiting['id']}", headers=admin)
    assert still.json()["status"] == "pending_approval"
    await verified(api)


async def test_thresholds_are_per_currency_and_configurable(api: Api) -> None:
    admin = await api.key("admin")
    loc = await api.location(
        admin,
        name="Zurich",
        address={"line1": "Bahnhofstrasse 1", "city": "Zurich", "country": "CH"},
        timezone="Europe/Zurich",
    )
    assert loc["default_currency"] == "chf"
    pi = await paid(api, admin, loc["id"], amount=30000)
    clerk = await api.key("clerk")
    ok = await refund(api, clerk, payment_intent=pi["id"], amount=20000)
    assert ok.json()["status"] == "succeeded"  # exactly the CHF threshold
    over = await refund(api, clerk, payment_intent=pi["id"], amount=1)
    assert over.json()["status"] == "pending_approval"
    await verified(api)
