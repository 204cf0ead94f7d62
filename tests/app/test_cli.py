"""The ``payments`` command, run as a real subprocess against a real database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from payments.app.bootstrap import Container
from payments.app.cli.ledger import _VerifyProgress
from payments.kernel.money import Money
from payments.ledger.domain import postings
from payments.ledger.domain.journal import Source
from payments.ledger.repository import LedgerRepository
from payments.ledger.tables import ledger_entries
from support.cli import run


def test_apikeys_create_list_revoke(database_url: str) -> None:
    created = run(database_url, "apikeys", "create", "--role", "finance", "--name", "Finance desk")
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("sk_test_") and len(secret) == len("sk_test_") + 40
    key_id = created.stdout.split("key ", 1)[1].split()[0]

    listed = run(database_url, "apikeys", "list")
    assert key_id in listed.stdout and "Finance desk" in listed.stdout
    assert secret not in listed.stdout

    revoked = run(database_url, "apikeys", "revoke", key_id)
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked" in run(database_url, "apikeys", "list").stdout
    again = run(database_url, "apikeys", "revoke", key_id)
    assert again.returncode == 1 and "already revoked" in again.stderr


def test_a_key_cannot_be_restricted_to_an_unknown_shop(database_url: str) -> None:
    result = run(database_url, "apikeys", "create", "--role", "clerk", "--location", "loc_nope")
    assert result.returncode == 1
    assert "No such location" in result.stderr


def test_bad_configuration_fails_with_one_line(database_url: str) -> None:
    result = run(database_url, "apikeys", "list", env={"PAYMENTS_PORT": "not-a-port"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        result.stderr.strip()
    ] and result.stderr.startswith("configuration error: PAYMENTS_PORT:")
    assert "Traceback" not in result.stderr


def test_migrate_applies_and_checks_for_drift(database_url: str) -> None:
    result = run(database_url, "migrate", "--check")
    assert result.returncode == 0, result.stderr
    assert "no drift" in result.stdout


@pytest.mark.parametrize("command", ["serve", "worker", "migrate", "apikeys"])
def test_every_command_has_help(database_url: str, command: str) -> None:
    result = run(database_url, command, "--help")
    assert result.returncode == 0
    assert "Usage:" in result.stdout


async def _seed_ledger(container: Container, payouts: int) -> None:
    async with container.uow_factory() as uow:
        for n in range(payouts):
            await uow.repo(LedgerRepository).post(
                postings.payout_paid(Money(100 + n, "eur"), source=Source("payout", f"po_{n}")),
                when=container.clock.now(),
            )
        await uow.commit()


async def test_ledger_verify_streams_the_book_and_shows_its_progress(
    container: Container, database_url: str
) -> None:
    """``container`` empties the tables; the book is then 5 payouts, read 2 at a time."""
    await _seed_ledger(container, 5)
    ok = await asyncio.to_thread(
        run, database_url, "ledger", "verify", "--batch-size", "2", "--progress-every", "2"
    )
    assert ok.returncode == 0, ok.stderr
    assert "ledger verify: OK" in ok.stdout
    assert ok.stderr.splitlines() == [  # not a terminal: a line every 2 transactions
        "ledger verify: 2 of 5 transactions checked (40%)",
        "ledger verify: 4 of 5 transactions checked (80%)",
    ]
    quiet = await asyncio.to_thread(run, database_url, "ledger", "verify")
    assert (quiet.returncode, quiet.stderr) == (0, "")  # fewer than --progress-every

    async with container.engine.begin() as conn:  # an entry changed by hand, last batch
        last = sa.select(sa.func.max(ledger_entries.c.id)).scalar_subquery()
        await conn.execute(
            sa.update(ledger_entries).where(ledger_entries.c.id == last).values(amount=1)
        )
    broken = await asyncio.to_thread(run, database_url, "ledger", "verify", "--batch-size", "2")
    assert broken.returncode == 1
    assert "balance-sheet entries in eur sum to" in broken.stderr
    assert "FAIL transaction ltx_" in broken.stderr


def test_ledger_verify_progress_on_a_terminal_rewrites_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = _VerifyProgress(1000, tty=True)
    for checked in (1000, 2000, 2500):
        report(checked, 2500)
    report.done()
    assert capsys.readouterr().err == (
        "\rledger verify: 1,000 of 2,500 transactions checked (40%)"
        "\rledger verify: 2,000 of 2,500 transactions checked (80%)"
        "\rledger verify: 2,500 of 2,500 transactions checked (100%)\n"
    )


def _in(
    folder: os.PathLike[str], data_dir: os.PathLike[str], *args: str
) -> subprocess.CompletedProcess[str]:
    """``payments ...`` run from ``folder`` (not the repository) on the embedded default."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYMENTS_")}
    return subprocess.run(
        [sys.executable, "-m", "payments.app.cli", *args],
        env=env | {"PAYMENTS_DATA_DIR": str(data_dir)},
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_command_without_a_migrated_database_says_so_in_one_line(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    result = _in(tmp_path, data_dir, "apikeys", "list")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: no database at {data_dir / 'payments.sqlite3'}")
    assert "payments migrate" in line
    assert not (data_dir / "payments.sqlite3").exists()  # nothing empty was created


def test_the_embedded_database_is_in_the_data_directory_whatever_the_working_directory(
    tmp_path: Path,
) -> None:
    data_dir, one, other = tmp_path / "data", tmp_path / "one", tmp_path / "other"
    one.mkdir()
    other.mkdir()
    migrated = _in(one, data_dir, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert str(data_dir / "payments.sqlite3") in migrated.stdout
    created = _in(other, data_dir, "apikeys", "create", "--role", "admin")
    assert created.returncode == 0, created.stderr
    listed = _in(one, data_dir, "apikeys", "list")
    assert created.stdout.split("key ", 1)[1].split()[0] in listed.stdout
    assert not list(one.iterdir()) and not list(other.iterdir())  # nothing in the cwd
