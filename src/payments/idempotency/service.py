"""Idempotency keys on mutating requests, Stripe's rules.

- Same key, same request (method, path and body) within the TTL: the first
  response is replayed.
- Same key, different request: ``400 idempotency_error``.
- Same key while the first request is still running: ``409
  idempotency_key_in_use``; so two concurrent requests never both execute,
  across any number of server processes (the claim is a unique-constraint
  insert, and the follow-up read locks the row).
- The claim is a lease that follows the life of its holder: ``locked_at`` is
  the last time the holder renewed it, and the request renews it every
  ``renew`` seconds while it works (:meth:`IdempotencyService.hold`). A key
  whose lease has not been renewed for ``lock_seconds`` (10 s by default)
  belongs to a process that died (SIGKILL, OOM, lost host) and is taken over by
  the next retry. Renewal is a compare-and-set on ``locked_at``, so a holder
  that lost its lease (it stalled past the term and a retry took over) never
  takes it back.
- A request that creates an object records it on its key in the same transaction
  (:func:`remember_created`). When a process dies mid-request and a retry takes
  the key over, the use case finds that object (:func:`created_earlier`) and
  resumes it instead of creating (and charging) a second one.
- Responses that mean "nothing happened" are not saved (validation errors,
  401/403/409/429, 502 ``gateway_unavailable``), so the client can fix the
  request and retry the key. A key that recorded an object its request created
  (a create+confirm whose charge never reached the gateway) keeps that recovery
  point, unlocked: the retry resumes the same object instead of creating a
  second one (found by the chaos suite, seed 3000009). Any other 5xx IS saved, as at Stripe: the request
  may have charged the customer before it failed, and re-running it under the
  same key could charge them again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from payments.idempotency.repository import IdempotencyRepository
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import Conflict, IdempotencyError, InvalidRequest
from payments.platform.config import Settings
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.platform.logs import get_logger

MAX_KEY_LENGTH = 255
log = get_logger("payments.idempotency")


@dataclass(frozen=True, slots=True)
class Proceed:
    record_id: int
    locked_at: datetime  # the lease as claimed; renewals compare-and-set from it


@dataclass(frozen=True, slots=True)
class Replay:
    status: int
    body: bytes


class IdempotencyService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        *,
        ttl: timedelta,
        lock: timedelta,
        renew: timedelta | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._ttl = ttl
        self._lock = lock
        self._renew = renew if renew is not None else lock / 3

    @classmethod
    def from_settings(
        cls, settings: Settings, uow_factory: UnitOfWorkFactory, clock: Clock
    ) -> IdempotencyService:
        return cls(
            uow_factory,
            clock,
            ttl=timedelta(hours=settings.idempotency_ttl_hours),
            lock=timedelta(seconds=settings.idempotency_lock_seconds),
            renew=timedelta(seconds=settings.idempotency_lease_renew_seconds),
        )

    async def begin(
        self, *, api_key_id: str, key: str, method: str, path: str, request_hash: str
    ) -> Proceed | Replay:
        if not key or len(key) > MAX_KEY_LENGTH:
            raise InvalidRequest(
                f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters",
                code="idempotency_key_invalid",
            )
        now = self._clock.now()
        fresh = {
            "method": method,
            "path": path,
            "request_hash": request_hash,
            "status": "in_progress",
            "response_status": None,
            "response_body": None,
            "locked_at": now,
            "resource_type": None,
            "resource_id": None,
            "created": now,
        }
        async with self._uow_factory() as uow:
            repo = uow.repo(IdempotencyRepository)
            record_id = await repo.try_insert({"api_key_id": api_key_id, "key": key, **fresh})
            if record_id is not None:
                await uow.commit()
                return Proceed(record_id, now)
            row = await repo.get_for_update(api_key_id, key)
            if row is None:  # deleted between insert and read: the client may retry at once
                raise Conflict(
                    "A request with this Idempotency-Key just finished; retry.",
                    code="idempotency_key_in_use",
                )
            if row.created < now - self._ttl:
                await repo.update(row.id, **fresh)
                await uow.commit()
                return Proceed(row.id, now)
            if (row.method, row.path, row.request_hash) != (method, path, request_hash):
                raise IdempotencyError(
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with. Try using a key other than "
                    f"'{key}' if you meant to execute a different request.",
                    code="idempotency_error",
                )
            if row.status == "completed":
                return Replay(status=row.response_status, body=row.response_body or b"")
            if row.locked_at is None or row.locked_at < now - self._lock:
                # released with a recovery point (the request created an object, then
                # failed having done nothing more), or the holder stopped renewing its
                # lease (it is dead): resume its request
                await repo.update(row.id, locked_at=now)
                await uow.commit()
                return Proceed(row.id, now)
        raise Conflict(
            "There is currently another in-progress request using this Idempotency-Key. "
            "Retry after it has completed.",
            code="idempotency_key_in_use",
        )

    async def renew(self, record_id: int, held_since: datetime) -> datetime | None:
        """Renew a lease held since ``held_since``; the new lease time, or None if lost."""
        now = self._clock.now()
        async with self._uow_factory() as uow:
            renewed = await uow.repo(IdempotencyRepository).renew(record_id, held_since, now)
            await uow.commit()
        return now if renewed else None

    @contextlib.asynccontextmanager
    async def hold(self, claim: Proceed) -> AsyncIterator[None]:
        """Keep the lease of ``claim`` alive while the body runs (a background task renews
        it every ``renew``); a request finishing within one period never writes."""
        task = asyncio.create_task(self._keep_renewing(claim))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _keep_renewing(self, claim: Proceed) -> None:
        held_since = claim.locked_at
        while True:
            await asyncio.sleep(self._renew.total_seconds())
            try:
                renewed = await self.renew(claim.record_id, held_since)
            except Exception:  # the database blinked: try again next period
                log.warning("idempotency_lease_not_renewed", record=claim.record_id, exc_info=True)
                continue
            if renewed is None:
                log.warning("idempotency_lease_taken_over", record=claim.record_id)
                return
            held_since = renewed

    async def complete(self, record_id: int, status: int, body: bytes) -> None:
        async with self._uow_factory() as uow:
            await uow.repo(IdempotencyRepository).update(
                record_id,
                status="completed",
                response_status=status,
                response_body=body,
                locked_at=None,
            )
            await uow.commit()

    async def release(self, record_id: int) -> None:
        """The request did nothing the client must not repeat: the key is free at once. A
        key with a recovery point keeps it, so the retry resumes the object created."""
        async with self._uow_factory() as uow:
            await uow.repo(IdempotencyRepository).release(record_id)
            await uow.commit()

    async def purge_expired(self) -> int:
        async with self._uow_factory() as uow:
            count = await uow.repo(IdempotencyRepository).purge_older_than(
                self._clock.now() - self._ttl
            )
            await uow.commit()
        return count


async def created_earlier(uow: UnitOfWork, ctx: RequestContext, resource_type: str) -> str | None:
    """The object an earlier run of this very request created, if it got that far."""
    if ctx.idempotency_key is None:
        return None
    repo = uow.repo(IdempotencyRepository)
    return await repo.resource(ctx.principal.api_key_id, ctx.idempotency_key, resource_type)


async def remember_created(
    uow: UnitOfWork, ctx: RequestContext, resource_type: str, resource_id: str
) -> None:
    """Record the object this request created on its idempotency key (same transaction)."""
    if ctx.idempotency_key is None:
        return
    repo = uow.repo(IdempotencyRepository)
    await repo.set_resource(
        ctx.principal.api_key_id, ctx.idempotency_key, resource_type, resource_id
    )
