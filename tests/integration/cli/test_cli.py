"""The ``payments`` command, run as a real subprocess against a real database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(
    database_url: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "payments.app.cli", *args],
        env=os.environ | {"PAYMENTS_DATABASE_URL": database_url} | (env or {}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


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
