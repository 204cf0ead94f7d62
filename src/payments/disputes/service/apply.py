"""Disputes as the gateway reports them, their money, and the deadline job.

:func:`apply_dispute_snapshot` creates our dispute on the first news of it
(``charge.dispute.created`` from the simulator's feed, later Stripe's webhooks)
and moves it to the gateway's status afterwards, only along the table in
:mod:`payments.disputes.domain` (never backwards). :func:`move_dispute` posts
the ledger steps: the disputed amount and the dispute fee withdrawn on
entering a formal status, the amount reinstated when won, written off when lost.

The fee may be reported after the funds were withdrawn (Stripe's
``charge.dispute.created`` can precede the withdrawal's balance transaction): a
later view that carries it posts it then. Whenever it is posted, the fee is one
``charge.fee`` transaction keyed by the dispute, so it is posted at most once.

Lock order: the charge, then the dispute (then the audit chain head, last).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, assert_never

from payments.audit.service import record_audit
from payments.disputes.domain import (
    DEFAULT_EVIDENCE_WINDOW,
    Dispute,
    DisputeStatus,
    LedgerStep,
    gateway_allows,
    is_terminal,
    ledger_steps,
    parse_status,
)
from payments.disputes.render import dispute_object
from payments.disputes.repository import DisputeRepository
from payments.events.service import record_event
from payments.gateways.protocol import Dispute as GatewayDispute
from payments.gateways.protocol import GatewayEvent
from payments.intents.domain.model import Charge
from payments.intents.repository import ChargeRepository
from payments.kernel.clock import Clock
from payments.kernel.context import SYSTEM, RequestContext
from payments.kernel.errors import must_exist
from payments.kernel.ids import id_for
from payments.kernel.money import Money
from payments.ledger.domain import postings
from payments.ledger.domain.journal import JournalTransaction, Source
from payments.ledger.repository import LedgerRepository
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.platform.logs import get_logger
from payments.refunds.domain.refund import changed

log = get_logger("payments.disputes")

D = DisputeStatus


async def emit_dispute_event(
    uow: UnitOfWork,
    event_type: str,
    dispute: Dispute,
    *,
    clock: Clock,
    ctx: RequestContext,
    before: dict[str, Any] | None = None,
) -> None:
    after = dispute_object(dispute)
    await record_event(
        uow,
        event_type,
        after,
        ctx=ctx,
        clock=clock,
        location_id=dispute.location_id,
        previous_attributes=changed(before, after) if before else None,
    )


def _fee_postings(dispute: Dispute) -> list[JournalTransaction]:
    """The dispute fee's ``charge.fee`` transaction, keyed by the dispute (so at most one
    is ever posted), or none while the fee is unknown or zero."""
    if not dispute.fee:
        return []
    return [
        postings.charge_fee(
            Money(dispute.fee, dispute.currency),
            source=Source("dispute", dispute.id),
            description=f"dispute fee for {dispute.id}",
        )
    ]


async def _post_steps(
    uow: UnitOfWork,
    dispute: Dispute,
    steps: tuple[LedgerStep, ...],
    *,
    clock: Clock,
) -> list[str]:
    """Post the ledger steps; returns the event types they call for."""
    now = clock.now()
    money, source = Money(dispute.amount, dispute.currency), Source("dispute", dispute.id)
    events: list[str] = []
    for step in steps:
        match step:
            case LedgerStep.WITHDRAWN:
                txs = [postings.dispute_funds_withdrawn(money, source=source)]
                txs += _fee_postings(dispute)
                dispute.funds_withdrawn = True
                events.append("charge.dispute.funds_withdrawn")
            case LedgerStep.REINSTATED:
                txs = [postings.dispute_funds_reinstated(money, source=source)]
                events.append("charge.dispute.funds_reinstated")
            case LedgerStep.LOST:
                txs = [postings.dispute_lost(money, source=source)]
            case _:
                assert_never(step)
        for tx in txs:
            await uow.repo(LedgerRepository).post(tx, when=now, location_id=dispute.location_id)
    return events


async def move_dispute(
    uow: UnitOfWork,
    dispute: Dispute,
    target: DisputeStatus,
    *,
    clock: Clock,
    ctx: RequestContext,
    before: dict[str, Any] | None = None,
) -> None:
    """Move a stored ``dispute`` (locked) to ``target``: ledger, save, events, and an
    audit record when it closes (last). ``before`` is the dispute as clients last saw it,
    when the caller changed it already (the default: as it is now)."""
    current = dispute.status
    before = before or dispute_object(dispute)
    funds = await _post_steps(
        uow, dispute, ledger_steps(current, target, withdrawn=dispute.funds_withdrawn), clock=clock
    )
    dispute.status = target
    if is_terminal(target):
        dispute.closed_at = clock.now()
    await uow.repo(DisputeRepository).save(dispute)
    kind = "charge.dispute.closed" if is_terminal(target) else "charge.dispute.updated"
    await emit_dispute_event(uow, kind, dispute, clock=clock, ctx=ctx, before=before)
    for event_type in funds:
        await emit_dispute_event(uow, event_type, dispute, clock=clock, ctx=ctx)
    if is_terminal(target):
        await _audit_closed(uow, dispute, current, target, clock=clock, ctx=ctx)


async def _audit_closed(
    uow: UnitOfWork,
    dispute: Dispute,
    before: DisputeStatus | None,
    after: DisputeStatus,
    *,
    clock: Clock,
    ctx: RequestContext,
) -> None:
    await record_audit(
        uow,
        "dispute.closed",
        object_type="dispute",
        object_id=dispute.id,
        ctx=ctx,
        clock=clock,
        before={"status": before.value} if before else None,
        after={"status": after.value, "amount": dispute.amount, "currency": dispute.currency},
        location_id=dispute.location_id,
    )


async def apply_dispute_snapshot(
    uow: UnitOfWork,
    charge: Charge,
    snapshot: GatewayDispute,
    *,
    gateway: str,
    clock: Clock,
    ctx: RequestContext,
    evidence_window: timedelta = DEFAULT_EVIDENCE_WINDOW,
) -> Dispute:
    """Create our dispute of ``charge`` (locked) from the gateway's, or move it to the
    gateway's status. Idempotent; a status the table refuses is ignored."""
    reported = parse_status(snapshot.status)
    dispute = await uow.repo(DisputeRepository).by_gateway_ref(
        gateway, snapshot.reference, for_update=True
    )
    if dispute is not None:
        before = dispute_object(dispute)
        current = dispute.status
        # Learn a fee first, so that a withdrawal in this same move posts it with the amount.
        learned = dispute.fee is None and snapshot.fee is not None
        if learned:
            dispute.fee = snapshot.fee
        if reported != current and gateway_allows(current, reported):
            await move_dispute(uow, dispute, reported, clock=clock, ctx=ctx, before=before)
        elif reported != current:
            log.info("ignored_dispute_status", dispute=dispute.id, status=current, gateway=reported)
        if learned and dispute.status == current:  # no move: announce the fee alone
            await uow.repo(DisputeRepository).save(dispute)
            await emit_dispute_event(
                uow, "charge.dispute.updated", dispute, clock=clock, ctx=ctx, before=before
            )
        if learned and dispute.funds_withdrawn:
            # Withdrawn before the fee was known: post it now. If the move above withdrew
            # the funds, it posted the fee already and this (same key) is a no-op.
            for tx in _fee_postings(dispute):
                await uow.repo(LedgerRepository).post(
                    tx, when=clock.now(), location_id=dispute.location_id
                )
        return dispute
    now = clock.now()
    dispute = Dispute(
        id=id_for("dispute"),
        charge_id=charge.id,
        payment_intent_id=charge.payment_intent_id,
        location_id=charge.location_id,
        amount=snapshot.amount,
        currency=snapshot.currency.lower(),
        reason=snapshot.reason,
        status=reported,
        gateway=gateway,
        gateway_ref=snapshot.reference,
        created=now,
        due_by=snapshot.evidence_due_by or now + evidence_window,
        fee=snapshot.fee,
        closed_at=now if is_terminal(reported) else None,
        livemode=charge.livemode,
    )
    funds = await _post_steps(
        uow, dispute, ledger_steps(None, reported, withdrawn=False), clock=clock
    )
    await uow.repo(DisputeRepository).add(dispute)
    if not charge.disputed:
        charge.disputed = True
        await uow.repo(ChargeRepository).save(charge)
    await emit_dispute_event(uow, "charge.dispute.created", dispute, clock=clock, ctx=ctx)
    for event_type in funds:
        await emit_dispute_event(uow, event_type, dispute, clock=clock, ctx=ctx)
    if is_terminal(reported):
        await _audit_closed(uow, dispute, None, reported, clock=clock, ctx=ctx)
    return dispute


async def apply_dispute_event(
    event: GatewayEvent,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: str,
    clock: Clock,
    evidence_window: timedelta = DEFAULT_EVIDENCE_WINDOW,
) -> str | None:
    """A gateway event carrying a dispute snapshot; returns an error text, or None."""
    snapshot = event.dispute
    if snapshot is None:
        raise ValueError(f"gateway event {event.id} ({event.type}) carries no dispute")
    try:
        parse_status(snapshot.status)
    except ValueError as exc:
        return str(exc)
    async with uow_factory() as uow:
        found = await uow.repo(ChargeRepository).by_gateway_ref(gateway, snapshot.charge)
        if found is None:
            return "no charge of ours has this reference"
        charge = must_exist(
            await uow.repo(ChargeRepository).get(found.id, for_update=True), "charge", found.id
        )
        await apply_dispute_snapshot(
            uow,
            charge,
            snapshot,
            gateway=gateway,
            clock=clock,
            ctx=SYSTEM,
            evidence_window=evidence_window,
        )
        await uow.commit()
    return None


async def flag_dispute_deadlines(
    *, uow_factory: UnitOfWorkFactory, clock: Clock, warn_before: timedelta, batch: int = 100
) -> int:
    """Emit ``charge.dispute.deadline_approaching`` once for each dispute awaiting a
    response that is due within ``warn_before``, and mark overdue ones ``past_due``."""
    now = clock.now()
    waiting = [D.NEEDS_RESPONSE.value, D.WARNING_NEEDS_RESPONSE.value]
    async with uow_factory() as uow:
        found = await uow.repo(DisputeRepository).claim_near_deadline(
            waiting, now=now, warn_from=now + warn_before, limit=batch
        )
        for dispute in found:
            before = dispute_object(dispute)
            if dispute.deadline_flagged_at is None:
                dispute.deadline_flagged_at = now
                await emit_dispute_event(
                    uow, "charge.dispute.deadline_approaching", dispute, clock=clock, ctx=SYSTEM
                )
            if dispute.due_by <= now and not dispute.past_due:
                dispute.past_due = True
                await emit_dispute_event(
                    uow, "charge.dispute.updated", dispute, clock=clock, ctx=SYSTEM, before=before
                )
            await uow.repo(DisputeRepository).save(dispute)
        await uow.commit()
    return len(found)


async def sync_dispute_from_gateway(
    dispute_id: str,
    snapshot: GatewayDispute,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> Dispute:
    """Apply the gateway's view of one of our disputes (test helpers, reconciliation)."""
    async with uow_factory() as uow:
        found = must_exist(await uow.repo(DisputeRepository).get(dispute_id), "dispute", dispute_id)
        charge = must_exist(
            await uow.repo(ChargeRepository).get(found.charge_id, for_update=True),
            "charge",
            found.charge_id,
        )
        dispute = await apply_dispute_snapshot(
            uow, charge, snapshot, gateway=found.gateway, clock=clock, ctx=ctx
        )
        await uow.commit()
    return dispute
