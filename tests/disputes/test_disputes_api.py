"""Disputes from the gateway's feed to the end: won, lost at the network, accepted by us;
evidence, deadlines, the money withdrawn with the fee, and reinstated when won."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from payments.app.capabilities import run_once, verify_ledger
from payments.disputes.service.apply import apply_dispute_event
from payments.disputes.tables import disputes
from payments.gateways.protocol import Dispute as GatewayDispute
from payments.gateways.protocol import GatewayEvent
from payments.intents.repository import ChargeRepository
from payments.ledger.tables import ledger_entries, ledger_transactions
from support.app import Api
from support.refunds import event_types, ledger_kinds, paid, poll_gateway, refund, shop, verified


async def _disputed(api: Api, amount: int = 12000) -> tuple[dict[str, str], dict[str, Any]]:
    admin, loc = await shop(api)
    pi = await paid(api, admin, loc["id"], amount=amount, method="pm_card_createDispute")
    assert await poll_gateway(api.container) >= 1
    listed = await api.client.get(
        "/v1/disputes", params={"payment_intent": pi["id"]}, headers=admin
    )
    (dispute,) = listed.json()["data"]
    return admin, dispute


def _balances(rows: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    return {(a["account"], a["currency"]): a["balance"] for a in rows}


async def _accounts(api: Api, headers: dict[str, str]) -> dict[tuple[str, str], int]:
    return _balances((await api.client.get("/v1/ledger/accounts", headers=headers)).json()["data"])


async def test_a_dispute_from_the_gateway_withdraws_the_amount_and_the_fee(api: Api) -> None:
    admin, dispute = await _disputed(api)
    assert dispute["id"].startswith("dp_")
    assert (dispute["status"], dispute["amount"], dispute["reason"]) == (
        "needs_response",
        12000,
        "fraudulent",
    )
    assert dispute["fee"] == 1500
    details = dispute["evidence_details"]
    assert details["due_by"] == dispute["created"] + 7 * 86400
    assert (details["has_evidence"], details["past_due"], details["submission_count"]) == (
        False,
        False,
        0,
    )
    charge = (await api.client.get(f"/v1/charges/{dispute['charge']}", headers=admin)).json()
    assert charge["disputed"] is True
    assert await ledger_kinds(api, admin, dispute["id"]) == [
        "charge.dispute.funds_withdrawn",
        "charge.fee",
    ]
    accounts = await _accounts(api, admin)
    assert accounts[("disputes", "eur")] == 12000
    types = await event_types(api, admin)
    assert {"charge.dispute.created", "charge.dispute.funds_withdrawn"} <= set(types)
    blocked = await refund(api, admin, payment_intent=dispute["payment_intent"], amount=100)
    assert blocked.status_code == 400
    assert blocked.json()["error"]["code"] == "charge_disputed"
    await poll_gateway(api.container)  # the same news again changes nothing
    assert len((await api.client.get("/v1/disputes", headers=admin)).json()["data"]) == 1
    await verified(api)


async def test_a_dispute_won_with_evidence_reinstates_the_funds(api: Api) -> None:
    admin, dispute = await _disputed(api)
    clerk = await api.key("clerk")
    added = await api.client.post(
        f"/v1/disputes/{dispute['id']}",
        json={
            "evidence": {
                "customer_name": "Ada Lovelace",
                "product_description": "Laptop screen replacement, repair R-1042",
                "service_documentation": "file_repair_report_R1042",
            },
            "metadata": {"case": "R-1042"},
        },
        headers=clerk,
    )
    assert added.status_code == 200, added.text
    body = added.json()
    assert body["status"] == "needs_response"
    assert body["evidence"]["customer_name"] == "Ada Lovelace"
    assert body["evidence"]["uncategorized_text"] is None
    assert body["evidence_details"]["has_evidence"] is True
    submitted = await api.client.post(
        f"/v1/disputes/{dispute['id']}",
        json={
            "evidence": {"uncategorized_text": "Customer signed the pickup form."},
            "submit": True,
        },
        headers=clerk,
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "under_review"
    assert submitted.json()["evidence_details"]["submission_count"] == 1
    late = await api.client.post(
        f"/v1/disputes/{dispute['id']}", json={"evidence": {"customer_name": "X"}}, headers=clerk
    )
    assert late.status_code == 400
    assert late.json()["error"]["code"] == "dispute_unexpected_state"

    won = await api.client.post(
        f"/v1/test_helpers/disputes/{dispute['id']}/resolve", json={"outcome": "won"}, headers=admin
    )
    assert won.status_code == 200, won.text
    assert won.json()["status"] == "won"
    assert await ledger_kinds(api, admin, dispute["id"]) == [
        "charge.dispute.funds_reinstated",
        "charge.dispute.funds_withdrawn",
        "charge.fee",
    ]
    accounts = await _accounts(api, admin)
    assert accounts[("disputes", "eur")] == 0
    assert accounts.get(("chargeback_losses", "eur"), 0) == 0
    await poll_gateway(api.container)  # the gateway's closed events: already applied
    types = await event_types(api, admin)
    assert {"charge.dispute.updated", "charge.dispute.closed"} <= set(types)
    assert "charge.dispute.funds_reinstated" in types
    again = await api.client.post(
        f"/v1/test_helpers/disputes/{dispute['id']}/resolve",
        json={"outcome": "lost"},
        headers=admin,
    )
    assert again.status_code == 400  # decided is decided
    await verified(api)


async def test_a_dispute_lost_at_the_network_is_a_chargeback_loss(api: Api) -> None:
    admin, dispute = await _disputed(api, amount=9000)
    lost = await api.client.post(
        f"/v1/test_helpers/disputes/{dispute['id']}/resolve",
        json={"outcome": "lost"},
        headers=admin,
    )
    assert lost.status_code == 200, lost.text
    assert lost.json()["status"] == "lost"
    assert "charge.dispute.lost" in await ledger_kinds(api, admin, dispute["id"])
    accounts = await _accounts(api, admin)
    assert accounts[("chargeback_losses", "eur")] == 9000
    assert accounts[("disputes", "eur")] == 0
    await poll_gateway(api.container)
    await verified(api)


async def test_accepting_a_dispute_closes_it_as_lost_and_needs_finance(api: Api) -> None:
    admin, dispute = await _disputed(api)
    clerk, finance = await api.key("clerk"), await api.key("finance")
    denied = await api.client.post(f"/v1/disputes/{dispute['id']}/close", headers=clerk)
    assert denied.status_code == 403
    closed = await api.client.post(f"/v1/disputes/{dispute['id']}/close", headers=finance)
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "lost"
    assert (await _accounts(api, admin))[("chargeback_losses", "eur")] == 12000
    await poll_gateway(api.container)  # the gateway's charge.dispute.closed: no change
    twice = await api.client.post(f"/v1/disputes/{dispute['id']}/close", headers=finance)
    assert twice.status_code == 400
    audit = await api.client.get("/v1/audit_log", params={"object": dispute["id"]}, headers=finance)
    (record,) = audit.json()["data"]
    assert record["action"] == "dispute.closed"
    assert record["changes"]["after"]["status"] == "lost"
    await verified(api)


async def test_the_worker_flags_disputes_near_their_deadline_once(api: Api) -> None:
    admin, dispute = await _disputed(api)
    clock = api.container.clock
    due = dispute["evidence_details"]["due_by"]
    clock.advance(timedelta(seconds=due - dispute["created"]) - timedelta(hours=49))  # type: ignore[attr-defined]
    assert (await run_once(api.container, only={"flag_dispute_deadlines"}))[
        "flag_dispute_deadlines"
    ] == 0
    clock.advance(hours=2)  # type: ignore[attr-defined]
    await run_once(api.container, only={"flag_dispute_deadlines"})
    await run_once(api.container, only={"flag_dispute_deadlines"})
    types = await event_types(api, admin)
    assert types.count("charge.dispute.deadline_approaching") == 1
    clock.advance(hours=48)  # type: ignore[attr-defined]
    await run_once(api.container, only={"flag_dispute_deadlines"})
    overdue = (await api.client.get(f"/v1/disputes/{dispute['id']}", headers=admin)).json()
    assert overdue["evidence_details"]["past_due"] is True
    assert (await event_types(api, admin)).count("charge.dispute.deadline_approaching") == 1
    await verified(api)


async def test_disputes_list_filters_and_shop_isolation(api: Api) -> None:
    admin, dispute = await _disputed(api)
    by_status = await api.client.get(
        "/v1/disputes", params={"status": "needs_response"}, headers=admin
    )
    assert [d["id"] for d in by_status.json()["data"]] == [dispute["id"]]
    none = await api.client.get("/v1/disputes", params={"status": "won"}, headers=admin)
    assert none.json()["data"] == []
    other = await api.location(admin, name="Hamburg")
    stranger = await api.key("finance", location=other["id"])
    assert (await api.client.get("/v1/disputes", headers=stranger)).json()["data"] == []
    hidden = await api.client.get(f"/v1/disputes/{dispute['id']}", headers=stranger)
    assert hidden.status_code == 404
    bad = await api.client.post(
        f"/v1/disputes/{dispute['id']}", json={"evidence": {"shoe_size": "42"}}, headers=admin
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "parameter_unknown"
    await verified(api)


async def _gateway_view(
    api: Api, charge_id: str, *, status: str, fee: int | None, ref: str = "dp_sim_late_fee"
) -> None:
    """Apply one gateway view of a dispute of our charge, as the event poller would."""
    c = api.container
    async with c.uow_factory() as uow:
        charge = await uow.repo(ChargeRepository).get(charge_id)
    assert charge is not None and charge.gateway_ref is not None
    snapshot = GatewayDispute(
        reference=ref,
        charge=charge.gateway_ref,
        amount=charge.amount_captured,
        currency=charge.currency,
        reason="fraudulent",
        status=status,
        created=c.clock.now(),
        fee=fee,
    )
    event = GatewayEvent(
        id=f"evt_{status}_{fee}",
        cursor="-",
        type="charge.dispute.updated",
        created=c.clock.now(),
        dispute=snapshot,
    )
    assert (
        await apply_dispute_event(
            event, uow_factory=c.uow_factory, gateway=charge.gateway, clock=c.clock
        )
        is None
    )


@pytest.mark.parametrize("first", ["needs_response", "warning_needs_response"])
async def test_a_dispute_fee_reported_after_the_withdrawal_is_posted_once(
    api: Api, first: str
) -> None:
    """The first view of a dispute has no fee (Stripe: the withdrawal's balance transaction
    comes later); a later view that carries it posts it, once, keyed by the dispute. Also
    when that later view is the one that withdraws the funds (an inquiry escalated)."""
    admin, loc = await shop(api)
    pi = await paid(api, admin, loc["id"], amount=12000)
    before = (await _accounts(api, admin)).get(("gateway_fees", "eur"), 0)
    await _gateway_view(api, pi["latest_charge"], status=first, fee=None)
    (dispute,) = (await api.client.get("/v1/disputes", headers=admin)).json()["data"]
    assert dispute["fee"] is None
    await verified(api)

    for _ in range(2):  # the same news twice posts the fee once
        await _gateway_view(api, pi["latest_charge"], status="needs_response", fee=1500)
    after = (await api.client.get(f"/v1/disputes/{dispute['id']}", headers=admin)).json()
    assert (after["status"], after["fee"]) == ("needs_response", 1500)
    assert await ledger_kinds(api, admin, dispute["id"]) == [
        "charge.dispute.funds_withdrawn",
        "charge.fee",
    ]
    accounts = await _accounts(api, admin)
    assert accounts[("gateway_fees", "eur")] == before + 1500
    assert accounts[("disputes", "eur")] == 12000
    assert "charge.dispute.updated" in await event_types(api, admin)
    await verified(api)


async def test_verify_proves_a_withdrawn_disputes_fee_is_posted_as_known(api: Api) -> None:
    _, dispute = await _disputed(api)
    await verified(api)
    async with api.container.engine.begin() as conn:  # the fee we know differs from the posted
        await conn.execute(
            sa.update(disputes).where(disputes.c.id == dispute["id"]).values(fee=2000)
        )
    problems = await verify_ledger(uow_factory=api.container.uow_factory)
    assert problems == [
        f"dispute {dispute['id']} has its fee posted as 1500 eur but 2000 eur is expected "
        "(fee 2000, funds withdrawn: True)"
    ]
    async with api.container.engine.begin() as conn:  # known, withdrawn, never posted
        fee_tx = ledger_transactions.c.kind == "charge.fee"
        ids = sa.select(ledger_transactions.c.id).where(
            ledger_transactions.c.source_id == dispute["id"], fee_tx
        )
        await conn.execute(
            sa.delete(ledger_entries).where(ledger_entries.c.transaction_id.in_(ids))
        )
        await conn.execute(
            sa.delete(ledger_transactions).where(
                ledger_transactions.c.source_id == dispute["id"], fee_tx
            )
        )
    problems = await verify_ledger(uow_factory=api.container.uow_factory)
    assert f"dispute {dispute['id']} is posted charge.fee 0 times, expected 1" in problems
    assert (
        f"dispute {dispute['id']} has its fee posted as nothing but 2000 eur is expected "
        "(fee 2000, funds withdrawn: True)"
    ) in problems
