"""The ``payments`` command, run as a real subprocess against a real database."""

from __future__ import annotations

import os
import subprocess
import sys

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
