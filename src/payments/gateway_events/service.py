"""Asynchronous gateway news: SEPA settlements, 3-D Secure results, disputes, refunds,
early fraud warnings.

The simulator is polled (its ``list_events``); Stripe pushes webhooks
(``POST /webhooks/stripe``). Every event is first stored once by its gateway id
(a duplicate is acknowledged and ignored), then applied: for a charge the
object is re-fetched from the gateway and our records brought up to its
*current* view; refund and dispute snapshots are applied only forwards. So
events that arrive late, twice or out of order can never move an object
backwards. The webhook receiver only stores (it answers fast);
:func:`process_pending_gateway_events` (a worker job) applies what is stored.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from payments.disputes.domain import DEFAULT_EVIDENCE_WINDOW
from payments.disputes.service.apply import apply_dispute_event
from payments.fraud.service.early_fraud_warnings import apply_early_fraud_warning
from payments.gateway_events.repository import GatewayEventRepository
from payments.gateways.codec import decode, encode
from payments.gateways.protocol import GatewayEvent, PaymentGateway
from payments.intents.repository import ChargeRepository
from payments.intents.service.flow import sync_charge_from_gateway
from payments.kernel.clock import Clock
from payments.kernel.context import SYSTEM
from payments.platform.db.uow import UnitOfWorkFactory
from payments.platform.logs import get_logger
from payments.refunds.service.apply import apply_refund_event
from payments.terminal.service.apply import apply_reader_event

log = get_logger("payments.gateway_events")

LEASE = timedelta(seconds=60)
# an event that matches none of our objects yet is retried this often, for this long
UNMATCHED_RETRY_DELAY = timedelta(minutes=1)
UNMATCHED_RETRY_WINDOW = timedelta(days=3)


async def record_gateway_event(
    event: GatewayEvent, *, uow_factory: UnitOfWorkFactory, gateway: str, clock: Clock
) -> bool:
    """Store an event (its whole snapshot) once by id; False for a duplicate."""
    async with uow_factory() as uow:
        new = await uow.repo(GatewayEventRepository).add_once(
            event_id=event.id,
            gateway=gateway,
            type=event.type,
            payload=encode(event),
            received=clock.now(),
        )
        await uow.commit()
    return new


async def apply_gateway_event(
    event: GatewayEvent,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    evidence_window: timedelta = DEFAULT_EVIDENCE_WINDOW,
) -> str | None:
    """Apply one stored event; returns why it could not be applied, if it could not."""
    if event.problem is not None:  # unreadable: reported once, nothing to apply or retry
        log.warning(
            "gateway_event_unreadable", event_id=event.id, type=event.type, problem=event.problem
        )
        async with uow_factory() as uow:
            await uow.repo(GatewayEventRepository).mark(
                event.id, error=event.problem, locked_until=None, processed_at=clock.now()
            )
            await uow.commit()
        return event.problem
    error = None
    if event.reader is not None:  # a reader's action finished: its charge or refund is ours
        error = await apply_reader_event(
            event, uow_factory=uow_factory, gateway=gateway, clock=clock
        )
        if event.refund is not None:  # recorded with the reader's action
            event = replace(event, refund=None)
    if event.charge is not None and error is None:
        async with uow_factory() as uow:
            charge = await uow.repo(ChargeRepository).by_gateway_ref(
                gateway.name, event.charge.reference
            )
        if charge is not None:
            await sync_charge_from_gateway(
                charge.id, None, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=SYSTEM
            )
        else:
            error = "no charge of ours has this reference"
    if event.refund is not None:  # the snapshot, applied only forwards
        error = await apply_refund_event(
            event, uow_factory=uow_factory, gateway=gateway.name, clock=clock
        )
    if event.early_fraud_warning is not None:
        error = await apply_early_fraud_warning(
            event.early_fraud_warning, gateway=gateway.name, uow_factory=uow_factory, clock=clock
        )
    if event.dispute is not None:
        error = await apply_dispute_event(
            event,
            uow_factory=uow_factory,
            gateway=gateway.name,
            clock=clock,
            evidence_window=evidence_window,
        )
    now = clock.now()
    async with uow_factory() as uow:
        events = uow.repo(GatewayEventRepository)
        received = await events.received_at(event.id)
        if error is not None and now - received < UNMATCHED_RETRY_WINDOW:
            # Not ours yet (e.g. the attempt that made it is still being recovered): keep
            # it pending and try again later, rather than dropping the news.
            await events.mark(event.id, error=error, locked_until=now + UNMATCHED_RETRY_DELAY)
        else:
            await events.mark(event.id, error=error, locked_until=None, processed_at=now)
        await uow.commit()
    return error


async def handle_gateway_event(
    event: GatewayEvent,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    evidence_window: timedelta = DEFAULT_EVIDENCE_WINDOW,
) -> bool:
    """Store and apply at once (the poller's path); False for a duplicate. Should the
    process die in between, :func:`process_pending_gateway_events` finishes the job."""
    if not await record_gateway_event(
        event, uow_factory=uow_factory, gateway=gateway.name, clock=clock
    ):
        return False
    await apply_gateway_event(
        event,
        uow_factory=uow_factory,
        gateway=gateway,
        clock=clock,
        evidence_window=evidence_window,
    )
    return True


async def process_pending_gateway_events(
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    evidence_window: timedelta = DEFAULT_EVIDENCE_WINDOW,
    batch: int = 50,
) -> int:
    """Apply stored but unprocessed events (webhooks answered fast, or a crash between
    storing and applying). Rows are claimed with a lease (and ``SKIP LOCKED`` on
    PostgreSQL), so several workers never apply one event at the same time."""
    now = clock.now()
    async with uow_factory() as uow:
        rows = await uow.repo(GatewayEventRepository).claim_pending(
            gateway=gateway.name, now=now, lease_until=now + LEASE, limit=batch
        )
        await uow.commit()
    for payload in rows:
        event = decode(GatewayEvent, payload)
        try:
            await apply_gateway_event(
                event,
                uow_factory=uow_factory,
                gateway=gateway,
                clock=clock,
                evidence_window=evidence_window,
            )
        except Exception as exc:  # one bad event must not hold back the rest of the batch
            log.exception("gateway_event_failed", event_id=event.id, type=event.type)
            async with uow_factory() as uow:
                await uow.repo(GatewayEventRepository).mark(
                    event.id,
                    error=f"{type(exc).__name__}: {exc}"[:500],
                    locked_until=clock.now() + UNMATCHED_RETRY_DELAY,
                )
                await uow.commit()
    return len(rows)


async def poll_gateway_events(
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    limit: int = 100,
    evidence_window: timedelta = DEFAULT_EVIDENCE_WINDOW,
) -> int:
    """Read the gateway's event feed from our stored cursor (one worker at a time)."""
    process_due = getattr(gateway, "process_due", None)
    if process_due is not None:  # the simulator moves scheduled transitions on here
        await process_due()
    now = clock.now()
    async with uow_factory() as uow:
        claimed, cursor = await uow.repo(GatewayEventRepository).claim_cursor(
            gateway=gateway.name, now=now, lease_until=now + LEASE
        )
        await uow.commit()
    if not claimed:
        return 0  # another worker holds the feed
    handled = 0
    try:
        page = await gateway.list_events(after=cursor, limit=limit)
        for event in page.events:
            if await handle_gateway_event(
                event,
                uow_factory=uow_factory,
                gateway=gateway,
                clock=clock,
                evidence_window=evidence_window,
            ):
                handled += 1
            cursor = event.cursor
    finally:
        async with uow_factory() as uow:
            await uow.repo(GatewayEventRepository).release_cursor(
                gateway=gateway.name, cursor=cursor, now=clock.now()
            )
            await uow.commit()
    return handled
