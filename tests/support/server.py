"""Run the real service under uvicorn in child processes, on a free loopback port."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn


class _InLoopServer(uvicorn.Server):
    """uvicorn without its signal handlers: Ctrl-C stays pytest's."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serving_in_loop(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app on a real loopback socket as a task of the running loop (it
    shares the test's objects); yield ``http://127.0.0.1:PORT``."""
    port = free_port()
    server = _InLoopServer(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    if not server.started:
        task.result() if task.done() else task.cancel()
        raise RuntimeError("the app did not start serving")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(database_url: str, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a test server or worker process on ``database_url``."""
    return (
        dict(os.environ)
        | {
            "PAYMENTS_DATABASE_URL": database_url,
            "PAYMENTS_EMBEDDED_WORKER": "false",
            "PAYMENTS_SEED_SAMPLE_DATA": "false",
            "PAYMENTS_RATE_LIMIT_PER_SECOND": "0",
            "PAYMENTS_LOG_LEVEL": "WARNING",
        }
        | (extra_env or {})
    )


def uvicorn_command(port: int, *, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "payments.asgi:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
    ]


@dataclass(frozen=True)
class ServerProcess:
    base_url: str
    process: subprocess.Popen[bytes]  # leads its own process group (kill it with os.killpg)


@contextmanager
def running_server(
    database_url: str,
    *,
    workers: int = 2,
    extra_env: dict[str, str] | None = None,
    log_path: Path | None = None,
    startup_timeout: float = 30.0,
) -> Iterator[str]:
    """Start ``uvicorn payments.asgi:app`` with ``workers`` processes; yield its base URL."""
    with server_process(
        database_url,
        workers=workers,
        extra_env=extra_env,
        log_path=log_path,
        startup_timeout=startup_timeout,
    ) as server:
        yield server.base_url


@contextmanager
def server_process(
    database_url: str,
    *,
    workers: int = 2,
    extra_env: dict[str, str] | None = None,
    log_path: Path | None = None,
    startup_timeout: float = 30.0,
) -> Iterator[ServerProcess]:
    """Like :func:`running_server`, but yield the process too (crash tests kill it)."""
    port = free_port()
    env = server_env(database_url, extra_env)
    log = open(log_path or os.devnull, "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        uvicorn_command(port, workers=workers),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start in time")
            time.sleep(0.1)  # waiting for a child process to bind, not timing behaviour
        yield ServerProcess(base, proc)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
