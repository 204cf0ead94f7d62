"""The ``payments`` command as a real subprocess against a test database."""

from __future__ import annotations

import os
import subprocess
import sys


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
