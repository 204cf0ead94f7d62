"""Idempotency keys, shared by every process using one simulator database.

Stripe's rules: the first request with a key stores its response; a repeat
with the same parameters gets that response replayed verbatim (even if the
object changed since); a repeat with other parameters (or on another
endpoint) is an ``idempotency_error``. Requests refused by validation store
nothing. The key row is inserted *first* in the operation's transaction, so a
concurrent request with the same key waits on the unique index (PostgreSQL)
or on the write lock (SQLite), then replays. A charge on PostgreSQL
(:meth:`Idempotency.run_with_faults`) inserts the key *last*, with its response and
in the statement that reads whether a fault is set: a concurrent claim still waits
on the unique index, and then rolls its work back and replays.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextlib import suppress
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.gateways.codec import decode, encode, request_hash
from payments.gateways.protocol import GatewayInvalidRequest, IdempotencyKeyReused
from payments.platform.db.fast import Fast

from .events import EventLog, Outbox
from .faults import FaultPlan, Faults, probe_faults
from .store import SimulatorStore, idempotency

T = TypeVar("T")
Work = Callable[[AsyncConnection, Outbox], Awaitable[T]]


_STORED = sa.select(
    idempotency.c.operation, idempotency.c.request_hash, idempotency.c.response
).where(idempotency.c.key == sa.bindparam("k"))
_STORE_RESPONSE = idempotency.update().where(idempotency.c.key == sa.bindparam("k"))


@cache
def _claim_statement(postgres: bool) -> Any:
    insert = pg_insert if postgres else sqlite_insert
    return (
        insert(idempotency)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(idempotency.c.id)
    )


_ANSWERED_CLAIM = Fast(  # PostgreSQL: the key claimed with its response, and whether a
    pg_insert(idempotency)  # fault is set
    .on_conflict_do_nothing(index_elements=["key"])
    .returning(idempotency.c.id, probe_faults())
)


class _Unusual(Exception):
    """The one-statement path cannot answer (key taken, fault set): its work is rolled
    back and the call runs the claim-first path."""


class _KeyTaken(Exception):
    """Another transaction committed the same key first; replay from it."""


def check_key(key: str | None) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > 255:
        raise GatewayInvalidRequest(
            "An idempotency key of 1 to 255 characters is required.",
            code="parameter_invalid_string",
            param="idempotency_key",
        )
    return key


class Idempotency:
    def __init__(self, store: SimulatorStore, event_log: EventLog) -> None:
        self._store = store
        self._events = event_log

    async def run(
        self,
        *,
        key: str | None,
        operation: str,
        params: Mapping[str, Any],
        result_type: type[T],
        now: datetime,
        work: Work[T],
    ) -> T:
        """Run ``work`` once per key in its own committed transaction (replay otherwise).

        Without a key (only where the protocol allows it) the work just runs.
        """
        digest = request_hash(operation, params)
        for _ in range(2):
            try:
                async with self._store.transaction() as conn:
                    if key is not None:
                        stored = await self._claim(conn, key, operation, digest, now)
                        if stored is not None:
                            return decode(result_type, stored)
                    outbox = Outbox()
                    result = await work(conn, outbox)
                    if key is not None:
                        await conn.execute(_STORE_RESPONSE, {"k": key, "response": encode(result)})
                    await self._events.write(conn, outbox)  # last: it may take the events lock
                    return result
            except _KeyTaken:
                continue
        raise RuntimeError(f"idempotency key {key!r} could not be claimed or replayed")

    async def run_with_faults(
        self,
        faults: Faults,
        *,
        key: str,
        operation: str,
        params: Mapping[str, Any],
        result_type: type[T],
        now: datetime,
        work: Work[T],
    ) -> tuple[T, FaultPlan]:
        """Apply the injected faults of ``operation``, then :meth:`run` with ``key``.

        On PostgreSQL the usual call (a new key, no fault set) costs ONE statement besides
        its work: the work runs first, then the key is inserted with its response, and the
        same statement says whether a fault is set for ``operation``. Anything else -- the
        key taken (a retry, or a concurrent claim: the insert waits for it to commit), a
        fault set, the work raising -- rolls the work back and runs the claim-first path
        after applying the faults, as on SQLite: a fault still takes effect before
        anything is committed, and a replay is still the first response.
        """
        if self._store.is_postgres:
            digest = request_hash(operation, params)
            # rolled back on any exception (a commit that failed with an unknown outcome
            # is replayed by the key): the claim-first path below answers
            with suppress(Exception):
                async with self._store.transaction() as conn:
                    outbox = Outbox()
                    result = await work(conn, outbox)
                    claim = {
                        "key": key,
                        "operation": operation,
                        "request_hash": digest,
                        "response": encode(result),
                        "created": now,
                        "fault_operation": operation,
                    }
                    row = await _ANSWERED_CLAIM.first(conn, claim)
                    if row is None or row.faulted:
                        raise _Unusual
                    await self._events.write(conn, outbox)  # last: it may take the events lock
                return result, FaultPlan()
        plan = await faults.apply(operation)
        result = await self.run(
            key=key,
            operation=operation,
            params=params,
            result_type=result_type,
            now=now,
            work=work,
        )
        return result, plan

    async def _claim(
        self, conn: AsyncConnection, key: str, operation: str, digest: str, now: datetime
    ) -> Mapping[str, Any] | None:
        """Insert the key (None: this request runs), or replay the stored response. A
        concurrent claim of the same key makes the insert wait for it to commit."""
        claim = {"key": key, "operation": operation, "request_hash": digest, "created": now}
        try:  # on a race the transaction is spoilt: leave it and start again
            inserted = await conn.execute(_claim_statement(self._store.is_postgres), claim)
        except IntegrityError as exc:
            raise _KeyTaken from exc
        if inserted.first() is not None:
            return None
        row = (await conn.execute(_STORED, {"k": key})).first()
        if row is None:  # the other claim went away (rolled back): try again
            raise _KeyTaken
        if row.operation != operation or row.request_hash != digest:
            raise IdempotencyKeyReused(key)
        if row.response is None:  # cannot happen: the claim commits with its response
            raise _KeyTaken
        return row.response
