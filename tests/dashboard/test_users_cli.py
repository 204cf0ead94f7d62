"""``payments users create`` and the first dashboard admin printed at first start."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from payments.app.bootstrap import Container
from payments.app.http import FIRST_USER_EMAIL, prepare_embedded
from support.dashboard import sign_in


def run(
    database_url: str, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "payments.app.cli", *args],
        env=os.environ | {"PAYMENTS_DATABASE_URL": database_url},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_users_create_prints_a_generated_password_alone_on_its_last_line(
    database_url: str,
) -> None:
    created = run(
        database_url, "users", "create", "--email", "Ana@Shop.example", "--role", "finance"
    )
    assert created.returncode == 0, created.stderr
    password = created.stdout.strip().splitlines()[-1]
    assert len(password) == 20 and password.isalnum()
    assert "ana@shop.example" in created.stdout  # stored lower-case
    listed = run(database_url, "users", "list")
    assert "ana@shop.example" in listed.stdout and password not in listed.stdout
    again = run(database_url, "users", "create", "--email", "ana@shop.example", "--role", "clerk")
    assert again.returncode == 1 and "exists already" in again.stderr


def test_users_create_reads_the_password_from_stdin(database_url: str) -> None:
    created = run(
        database_url,
        "users",
        "create",
        "--email",
        "ben@shop.example",
        "--role",
        "clerk",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert created.returncode == 0, created.stderr
    assert "a long enough password" not in created.stdout
    short = run(
        database_url,
        "users",
        "create",
        "--email",
        "cem@shop.example",
        "--role",
        "clerk",
        "--password-stdin",
        stdin="short\n",
    )
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    unknown_shop = run(
        database_url,
        "users",
        "create",
        "--email",
        "dan@shop.example",
        "--role",
        "clerk",
        "--location",
        "loc_nope",
    )
    assert unknown_shop.returncode == 1 and "No such location" in unknown_shop.stderr


async def test_the_first_start_prints_a_dashboard_admin_once(
    container: Container, browserless: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    await prepare_embedded(container)
    out = capsys.readouterr().out
    assert "first admin user" in out
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    email, password = lines[-2], lines[-1]
    assert email == FIRST_USER_EMAIL
    assert (await sign_in(browserless, email, password)).status_code == 303
    await prepare_embedded(container)  # a second start creates no other user
    assert "first admin user" not in capsys.readouterr().out
