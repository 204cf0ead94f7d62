"""The background worker: a loop over registered jobs.

A job is an async callable taking the container (typed by the job with the runtime
protocol it needs) and returning how much work it did (0 when idle). Capabilities
declare their jobs with :func:`job` in their ``jobs`` module; the composition root
lists them (``payments.app.capabilities.JOBS``) and hands them to the runner. Jobs must be safe with several workers on several machines:
each claims its rows with ``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL) or
runs under SQLite's single writer, and every effect is idempotent.

``payments worker`` runs this loop in its own process; on the embedded default
``payments serve`` runs it inside the API process.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from payments.platform.logs import get_logger

log = get_logger("payments.worker")

JobFn = Callable[[Any], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    run: JobFn
    every_seconds: float


def job(name: str, *, every_seconds: float) -> Callable[[JobFn], Job]:
    """Declare a worker job (registered by listing it in the composition root)."""

    def declare(fn: JobFn) -> Job:
        return Job(name=name, run=fn, every_seconds=every_seconds)

    return declare


async def run_once(
    container: object, jobs: Sequence[Job], *, only: set[str] | None = None
) -> dict[str, int]:
    """Run every (or the named) job once; tests drive the worker with this and a FrozenClock."""
    done: dict[str, int] = {}
    for j in jobs:
        if only is None or j.name in only:
            done[j.name] = await j.run(container)
    return done


async def run_forever(container: object, jobs: Sequence[Job], stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    next_due = {j.name: 0.0 for j in jobs}
    log.info("worker_started", jobs=[j.name for j in jobs])
    while not stop.is_set():
        now = loop.time()
        for j in jobs:
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
        wait = max(0.0, min(next_due.values(), default=1.0) - loop.time())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=min(wait, 1.0) or 0.01)
    log.info("worker_stopped")
