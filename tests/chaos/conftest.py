"""One chaos cluster per session: a fresh PostgreSQL database, a 2-process uvicorn
server, a ``payments worker`` process and a webhook receiver (see support.chaos)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from payments.platform.db import migrate
from support.chaos import FAST_LEASES, Cluster, running_cluster
from support.databases import postgres_available, postgres_database
from support.receiver import Receiver, running_receiver


@pytest.fixture(scope="session")
def chaos_database() -> Iterator[str]:
    if not postgres_available():
        pytest.skip("the chaos suite runs real server processes on PostgreSQL")
    with postgres_database("payments_chaos") as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def chaos_receiver() -> Iterator[Receiver]:
    with running_receiver() as receiver:
        yield receiver


@pytest.fixture(scope="session")
async def cluster(
    chaos_database: str, chaos_receiver: Receiver, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Cluster]:
    log_dir: Path = tmp_path_factory.mktemp("chaos")
    async with running_cluster(chaos_database, log_dir, chaos_receiver, **FAST_LEASES) as running:
        yield running
