#!/usr/bin/env python3
"""Two commands for a fresh machine with only Python (>= 3.11):

    python3 dev.py serve   # install, then run the service on the embedded default
    python3 dev.py test    # install test dependencies, lint, type-check, run the whole suite
    python3 dev.py audit   # pip-audit the installed dependencies (needs network access)

Both create ``.venv`` beside this file on first use and reinstall only when
``pyproject.toml`` changes. Extra arguments are passed on (``dev.py test -k idem``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def sh(*args: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        sys.exit(result.returncode)


def ensure_installed(extra: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be run by an older python3
        sys.exit(f"Python 3.11 or newer is needed (found {sys.version.split()[0]})")
    if not PY.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    spec = ".[test]" if extra == "test" else "."
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + spec.encode()).hexdigest()
    stamp = VENV / f".installed-{extra}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    sh(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    sh(PY, "-m", "pip", "install", "--quiet", "-e", spec)
    stamp.write_text(digest)


def serve(args: list[str]) -> None:
    ensure_installed("serve")
    os.execv(BIN / "payments", [str(BIN / "payments"), "serve", *args])


def ensure_chromium() -> None:
    """Debian's Chromium for the real-browser tests (tests/browser), installed when missing.

    Playwright drives it with ``launch(executable_path=...)``; without it those tests skip
    with the reason, except on CI (CI=true), where they fail.
    """
    if os.environ.get("PAYMENTS_TEST_CHROMIUM") or shutil.which("chromium"):
        return
    apt = shutil.which("apt-get")
    if apt is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
        print(
            "Chromium is not installed and cannot be installed here (needs root and "
            "apt-get): the browser tests will be skipped",
            flush=True,
        )
        return
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    sh(apt, "-qq", "update", env=env)
    sh(apt, "install", "-y", "-qq", "chromium", env=env)


def test(args: list[str]) -> None:
    ensure_installed("test")
    ensure_chromium()
    sh(BIN / "ruff", "check", "src", "tests", "bench", "dev.py")
    sh(BIN / "ruff", "format", "--check", "src", "tests", "bench", "dev.py")
    sh(BIN / "lint-imports")
    sh(BIN / "mypy")  # files and strictness per module: [tool.mypy] in pyproject.toml
    sh(PY, "-m", "pytest", *args)


def audit(args: list[str]) -> None:
    """Known vulnerabilities in the dependencies as installed (pip-audit against the
    PyPI/OSV advisory databases). It needs to reach those services: where it cannot, it
    fails (exit 1) saying so; it never reports "no vulnerabilities" without checking."""
    ensure_installed("test")
    auditor = BIN / "pip-audit"
    if not auditor.exists():
        sh(PY, "-m", "pip", "install", "--quiet", "pip-audit>=2.7")
    result = subprocess.run(
        [str(auditor), "--strict", "--progress-spinner", "off", "--skip-editable", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.returncode == 0:
        return
    text = result.stdout + result.stderr
    unreachable = (
        "ConnectionError",
        "Max retries",
        "Failed to establish",
        "Name or service",
        "could not be audited",  # what it says when PyPI's JSON API does not answer
    )
    if any(marker in text for marker in unreachable):
        sys.exit(
            "dev.py audit: the vulnerability service could not be reached, so NOTHING was "
            "checked; run it where PyPI's advisory API (pypi.org) is reachable"
        )
    sys.exit(result.returncode)


def main() -> None:
    commands = {"serve": serve, "test": test, "audit": audit}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
