"""Delivering events to webhook endpoints, from the outbox (the ``events`` table).

Two steps, each run by the worker (several workers on several machines may run them
at once; see :mod:`payments.webhooks.repository.deliveries`):

1. :func:`dispatch_events` fans each new event out: one ``pending`` delivery per
   enabled endpoint that receives it, in the same transaction that marks the event
   dispatched, so an event is fanned out exactly once and never lost.
2. :func:`deliver_due` leases a batch of due deliveries (claim transaction,
   committed), sends them concurrently with no transaction open, then records
   every outcome in one short transaction: success, or a retry time from the
   schedule in :mod:`payments.webhooks.domain.delivery`, or ``failed`` after 3 days.
   An endpoint failing without a success for 5 days is disabled, with an event and an
   audit record (actor: system).

Every time decision uses the injected clock, so tests travel in time.
"""

from __future__ import annotations

import asyncio
import random
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

import orjson

from payments.audit.service import record_audit
from payments.events.render import event_object
from payments.events.service import record_event
from payments.kernel.clock import Clock, to_unix
from payments.kernel.context import SYSTEM
from payments.kernel.ids import id_for
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.platform.logs import get_logger
from payments.webhooks.adapters.signing import webhook_headers
from payments.webhooks.domain.delivery import (
    DISABLE_AFTER,
    AttemptOutcome,
    DeliveryStatus,
    WebhookDelivery,
    after_attempt,
)
from payments.webhooks.render import webhook_endpoint_object
from payments.webhooks.repository.deliveries import Claim, WebhookDeliveryRepository
from payments.webhooks.repository.endpoints import WebhookEndpointRepository

log = get_logger("payments.webhooks")

DISPATCH_BATCH = 500
# A claimed batch is sent concurrently, each send cut off at the sender's timeout, then
# recorded: the lease is the timeout plus this margin (at least 5 s, or the timeout again)
# for recording the outcomes. A worker that dies holding a lease delays those deliveries
# by that much, not more: the chaos suite found a 60 s margin outlasting its 60 s check
# (seeds 20000179, 20000182, 20000211). A lease that runs out under a worker too slow to
# record in time only risks a duplicate delivery, which receivers must tolerate anyway.
MIN_LEASE_MARGIN = timedelta(seconds=5)


def lease_for(timeout_seconds: float) -> timedelta:
    """How long a worker holds the deliveries it claimed."""
    timeout = timedelta(seconds=timeout_seconds)
    return timeout + max(timeout, MIN_LEASE_MARGIN)


class Sender(Protocol):
    timeout: float

    async def send(self, url: str, body: bytes, headers: dict[str, str]) -> AttemptOutcome: ...


async def dispatch_events(
    *, uow_factory: UnitOfWorkFactory, clock: Clock, limit: int = DISPATCH_BATCH
) -> int:
    """Fan a batch of new events out to the endpoints that receive them; how many events."""
    async with uow_factory() as uow:
        pending = await uow.repo(WebhookDeliveryRepository).undispatched_events(limit)
        if not pending:
            return 0
        now = clock.now()
        endpoints = await uow.repo(WebhookEndpointRepository).enabled()
        deliveries = [
            WebhookDelivery(
                id=id_for("webhook_delivery"),
                endpoint_id=endpoint.id,
                event_id=event.id,
                event_type=event.type,
                created=now,
                next_attempt_at=now,
            )
            for event in pending
            for endpoint in endpoints
            if endpoint.receives(
                event.type,
                location_id=event.location_id,
                livemode=event.livemode,
                created=event.created,
            )
        ]
        await uow.repo(WebhookDeliveryRepository).add_many(deliveries)
        await uow.repo(WebhookDeliveryRepository).mark_dispatched([e.id for e in pending], now)
        await uow.commit()
    return len(pending)


async def deliver_due(
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    sender: Sender,
    batch_size: int = 100,
    rand: Callable[[], float] = random.random,
) -> int:
    """Send one batch of due deliveries; how many were attempted (0 when none were due)."""
    now = clock.now()
    async with uow_factory() as uow:
        claims = await uow.repo(WebhookDeliveryRepository).claim_due(
            now=now,
            limit=batch_size,
            lease_until=now + lease_for(sender.timeout),
            lease_token=secrets.token_hex(16),
        )
        signing = await uow.repo(WebhookEndpointRepository).signing_secrets(
            {c.endpoint_id for c in claims}, now
        )
        await uow.commit()
    if not claims:
        return 0
    # no transaction is open from here until the outcomes are recorded
    outcomes = await asyncio.gather(
        *(_attempt(c, signing.get(c.endpoint_id, []), sender, clock) for c in claims)
    )
    await _record(claims, outcomes, uow_factory=uow_factory, clock=clock, rand=rand)
    return len(claims)


async def _attempt(
    claim: Claim, signing_secrets: Sequence[str], sender: Sender, clock: Clock
) -> AttemptOutcome:
    body = orjson.dumps(event_object(claim.event))
    if not signing_secrets:  # cannot happen through the API; refuse rather than send unsigned
        return AttemptOutcome(0, error_code="no_secret", error_message="Endpoint has no secret.")
    headers = webhook_headers(signing_secrets, claim.event.id, to_unix(clock.now()), body)
    return await sender.send(claim.url, body, headers)


async def _record(
    claims: Sequence[Claim],
    outcomes: Sequence[AttemptOutcome],
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    rand: Callable[[], float],
) -> None:
    now = clock.now()
    rows: list[dict[str, Any]] = []
    succeeded: set[str] = set()
    failed: set[str] = set()
    for claim, outcome in zip(claims, outcomes, strict=True):
        state = after_attempt(
            created=claim.created,
            attempts_before=claim.attempts,
            outcome=outcome,
            now=now,
            rand=rand(),
        )
        (succeeded if outcome.succeeded else failed).add(claim.endpoint_id)
        rows.append(
            {
                "b_id": claim.delivery_id,
                "b_token": claim.lease_token,
                "status": state.status.value,
                "attempts": state.attempts,
                "next_attempt_at": state.next_attempt_at,
                "last_attempt_at": now,
                "response_status": outcome.status_code,
                "latency_ms": outcome.latency_ms,
                "response_body": outcome.body,
                "error_code": outcome.error_code,
                "error_message": outcome.error_message,
            }
        )
        if state.status is DeliveryStatus.failed:
            log.warning(
                "webhook_delivery_failed",
                delivery_id=claim.delivery_id,
                endpoint_id=claim.endpoint_id,
                event_id=claim.event.id,
                attempts=state.attempts,
            )
    async with uow_factory() as uow:
        await uow.repo(WebhookDeliveryRepository).record_outcomes(rows)
        await uow.repo(WebhookEndpointRepository).record_health(
            succeeded=succeeded, failed=failed - succeeded, now=now
        )
        await _disable_failing(uow, failed - succeeded, now=now, clock=clock)
        await uow.commit()


async def _disable_failing(
    uow: UnitOfWork, endpoint_ids: set[str], *, now: datetime, clock: Clock
) -> None:
    for endpoint in await uow.repo(WebhookEndpointRepository).failing_since_before(
        endpoint_ids, now - DISABLE_AFTER
    ):
        if not await uow.repo(WebhookEndpointRepository).disable(endpoint.id):
            continue  # another worker disabled it first
        disabled = webhook_endpoint_object(endpoint) | {"status": "disabled"}
        await record_event(
            uow,
            "webhook_endpoint.disabled",
            disabled,
            ctx=SYSTEM,
            clock=clock,
            location_id=endpoint.location_id,
            previous_attributes={"status": "enabled"},
        )
        await record_audit(
            uow,
            "webhook_endpoint.disabled",
            object_type="webhook_endpoint",
            object_id=endpoint.id,
            ctx=SYSTEM,
            clock=clock,
            before={"status": "enabled", "failing_since": to_unix(endpoint.failing_since or now)},
            after={"status": "disabled"},
            location_id=endpoint.location_id,
        )
        log.warning(
            "webhook_endpoint_disabled", endpoint_id=endpoint.id, since=endpoint.failing_since
        )
