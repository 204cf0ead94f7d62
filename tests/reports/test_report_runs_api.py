"""Report runs: pending -> succeeded with a file, CSV and XLSX contents against the
hand-computed fixture, a run that survives a worker dying mid-run, and bad input."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from openpyxl import load_workbook

from payments.app.capabilities import run_once
from payments.reports.repository import ReportRunRepository
from support.app import Api
from support.reports import summary_fixture

DEC_28 = int(datetime(2024, 12, 28, tzinfo=UTC).timestamp())
JAN_1 = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())


async def _run(api: Api, headers: dict[str, str], report_type: str, **params: Any) -> Any:
    body = {
        "report_type": report_type,
        "parameters": {"interval_start": DEC_28, "interval_end": JAN_1} | params,
    }
    return await api.client.post("/v1/reporting/report_runs", json=body, headers=headers)


async def _finished(api: Api, headers: dict[str, str], run: dict[str, Any]) -> dict[str, Any]:
    assert (await run_once(api.container, only={"run_reports"}))["run_reports"] == 1
    response = await api.client.get(f"/v1/reporting/report_runs/{run['id']}", headers=headers)
    return response.json()  # type: ignore[no-any-return]


async def _contents(api: Api, headers: dict[str, str], done: dict[str, Any]) -> bytes:
    response = await api.client.get(done["result"]["url"], headers=headers)
    assert response.status_code == 200, response.text
    return response.content


async def test_a_payments_itemized_run_writes_the_csv_of_every_captured_payment(
    api: Api,
) -> None:
    admin, berlin, warsaw = await summary_fixture(api)
    created = await _run(
        api,
        admin,
        "payments.itemized",
        columns=["location", "currency", "gross", "fee", "net", "created_utc"],
    )
    assert created.status_code == 200, created.text
    run = created.json()
    assert (run["object"], run["status"], run["result"]) == (
        "reporting.report_run",
        "pending",
        None,
    )
    assert run["id"].startswith("frr_")
    done = await _finished(api, admin, run)
    assert done["status"] == "succeeded" and done["progress"] == {"rows": 3, "total": 3}
    assert done["succeeded_at"] is not None
    f = done["result"]
    assert (f["object"], f["purpose"], f["type"]) == ("file", "finance_report_run", "csv")
    assert f["filename"] == "payments.itemized_2024-12-28_2025-01-01.csv"
    again = await api.client.get(f"/v1/files/{f['id']}", headers=admin)
    assert again.json() == f
    body = await _contents(api, admin, done)
    assert len(body) == f["size"]
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert rows == [
        ["location", "currency", "gross", "fee", "net", "created_utc"],
        [berlin["id"], "eur", "100.00", "3.50", "96.50", "2024-12-28T10:00:00Z"],
        [warsaw["id"], "pln", "200.00", "6.75", "193.25", "2024-12-28T10:00:00Z"],
        [warsaw["id"], "pln", "100.00", "3.50", "96.50", "2024-12-30T10:00:00Z"],
    ]


async def test_an_xlsx_refunds_run_and_a_journal_that_balances_and_names_its_sources(
    api: Api,
) -> None:
    admin, berlin, _ = await summary_fixture(api)
    run = (await _run(api, admin, "refunds.itemized", format="xlsx")).json()
    done = await _finished(api, admin, run)
    assert done["result"]["type"] == "xlsx"
    book = load_workbook(io.BytesIO(await _contents(api, admin, done)), read_only=True)
    sheet = book.worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][:3] == ["refund_id", "charge_id", "payment_intent_id"]
    [row] = values[1:]
    assert row[4:] == [berlin["id"], "succeeded", None, "eur", "25.00"]

    journal = (await _run(api, admin, "ledger.journal")).json()
    body = await _contents(api, admin, await _finished(api, admin, journal))
    lines = list(csv.DictReader(io.StringIO(body.decode())))
    assert lines and all(line["source_id"] and line["transaction_id"] for line in lines)
    per_tx: dict[tuple[str, str], int] = {}
    for line in lines:
        if line["account"] in ("customer_funds_authorized", "authorizations"):
            continue
        key = (line["transaction_id"], line["currency"])
        cents = round(float(line["debit"]) * 100) - round(float(line["credit"]) * 100)
        per_tx[key] = per_tx.get(key, 0) + cents
    assert set(per_tx.values()) == {0}
    fees = [x for x in lines if x["account"] == "gateway_fees"]
    assert sorted((x["currency"], x["debit"], x["account_code"]) for x in fees) == [
        ("eur", "3.50", "6000"),
        ("pln", "3.50", "6000"),
        ("pln", "6.75", "6000"),
    ]


async def test_a_run_whose_worker_died_is_taken_over_when_its_lease_expires(api: Api) -> None:
    admin, _, _ = await summary_fixture(api)
    run = (await _run(api, admin, "payments.itemized")).json()
    clock = api.container.clock
    async with api.container.uow_factory() as uow:  # a worker claims it, then dies
        claimed = await uow.repo(ReportRunRepository).claim(
            clock.now(), lease_until=clock.now() + timedelta(minutes=5)
        )
        await uow.commit()
    assert claimed is not None and claimed["id"] == run["id"]
    assert (await run_once(api.container, only={"run_reports"}))["run_reports"] == 0
    clock.advance(minutes=6)  # type: ignore[attr-defined]
    done = await _finished(api, admin, run)
    assert done["status"] == "succeeded" and done["progress"]["rows"] == 3
    body = await _contents(api, admin, done)
    assert body.decode().count("\n") == 4  # header + 3 rows, written once


async def test_bad_report_runs_are_refused_naming_the_param(api: Api) -> None:
    admin, berlin, warsaw = await summary_fixture(api)
    cases = [
        ({"report_type": "payouts.itemized"}, "report_type"),
        ({"interval_end": DEC_28 - 1}, "parameters[interval_end]"),
        ({"columns": ["gross", "colour"]}, "parameters[columns]"),
        ({"format": "pdf"}, "parameters[format]"),
        ({"unknown": 1}, "parameters[unknown]"),
    ]
    for change, param in cases:
        kind = change.pop("report_type", "payments.itemized")
        response = await _run(api, admin, kind, **change)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["param"] == param
    unknown = await _run(api, admin, "payments.itemized", location="loc_nope")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["param"] == "parameters[location]"
    shop_key = await api.key("finance", location=berlin["id"])
    other = await _run(api, shop_key, "payments.itemized", location=warsaw["id"])
    assert other.status_code == 404
    assert other.json()["error"]["param"] == "parameters[location]"
    company = await _run(api, shop_key, "ledger.journal")
    assert company.status_code == 403
    own = (await _run(api, shop_key, "payments.itemized")).json()
    assert own["parameters"]["location"] == berlin["id"]
    done = await _finished(api, shop_key, own)
    assert done["progress"]["rows"] == 1
    admin_run = (await _run(api, admin, "payments.itemized")).json()
    hidden = await api.client.get(f"/v1/reporting/report_runs/{admin_run['id']}", headers=shop_key)
    assert hidden.status_code == 404
    clerk = await api.key("clerk")
    assert (await _run(api, clerk, "payments.itemized")).status_code == 403


async def test_a_balance_summary_run_walks_gateway_receivable_from_start_to_end(api: Api) -> None:
    admin, _, _ = await summary_fixture(api)
    run = (await _run(api, admin, "balance.summary")).json()
    body = await _contents(api, admin, await _finished(api, admin, run))
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    by_currency: dict[str, dict[str, str]] = {}
    for row in rows:
        by_currency.setdefault(row["currency"], {})[row["category"]] = row["net_amount"]
    # what the gateway holds for us is each currency's net: gross - refunds - fees
    assert by_currency["eur"]["starting_balance"] == "0.00"
    assert by_currency["eur"]["ending_balance"] == "71.50"
    assert by_currency["eur"]["charge.fee"] == "-3.50"
    assert by_currency["eur"]["refund.succeeded"] == "-25.00"
    assert by_currency["pln"]["ending_balance"] == "289.75"
    assert by_currency["pln"]["charge.fee"] == "-10.25"


async def test_a_vat_summary_run_lists_the_vat_groups(api: Api) -> None:
    from support.invoices import customer, finalized, setup

    api.container.clock.set(datetime(2024, 12, 30, 9, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    admin, shop = await setup(api)
    await finalized(api, admin, shop, await customer(api, admin))
    run = (await _run(api, admin, "vat.summary", format="xlsx")).json()
    done = await _finished(api, admin, run)
    book = load_workbook(io.BytesIO(await _contents(api, admin, done)), read_only=True)
    values = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert values == [
        [
            "country",
            "category",
            "rate",
            "currency",
            "taxable_amount",
            "tax_amount",
            "invoices",
            "credit_notes",
        ],
        ["DE", "S", "19", "eur", "249.00", "47.31", 1, 0],
    ]
