"""``payments reports run`` and ``payments fx refresh`` as real subprocesses."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from support.app import Api
from support.reports import summary_fixture


def run(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "payments.app.cli", *args],
        env=os.environ | {"PAYMENTS_DATABASE_URL": database_url, "PAYMENTS_LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_reports_run_writes_the_file_with_a_progress_bar(
    api: Api, database_url: str, tmp_path: Path
) -> None:
    _, berlin, _ = await summary_fixture(api)
    out = tmp_path / "payments.csv"
    done = run(
        database_url,
        "reports",
        "run",
        "payments.itemized",
        "--from",
        "2024-12-28",
        "--to",
        "2024-12-31",
        "--location",
        berlin["id"],
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    assert "succeeded, 1 row(s)" in done.stdout
    assert "payments.itemized" in done.stdout  # the progress bar's description
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert [(r["location"], r["gross"], r["fee"]) for r in rows] == [
        (berlin["id"], "100.00", "3.50")
    ]
    bad = run(
        database_url,
        "reports",
        "run",
        "ledger.journal",
        "--from",
        "2024-12-31",
        "--to",
        "2024-12-01",
    )
    assert bad.returncode == 1 and "interval_end" in bad.stderr


def test_fx_refresh_is_off_unless_a_url_is_configured(database_url: str) -> None:
    result = run(database_url, "fx", "refresh")
    assert result.returncode == 1
    assert "No FX refresh URL is configured" in result.stderr
