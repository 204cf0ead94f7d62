"""Reconciling the simulator's daily payouts with our books: a clean day, planted
differences (a missing fee, a duplicate payout line, a payment only one side has),
re-runs that confirm without posting twice, the API and the report run."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import sqlalchemy as sa

from payments.app.capabilities import run_once, verify_ledger
from payments.events.tables import events
from payments.gateways.protocol import ChargeRequest
from payments.ledger.tables import ledger_transactions
from support.app import Api
from support.reconciliation import (
    ARRIVAL,
    DAY,
    day_of_payments,
    drop_fee_posting,
    drop_sim_line,
    duplicate_sim_line,
    gateway_ref,
    reconcile,
    reconciliations,
    sim_line,
)
from support.refunds import shop, verified


async def event_types(api: Api) -> list[str]:
    async with api.container.engine.begin() as conn:
        rows = await conn.execute(
            sa.select(events.c.type).where(events.c.type.like("reconciliation.%"))
        )
        return sorted(rows.scalars())


async def payout_postings(api: Api) -> int:
    async with api.container.engine.begin() as conn:
        return int(
            (
                await conn.execute(
                    sa.select(sa.func.count()).where(ledger_transactions.c.kind == "payout.paid")
                )
            ).scalar_one()
        )


async def test_a_day_with_refunds_and_a_dispute_reconciles_without_differences(api: Api) -> None:
    day = await day_of_payments(api)
    api.container.clock.set(DAY.replace(hour=0) + timedelta(days=2, hours=6))  # type: ignore[attr-defined]
    run = await reconcile(api)

    assert (run["object"], run["date"], run["status"]) == (
        "reconciliation_run",
        ARRIVAL.isoformat(),
        "completed",
    )
    assert (run["payouts"], run["discrepancies"]) == (1, 0)
    (rec,) = await reconciliations(api, day["admin"])
    # fees: US card 3.25 % + 0.25 (350, 123), EEA card 1.5 % + 0.25 (100), dispute 15.00
    fees = 350 + 100 + 123 + 1_500
    assert rec["status"] == "reconciled", rec["discrepancies"]
    assert rec["charges"] == {"count": 3, "amount": 18_000}
    assert rec["refunds"] == {"count": 1, "amount": -4_000}
    assert rec["disputes"] == {"count": 1, "amount": -3_000}
    assert rec["fees"] == fees
    assert rec["amount"] == 18_000 - 4_000 - 3_000 - fees == rec["lines_net"]
    assert rec["difference"] == 0 and rec["discrepancies"] == []
    assert (rec["payout"]["object"], rec["payout"]["status"]) == ("payout", "paid")
    assert rec["ledger_transfer_posted"] is True
    assert await payout_postings(api) == 1
    await verified(api)

    detail = await api.client.get(f"/v1/reconciliations/{rec['id']}", headers=day["admin"])
    lines = detail.json()["lines"]["data"]
    assert len(lines) == 6  # 3 charges, a refund, a dispute, the payout's own line
    by_object = {line["matched"]["id"]: line for line in lines if line["matched"]}
    us_line = by_object[day["us"]["latest_charge"]]
    assert us_line["balance_transaction"]["type"] == "charge"
    assert (us_line["balance_transaction"]["fee"], us_line["matched"]["fee"]) == (350, 350)
    assert by_object[day["refund"]["id"]]["balance_transaction"]["amount"] == -4_000
    assert all(line["discrepancies"] == [] for line in lines)
    by_payout = await api.client.get(
        f"/v1/reconciliations/{rec['payout']['id']}", headers=day["admin"]
    )
    assert by_payout.json()["id"] == rec["id"]
    assert await event_types(api) == ["reconciliation.completed"]

    again = await reconcile(api)  # the same date again: confirmed, nothing posted twice
    assert (again["id"], again["payouts"], again["discrepancies"]) == (run["id"], 1, 0)
    (same,) = await reconciliations(api, day["admin"])
    assert same["id"] == rec["id"] and same["status"] == "reconciled"
    assert await payout_postings(api) == 1
    assert await event_types(api) == ["reconciliation.completed"]
    await verified(api)

    async with api.container.engine.begin() as conn:  # the transfer lost by hand
        await conn.execute(
            sa.update(ledger_transactions)
            .where(ledger_transactions.c.kind == "payout.paid")
            .values(source_id="po_someone_else")
        )
    problems = await verify_ledger(uow_factory=api.container.uow_factory)
    assert f"payout {rec['payout']['id']} is marked posted but has 0 payout.paid postings" in (
        problems
    )


async def test_a_missing_fee_and_a_duplicate_payout_line_are_found(api: Api) -> None:
    day = await day_of_payments(api, dispute=False)
    api.container.clock.set(DAY.replace(hour=0) + timedelta(days=1, minutes=1))  # type: ignore[attr-defined]
    await api.container.gateway.process_due()  # type: ignore[attr-defined]  # the payout is made
    de_line = await sim_line(
        api.container, await gateway_ref(api.container, day["de"]["latest_charge"])
    )
    assert de_line["payout_id"]
    copy_id = await duplicate_sim_line(api.container, de_line)
    await drop_fee_posting(api.container, day["us"]["latest_charge"])
    api.container.clock.set(DAY.replace(hour=0) + timedelta(days=2, hours=6))  # type: ignore[attr-defined]

    run = await reconcile(api)

    (rec,) = await reconciliations(api, day["admin"])
    assert rec["status"] == "discrepancies"
    found = {(d["code"], d["object_id"] or d["source"]) for d in rec["discrepancies"]}
    assert found == {
        ("fee_mismatch", day["us"]["latest_charge"]),
        ("duplicate_line", day["de"]["latest_charge"]),
        ("payout_amount_mismatch", rec["payout"]["id"]),
    }
    fee = next(d for d in rec["discrepancies"] if d["code"] == "fee_mismatch")
    assert (fee["expected"], fee["actual"]) == (0, 350)
    assert "missing in our ledger" in fee["message"]
    dup = next(d for d in rec["discrepancies"] if d["code"] == "duplicate_line")
    assert dup["balance_transaction"] == copy_id
    assert rec["difference"] == -(5_000 - 100)  # the copy's net, beyond the payout's amount
    assert rec["charges"]["count"] == 2  # the copy is not counted twice
    assert run["discrepancies"] == 3
    assert await event_types(api) == [
        "reconciliation.completed",
        "reconciliation.discrepancy_found",
    ]


async def test_a_payment_only_we_have_and_one_only_the_gateway_has(api: Api) -> None:
    day = await day_of_payments(api, dispute=False)
    # the gateway never records the DE payment's movement...
    de_ref = await gateway_ref(api.container, day["de"]["latest_charge"])
    await drop_sim_line(api.container, (await sim_line(api.container, de_ref))["id"])
    # ... and takes a payment we never booked (made at the gateway, not through us)
    stranger = await api.container.gateway.charge(
        ChargeRequest(
            amount=2_500, currency="eur", payment_method="pm_card_visa", idempotency_key="att_x1"
        )
    )
    api.container.clock.set(DAY.replace(hour=0) + timedelta(days=2, hours=6))  # type: ignore[attr-defined]

    await reconcile(api)

    (rec,) = await reconciliations(api, day["admin"])
    found = {(d["code"], d["object_id"] or d["source"]) for d in rec["discrepancies"]}
    assert found == {
        ("missing_at_gateway", day["de"]["latest_charge"]),
        ("missing_in_ledger", stranger.reference),
    }
    assert rec["amount"] == rec["lines_net"]  # the payout itself adds up
    ours = next(d for d in rec["discrepancies"] if d["code"] == "missing_at_gateway")
    assert (ours["expected"], ours["actual"], ours["object"]) == (5_000, None, "charge")


async def test_the_payouts_reconciliation_report_run_lists_every_line(api: Api) -> None:
    day = await day_of_payments(api)
    api.container.clock.set(DAY.replace(hour=0) + timedelta(days=2, hours=6))  # type: ignore[attr-defined]
    await reconcile(api)
    start = int(DAY.replace(hour=0).timestamp())
    response = await api.client.post(
        "/v1/reporting/report_runs",
        json={
            "report_type": "payouts.reconciliation",
            "parameters": {"interval_start": start, "interval_end": start + 7 * 86_400},
        },
        headers=day["admin"],
    )
    assert response.status_code == 200, response.text
    await run_once(api.container, only={"run_reports"})
    run = await api.client.get(
        f"/v1/reporting/report_runs/{response.json()['id']}", headers=day["admin"]
    )
    assert run.json()["status"] == "succeeded", run.json()
    body = await api.client.get(run.json()["result"]["url"], headers=day["admin"])
    rows = list(csv.DictReader(io.StringIO(body.text)))
    assert len(rows) == 6
    assert {r["reporting_category"] for r in rows} == {"charge", "refund", "dispute", "payout"}
    refund_row = next(r for r in rows if r["reporting_category"] == "refund")
    assert (refund_row["amount"], refund_row["currency"], refund_row["matched_id"]) == (
        "-40.00",
        "eur",
        day["refund"]["id"],
    )
    assert {r["discrepancies"] for r in rows} == {""}


async def test_reading_reconciliations_needs_an_unrestricted_finance_key_and_a_valid_date(
    api: Api,
) -> None:
    admin, berlin = await shop(api)
    clerk = await api.key("clerk")
    bad = await api.client.get("/v1/reconciliations", params={"date": "2030-13-01"}, headers=admin)
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "date"
    status = await api.client.get("/v1/reconciliations", params={"status": "maybe"}, headers=admin)
    assert status.status_code == 400 and status.json()["error"]["param"] == "status"
    assert (await api.client.get("/v1/reconciliations", headers=clerk)).status_code == 403
    restricted = await api.key("admin", location=berlin["id"])
    assert (await api.client.get("/v1/reconciliations", headers=restricted)).status_code == 403
    missing = await api.client.get("/v1/reconciliations/recon_missing", headers=admin)
    assert missing.status_code == 404
    runs = await api.client.get("/v1/reconciliation_runs", headers=admin)
    assert runs.status_code == 200 and runs.json()["data"] == []
