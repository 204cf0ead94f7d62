"""Idempotency keys on mutating requests, Stripe's rules.

- Same key, same request (method, path and body) within the TTL: the first
  response is replayed.
- Same key, different request: ``400 idempotency_error``.
- Same key while the first request is still running: ``409
  idempotency_key_in_use``; so two concurrent requests never both execute,
  across any number of server processes (the claim is a unique-constraint
  insert, and the follow-up read locks the row).
- A key whose request died mid-flight (its process was killed) is taken over
  after ``lock_seconds``.
- A request that creates an object records it on its key in the same transaction
  (:func:`remember_created`). When a process dies mid-request and a retry takes
  the key over, the use case finds that object (:func:`created_earlier`) and
  resumes it instead of creating (and charging) a second one.
- Responses that mean "nothing happened" are not saved (validation errors,
  401/403/409/429, 502 ``gateway_unavailable``), so the client can fix the
  request and retry the key. Any other 5xx IS saved, as at Stripe: the request
  may have charged the customer before it failed, and re-running it under the
  same key could charge them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from payments.idempotency.repository import IdempotencyRepository
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import Conflict, IdempotencyError, InvalidRequest
from payments.platform.config import Settings
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory

MAX_KEY_LENGTH = 255


@dataclass(frozen=True, slots=True)
class Proceed:
    record_id: int


@dataclass(frozen=True, slots=True)
class Replay:
    status: int
    body: bytes


class IdempotencyService:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, clock: Clock, *, ttl: timedelta, lock: timedelta
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._ttl = ttl
        self._lock = lock

    @classmethod
    def from_settings(
        cls, settings: Settings, uow_factory: UnitOfWorkFactory, clock: Clock
    ) -> IdempotencyService:
        return cls(
            uow_factory,
            clock,
            ttl=timedelta(hours=settings.idempotency_ttl_hours),
            lock=timedelta(seconds=settings.idempotency_lock_seconds),
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
                return Proceed(record_id)
            row = await repo.get_for_update(api_key_id, key)
            if row is None:  # deleted between insert and read: the client may retry at once
                raise Conflict(
                    "A request with this Idempotency-Key just finished; retry.",
                    code="idempotency_key_in_use",
                )
            if row.created < now - self._ttl:
                await repo.update(row.id, **fresh)
                await uow.commit()
                return Proceed(row.id)
            if (row.method, row.path, row.request_hash) != (method, path, request_hash):
                raise IdempotencyError(
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with. Try using a key other than "
                    f"'{key}' if you meant to execute a different request.",
                    code="idempotency_error",
                )
            if row.status == "completed":
                return Replay(status=row.response_status, body=row.response_body or b"")
            if row.locked_at is not None and row.locked_at < now - self._lock:
                await repo.update(row.id, locked_at=now)
                await uow.commit()
                return Proceed(row.id)
        raise Conflict(
            "There is currently another in-progress request using this Idempotency-Key. "
            "Retry after it has completed.",
            code="idempotency_key_in_use",
        )

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
        async with self._uow_factory() as uow:
            await uow.repo(IdempotencyRepository).delete(record_id)
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
