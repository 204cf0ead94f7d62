"""The background worker: a loop over registered jobs.

A job is an async callable taking the container and returning how much work it
did (0 when idle). Jobs must be safe with several workers on several machines:
each claims its rows with ``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL) or
runs under SQLite's single writer, and every effect is idempotent.

``payments worker`` runs this loop in its own process; on the embedded default
``payments serve`` runs it inside the API process.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from payments.app.bootstrap import Container
from payments.platform.logs import get_logger

log = get_logger("payments.worker")

JobFn = Callable[[Container], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    run: JobFn
    every_seconds: float


JOBS: list[Job] = []


def job(name: str, *, every_seconds: float) -> Callable[[JobFn], JobFn]:
    """Register a job with the worker."""

    def register(fn: JobFn) -> JobFn:
        JOBS.append(Job(name=name, run=fn, every_seconds=every_seconds))
        return fn

    return register


async def run_once(container: Container, *, only: set[str] | None = None) -> dict[str, int]:
    """Run every (or the named) job once; tests drive the worker with this and a FrozenClock."""
    load_jobs()
    done: dict[str, int] = {}
    for j in JOBS:
        if only is None or j.name in only:
            done[j.name] = await j.run(container)
    return done


async def run_forever(container: Container, stop: asyncio.Event) -> None:
    load_jobs()
    loop = asyncio.get_running_loop()
    next_due = {j.name: 0.0 for j in JOBS}
    log.info("worker_started", jobs=[j.name for j in JOBS])
    while not stop.is_set():
        now = loop.time()
        for j in JOBS:
            if next_due[j.name] > now:
                continue
            try:
                count = await j.run(container)
            except Exception:
                log.exception("job_failed", job=j.name)
                count = 0
            if count:
                log.info("job_done", job=j.name, count=count)
            # a busy job runs again at once; an idle one waits its interval
            next_due[j.name] = now if count else now + j.every_seconds
        wait = max(0.0, min(next_due.values()) - loop.time())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=min(wait, 1.0) or 0.01)
    log.info("worker_stopped")


def load_jobs() -> None:
    """Import the modules that register jobs (kept explicit: nothing runs at import time)."""
    from payments.app import jobs  # noqa: F401
