"""The claim on an idempotency key is a lease that follows the life of its holder.

A request renews its lease while it works, so a slow but living request keeps its key
for as long as it runs; a holder that stops renewing (its process was killed) loses the
key after ``idempotency_lock_seconds``, and a retry takes it over. The clock is injected:
no test here waits on the wall clock. (The same, with a real server process SIGKILLed
while it holds a key: ``tests/chaos/test_idempotency_lease_kill.py``.)
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import sqlalchemy as sa

from payments.app.bootstrap import Container
from payments.idempotency.service import IdempotencyService, Proceed
from payments.idempotency.tables import idempotency_keys
from payments.kernel.clock import FrozenClock
from payments.kernel.errors import Conflict
from payments.platform.config import ConfigurationError, Settings
from support.app import make_settings

LEASE = timedelta(seconds=10)
REQUEST = {"api_key_id": "key_lease", "method": "POST", "path": "/v1/customers"}


def _service(container: Container, clock: FrozenClock) -> IdempotencyService:
    return IdempotencyService(
        container.uow_factory,
        clock,
        ttl=timedelta(hours=24),
        lock=LEASE,
        renew=timedelta(seconds=3),
    )


async def _begin(service: IdempotencyService, key: str) -> Proceed:
    outcome = await service.begin(key=key, request_hash="h", **REQUEST)
    assert isinstance(outcome, Proceed)
    return outcome


async def test_a_renewed_lease_is_not_taken_over_however_long_the_request_runs(
    container: Container, clock: FrozenClock
) -> None:
    service = _service(container, clock)
    claim = await _begin(service, "slow-but-alive")
    held = claim.locked_at
    for _ in range(10):  # 60 s of work, renewed every 6 s (well inside the 10 s lease)
        clock.advance(seconds=6)
        renewed = await service.renew(claim.record_id, held)
        assert renewed is not None
        held = renewed
        with pytest.raises(Conflict) as busy:
            await service.begin(key="slow-but-alive", request_hash="h", **REQUEST)
        assert busy.value.code == "idempotency_key_in_use"


async def test_a_lease_its_holder_stopped_renewing_is_taken_over_after_its_term(
    container: Container, clock: FrozenClock
) -> None:
    service = _service(container, clock)
    dead = await _begin(service, "holder-died")
    clock.advance(LEASE)  # exactly the term: still the holder's
    with pytest.raises(Conflict):
        await service.begin(key="holder-died", request_hash="h", **REQUEST)
    clock.advance(seconds=1)
    retry = await _begin(service, "holder-died")
    assert retry.record_id == dead.record_id  # the same record: its recovery point survives
    # the old holder, if it was only stalled, cannot take the key back
    assert await service.renew(dead.record_id, dead.locked_at) is None
    assert await service.renew(retry.record_id, retry.locked_at) is not None


async def test_a_completed_key_is_no_longer_renewed_and_replays(
    container: Container, clock: FrozenClock
) -> None:
    service = _service(container, clock)
    claim = await _begin(service, "done")
    await service.complete(claim.record_id, 200, b'{"id": "cus_1"}')
    assert await service.renew(claim.record_id, claim.locked_at) is None
    clock.advance(seconds=60)
    replay = await service.begin(key="done", request_hash="h", **REQUEST)
    assert not isinstance(replay, Proceed)
    assert replay.body == b'{"id": "cus_1"}'


async def test_hold_renews_in_the_background_while_the_request_works(
    container: Container, clock: FrozenClock
) -> None:
    service = IdempotencyService(
        container.uow_factory,
        clock,
        ttl=timedelta(hours=24),
        lock=LEASE,
        renew=timedelta(milliseconds=1),  # the renewal period is a real-time period
    )
    claim = await _begin(service, "held")
    async with service.hold(claim):
        clock.advance(seconds=8)
        for _ in range(400):  # until the background task has renewed at the new time
            await asyncio.sleep(0.005)  # yields to the renewing task (its period is 1 ms)
            if await _locked_at(container, claim.record_id) == clock.now():
                break
        assert await _locked_at(container, claim.record_id) == clock.now()
        clock.advance(seconds=8)  # 16 s after the claim, 8 s after the renewal: still held
        with pytest.raises(Conflict):
            await service.begin(key="held", request_hash="h", **REQUEST)


async def _locked_at(container: Container, record_id: int) -> object:
    async with container.engine.connect() as conn:
        query = sa.select(idempotency_keys.c.locked_at).where(idempotency_keys.c.id == record_id)
        return (await conn.execute(query)).scalar_one()


def test_a_renewal_period_too_close_to_the_lease_is_refused() -> None:
    with pytest.raises((ConfigurationError, ValueError)):
        Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url="sqlite+aiosqlite:///x.sqlite3",
            idempotency_lock_seconds=4,
            idempotency_lease_renew_seconds=3,
        )
    assert make_settings("sqlite+aiosqlite:///x.sqlite3").idempotency_lock_seconds == 10
