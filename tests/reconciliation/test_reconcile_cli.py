"""``payments reconcile --date`` as a real subprocess, and the daily worker job."""

from __future__ import annotations

from datetime import timedelta

from payments.app.capabilities import run_once
from support.app import Api
from support.cli import run
from support.reconciliation import ARRIVAL, DAY, day_of_payments, drop_fee_posting, reconciliations


async def test_the_command_reconciles_a_date_and_exits_1_on_discrepancies(
    api: Api, database_url: str
) -> None:
    day = await day_of_payments(api)
    api.container.clock.set(DAY.replace(hour=0) + timedelta(days=2, hours=6))  # type: ignore[attr-defined]
    await api.container.gateway.process_due()  # type: ignore[attr-defined]  # payouts made

    done = run(database_url, "reconcile", "--date", ARRIVAL.isoformat())

    assert done.returncode == 0, done.stderr
    (rec,) = await reconciliations(api, day["admin"])
    assert rec["status"] == "reconciled"
    assert f"{rec['payout']['id']} eur {rec['amount']}: reconciled" in done.stdout
    assert "3 charge(s), 1 refund(s), 1 dispute(s)" in done.stdout
    assert f"reconcile {ARRIVAL.isoformat()}: 1 payout(s), 0 discrepancy(ies)" in done.stdout

    await drop_fee_posting(api.container, day["de"]["latest_charge"])
    again = run(database_url, "reconcile", "--date", ARRIVAL.isoformat())
    assert again.returncode == 1
    assert "fee_mismatch" in again.stdout and "missing in our ledger" in again.stdout
    (same,) = await reconciliations(api, day["admin"])
    assert (same["id"], same["status"]) == (rec["id"], "discrepancies")

    bad = run(database_url, "reconcile", "--date", "2030-02-30")
    assert bad.returncode == 1 and "date" in bad.stderr and "Traceback" not in bad.stderr


async def test_the_daily_job_reconciles_each_past_day_once(api: Api) -> None:
    day = await day_of_payments(api)
    api.container.clock.set(DAY.replace(hour=0) + timedelta(days=3, hours=1))  # type: ignore[attr-defined]

    assert (await run_once(api.container, only={"reconcile_payouts"})) == {
        "reconcile_payouts": 3  # the three days before today, each once
    }
    (rec,) = await reconciliations(api, day["admin"])
    assert rec["status"] == "reconciled" and rec["ledger_transfer_posted"] is True
    assert (await run_once(api.container, only={"reconcile_payouts"})) == {"reconcile_payouts": 0}
    runs = await api.client.get("/v1/reconciliation_runs", headers=day["admin"])
    assert [r["date"] for r in runs.json()["data"]] == sorted(
        (r["date"] for r in runs.json()["data"]), reverse=True
    )
    assert {r["status"] for r in runs.json()["data"]} == {"completed"}
    assert len(runs.json()["data"]) == 3
