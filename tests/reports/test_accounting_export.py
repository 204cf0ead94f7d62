"""The accounting exports: DATEV EXTF Buchungsstapel from the journal (SKR03/SKR04 and
overrides), each line traceable to its source; the pairing of multi-entry transactions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from payments.app.capabilities import run_once
from payments.reports.domain.datev import (
    JournalEntry,
    UnmappedAccount,
    account_code,
    booking_lines,
)
from support.app import Api
from support.reports import summary_fixture

WHEN = datetime(2024, 12, 28, 10, 0, tzinfo=UTC)


def _e(account: str, amount: int, dimension: str | None = None) -> JournalEntry:
    return JournalEntry(
        "ltx_1", WHEN, "invoice_finalized", "in_1", account, dimension, "eur", amount
    )


def test_an_invoice_finalization_splits_into_balanced_lines_with_the_vat_groups_accounts() -> None:
    entries = [
        _e("accounts_receivable", 29631, "in_1"),
        _e("sales", -24900, "DE:S:19"),
        _e("vat_payable", -4731, "DE:S:19"),
    ]
    lines = booking_lines(entries, chart="skr03", overrides={})
    assert [(x.amount, x.debit, x.credit) for x in lines] == [
        (24900, "1400", "8400"),
        (4731, "1400", "1776"),
    ]
    assert {(x.source_id, x.text) for x in lines} == {("in_1", "invoice_finalized ltx_1")}
    skr04 = booking_lines(entries, chart="skr04", overrides={"vat_payable:S:19": "3807"})
    assert [(x.debit, x.credit) for x in skr04] == [("1200", "4400"), ("1200", "3807")]


def test_memo_entries_are_left_out_and_an_unbalanced_transaction_is_refused() -> None:
    held = [_e("customer_funds_authorized", 100), _e("authorizations", -100)]
    assert booking_lines(held, chart="skr03", overrides={}) == []
    with pytest.raises(ValueError, match="does not balance"):
        booking_lines([_e("bank", 100), _e("sales", -99)], chart="skr03", overrides={})
    with pytest.raises(UnmappedAccount):
        account_code("nowhere", None, chart="skr03", overrides={})
    assert account_code("sales", "DE:AE:0", chart="skr03", overrides={}) == "8337"
    assert account_code("bank", None, chart="skr03", overrides={"bank": "1210"}) == "1210"


async def test_a_datev_run_writes_the_extf_file_of_the_euro_journal(api: Api) -> None:
    admin, berlin, _ = await summary_fixture(api)
    body = {
        "report_type": "accounting.datev",
        "parameters": {
            "interval_start": int(datetime(2024, 12, 1, tzinfo=UTC).timestamp()),
            "interval_end": int(datetime(2025, 1, 1, tzinfo=UTC).timestamp()),
        },
    }
    created = await api.client.post("/v1/reporting/report_runs", json=body, headers=admin)
    assert created.status_code == 200, created.text
    assert created.json()["parameters"]["currency"] == "eur"
    assert (await run_once(api.container, only={"run_reports"}))["run_reports"] == 1
    run = (
        await api.client.get(f"/v1/reporting/report_runs/{created.json()['id']}", headers=admin)
    ).json()
    assert run["status"] == "succeeded", run
    raw = (await api.client.get(run["result"]["url"], headers=admin)).content
    lines = raw.decode("cp1252").split("\r\n")
    header = lines[0].split(";")
    assert header[:5] == ['"EXTF"', "700", "21", '"Buchungsstapel"', "13"]
    assert header[10:16] == ["1001", "1", "20240101", "4", "20241201", "20241231"]
    assert header[21] == '"EUR"' and header[26] == '"03"'
    assert lines[1].startswith('"Umsatz (ohne Soll/Haben-Kz)";"Soll/Haben-Kennzeichen"')
    records = [line.split(";") for line in lines[2:] if line]
    assert records and all(r[2] == '"EUR"' and r[1] == '"S"' for r in records)
    # the card fee of the Berlin payment: 3.50 from gateway_receivable to gateway fees
    fee = [r for r in records if r[6] == "4970"]
    assert [(r[0], r[7], r[9]) for r in fee] == [("3,50", "1360", "2812")]
    charge = (
        await api.client.get("/v1/charges", params={"location": berlin["id"]}, headers=admin)
    ).json()
    [paid] = [c for c in charge["data"] if c["status"] == "succeeded"]
    assert fee[0][10] == '"' + paid["id"].replace("_", "-") + '"'
    assert all(r[13].strip('"').split()[1].startswith("ltx_") for r in records)
    # no PLN line: the Warsaw shop's bookings are a currency of their own
    assert not any("PLN" in line for line in lines)


async def test_a_datev_run_refuses_columns_and_xlsx(api: Api) -> None:
    admin, _, _ = await summary_fixture(api)
    for params, param in (
        ({"columns": ["kind"]}, "parameters[columns]"),
        ({"format": "xlsx"}, "parameters[format]"),
    ):
        body = {
            "report_type": "accounting.datev",
            "parameters": {"interval_start": 1, "interval_end": 2} | params,
        }
        response = await api.client.post("/v1/reporting/report_runs", json=body, headers=admin)
        assert response.status_code == 400
        assert response.json()["error"]["param"] == param
