"""Run ``payments worker`` in separate processes (several workers, one database)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def worker_processes(
    database_url: str,
    count: int,
    *,
    extra_env: dict[str, str] | None = None,
    log_dir: Path | None = None,
) -> Iterator[list[subprocess.Popen[bytes]]]:
    env = (
        os.environ
        | {
            "PAYMENTS_DATABASE_URL": database_url,
            "PAYMENTS_SEED_SAMPLE_DATA": "false",
            "PAYMENTS_LOG_LEVEL": "WARNING",
        }
        | (extra_env or {})
    )
    procs: list[subprocess.Popen[bytes]] = []
    logs = []
    try:
        for i in range(count):
            log = open(log_dir / f"worker-{i}.log" if log_dir else os.devnull, "wb")  # noqa: SIM115
            logs.append(log)
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "payments.app.cli", "worker"],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        for log in logs:
            log.close()
