"""Moving a refund, with its ledger postings, charge totals, events and audit records.

Every status change of a refund ends here, whoever brings the news: our own
request (approve, reject, cancel), the synchronous answer to a gateway call
(:func:`apply_refund_attempt`, from ``services.attempts.settle_attempt``), the
recovery job replaying that call, or a gateway event (:func:`apply_refund_event`).
Status moves follow only the table in :mod:`payments.refunds.domain.refund`, so the
gateway's view is applied at most once and never backwards; ledger postings
are keyed by (kind, refund), so no path can post a movement twice.

Lock order, everywhere: the charge, then the refund (then the audit chain head,
last). Helpers never commit; the caller owns the unit of work.
"""

from __future__ import annotations

from typing import Any, assert_never

from payments.audit.service import record_audit
from payments.events.service import record_event
from payments.gateways.protocol import GatewayEvent, RefundResult
from payments.intents.domain.model import AttemptOperation, AttemptStatus, Charge, GatewayAttempt
from payments.intents.render import charge_object
from payments.intents.repository import AttemptRepository, ChargeRepository
from payments.kernel.clock import Clock
from payments.kernel.context import SYSTEM, RequestContext
from payments.kernel.errors import must_exist
from payments.kernel.ids import id_for
from payments.kernel.money import Money
from payments.ledger.domain import postings
from payments.ledger.domain.journal import Source
from payments.ledger.repository import LedgerRepository
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.platform.logs import get_logger
from payments.refunds.domain.refund import (
    LedgerStep,
    Outcome,
    Refund,
    RefundStatus,
    changed,
    gateway_reason,
    ledger_steps,
    next_status,
    outcome_of,
)
from payments.refunds.render import refund_object
from payments.refunds.repository import RefundRepository

log = get_logger("payments.refunds")

S = RefundStatus

# audit action of each status a refund may settle in
_AUDIT_ACTIONS = {
    S.SUCCEEDED: "refund.succeeded",
    S.FAILED: "refund.failed",
    S.CANCELED: "refund.canceled",
}


def refund_source(refund: Refund) -> Source:
    return Source("refund", refund.id)


async def audit_refund(
    uow: UnitOfWork,
    action: str,
    refund: Refund,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    clock: Clock,
    ctx: RequestContext,
) -> None:
    await record_audit(
        uow,
        action,
        object_type="refund",
        object_id=refund.id,
        ctx=ctx,
        clock=clock,
        before=before,
        after=after,
        location_id=refund.location_id,
    )


async def send_refund(
    uow: UnitOfWork,
    refund: Refund,
    charge: Charge,
    *,
    gateway: str,
    clock: Clock,
    ctx: RequestContext,
) -> GatewayAttempt:
    """Phase 1 of sending ``refund`` (already stored as ``pending`` with ``sent_at``):
    count it on the charge, post ``refund_created``, record the gateway attempt."""
    now = clock.now()
    await _count_sent(uow, refund, charge, clock=clock)
    attempt = GatewayAttempt(
        id=id_for("attempt"),
        operation=AttemptOperation.refund,
        status=AttemptStatus.started,
        gateway=gateway,
        request={
            "reference": charge.gateway_ref,
            "amount": refund.amount,
            "reason": gateway_reason(refund.reason),
        },
        created=now,
        payment_intent_id=refund.payment_intent_id,
        charge_id=charge.id,
        object_id=refund.id,
    )
    await uow.repo(AttemptRepository).add(attempt)
    await record_event(
        uow,
        "charge.refunded",
        charge_object(charge),
        ctx=ctx,
        clock=clock,
        location_id=charge.location_id,
    )
    return attempt


async def _count_sent(uow: UnitOfWork, refund: Refund, charge: Charge, *, clock: Clock) -> None:
    """A refund sent to the gateway: counted on the charge, ``refund_created`` posted."""
    charge.amount_refunded += refund.amount
    await uow.repo(ChargeRepository).save(charge)
    await uow.repo(LedgerRepository).post(
        postings.refund_created(
            Money(refund.amount, refund.currency),
            source=refund_source(refund),
            description=f"refund {refund.id} of {charge.id}",
        ),
        when=clock.now(),
        location_id=refund.location_id,
    )


async def record_refund_made_at_gateway(
    uow: UnitOfWork,
    charge: Charge,
    result: RefundResult,
    *,
    reason: str | None,
    requested_by: str,
    requested_by_name: str,
    clock: Clock,
) -> Refund:
    """A refund the gateway made on its own side (a card-present refund, made when the
    customer presented the card at a reader): stored as sent, counted and posted as
    :func:`send_refund` does, then moved to the gateway's status. ``charge`` is locked."""
    now = clock.now()
    refund = Refund(
        id=id_for("refund"),
        charge_id=charge.id,
        payment_intent_id=charge.payment_intent_id,
        location_id=charge.location_id,
        amount=result.amount,
        currency=charge.currency,
        status=S.PENDING,
        gateway=charge.gateway,
        created=now,
        requested_by=requested_by,
        requested_by_name=requested_by_name,
        reason=reason,
        gateway_ref=result.reference,
        sent_at=now,
        livemode=charge.livemode,
    )
    await uow.repo(RefundRepository).add(refund)
    await record_event(
        uow,
        "refund.created",
        refund_object(refund),
        ctx=SYSTEM,
        clock=clock,
        location_id=refund.location_id,
    )
    await _count_sent(uow, refund, charge, clock=clock)
    await record_event(
        uow,
        "charge.refunded",
        charge_object(charge),
        ctx=SYSTEM,
        clock=clock,
        location_id=charge.location_id,
    )
    await audit_refund(
        uow,
        "refund.requested",
        refund,
        before=None,
        after={"amount": refund.amount, "currency": refund.currency, "at": "terminal reader"},
        clock=clock,
        ctx=SYSTEM,
    )
    await apply_refund_outcome(
        uow,
        refund,
        charge,
        outcome_of(result.status),
        clock=clock,
        ctx=SYSTEM,
        failure_reason=result.failure_reason,
    )
    return refund


async def move_refund(
    uow: UnitOfWork,
    refund: Refund,
    charge: Charge,
    target: RefundStatus,
    *,
    clock: Clock,
    ctx: RequestContext,
    failure_reason: str | None = None,
    before: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Move ``refund`` to ``target`` (already allowed by the table): post the ledger
    steps, adjust the charge, save, emit events. Returns the object as it was
    ``before`` (default: now). Records no audit: callers do, last."""
    current = refund.status
    before = before or refund_object(refund)
    now = clock.now()
    money, source = Money(refund.amount, refund.currency), refund_source(refund)
    for step in ledger_steps(current, target, sent=refund.sent_at is not None):
        match step:
            case LedgerStep.SUCCEEDED:
                tx = postings.refund_succeeded(money, source=source)
            case LedgerStep.SUCCEEDED_REVERSED:
                tx = postings.reversal(
                    postings.refund_succeeded(money, source=source),
                    description=f"Refund {refund.id} failed after it succeeded",
                )
            case LedgerStep.FAILED:
                text = "canceled" if target == S.CANCELED else "failed"
                tx = postings.refund_failed(
                    money, source=source, description=f"Refund of {money.format()} {text}"
                )
            case LedgerStep.CREATED:
                raise ValueError("refund_created is posted by send_refund")
            case _:
                assert_never(step)
        await uow.repo(LedgerRepository).post(tx, when=now, location_id=refund.location_id)
    refund.status = target
    if target in (S.FAILED, S.CANCELED):
        if target == S.FAILED:
            refund.failure_reason = failure_reason or refund.failure_reason or "unknown"
        else:
            refund.canceled_at = now
        if refund.sent_at is not None:
            charge.amount_refunded -= refund.amount
            await uow.repo(ChargeRepository).save(charge)
    await uow.repo(RefundRepository).save(refund)
    after = refund_object(refund)
    await record_event(
        uow,
        "refund.updated",
        after,
        ctx=ctx,
        clock=clock,
        location_id=refund.location_id,
        previous_attributes=changed(before, after),
    )
    if target == S.FAILED:
        await record_event(
            uow, "refund.failed", after, ctx=ctx, clock=clock, location_id=refund.location_id
        )
    return before


async def apply_refund_outcome(
    uow: UnitOfWork,
    refund: Refund,
    charge: Charge,
    outcome: Outcome,
    *,
    clock: Clock,
    ctx: RequestContext,
    failure_reason: str | None = None,
) -> bool:
    """Apply a gateway outcome to ``refund`` and ``charge`` (both loaded for update).
    Returns True when it changed anything; an outcome the table refuses is ignored."""
    current = refund.status
    target = next_status(current, outcome)
    if target is None or target == current:
        if target is None:
            log.info("ignored_refund_outcome", refund=refund.id, status=current, outcome=outcome)
        return False
    before = await move_refund(
        uow, refund, charge, target, clock=clock, ctx=ctx, failure_reason=failure_reason
    )
    action = _AUDIT_ACTIONS.get(target)
    if action is not None:
        after = refund_object(refund)
        await audit_refund(
            uow,
            action,
            refund,
            before={"status": before["status"], "failure_reason": before["failure_reason"]},
            after={"status": after["status"], "failure_reason": after["failure_reason"]},
            clock=clock,
            ctx=ctx,
        )
    return True


async def _locked(uow: UnitOfWork, attempt: GatewayAttempt) -> tuple[Refund, Charge]:
    charge_id, refund_id = attempt.charge_id or "", attempt.object_id or ""
    charge = must_exist(
        await uow.repo(ChargeRepository).get(charge_id, for_update=True), "charge", charge_id
    )
    refund = must_exist(
        await uow.repo(RefundRepository).get(refund_id, for_update=True), "refund", refund_id
    )
    return refund, charge


async def apply_refund_attempt(
    uow: UnitOfWork,
    attempt: GatewayAttempt,
    result: RefundResult,
    *,
    clock: Clock,
    ctx: RequestContext,
) -> None:
    """Phase 3 of a ``refund`` or ``cancel_refund`` attempt: the gateway answered."""
    refund, charge = await _locked(uow, attempt)
    learned = refund.gateway_ref is None
    refund.gateway_ref = refund.gateway_ref or result.reference
    moved = await apply_refund_outcome(
        uow,
        refund,
        charge,
        outcome_of(result.status),
        clock=clock,
        ctx=ctx,
        failure_reason=result.failure_reason,
    )
    if learned and not moved:
        await uow.repo(RefundRepository).save(refund)


async def refund_not_made(
    uow: UnitOfWork, attempt: GatewayAttempt, *, clock: Clock, ctx: RequestContext
) -> None:
    """A refund call that provably never took effect (not sent, or refused by the
    gateway): the refund fails with the reason, and its money is the payment's again."""
    refund, charge = await _locked(uow, attempt)
    reason = (attempt.result or {}).get("error") or "gateway_unavailable"
    await apply_refund_outcome(
        uow, refund, charge, Outcome.FAILED, clock=clock, ctx=ctx, failure_reason=reason
    )


async def apply_refund_event(
    event: GatewayEvent, *, uow_factory: UnitOfWorkFactory, gateway: str, clock: Clock
) -> str | None:
    """A gateway event carrying a refund snapshot; returns an error text, or None."""
    snapshot = event.refund
    if snapshot is None:
        raise ValueError(f"gateway event {event.id} ({event.type}) carries no refund")
    try:
        outcome = outcome_of(snapshot.status)
    except ValueError as exc:
        return str(exc)
    async with uow_factory() as uow:
        found = await uow.repo(RefundRepository).by_gateway_ref(gateway, snapshot.reference)
        if found is None:
            return "no refund of ours has this reference"
        charge = must_exist(
            await uow.repo(ChargeRepository).get(found.charge_id, for_update=True),
            "charge",
            found.charge_id,
        )
        refund = must_exist(
            await uow.repo(RefundRepository).get(found.id, for_update=True), "refund", found.id
        )
        await apply_refund_outcome(
            uow,
            refund,
            charge,
            outcome,
            clock=clock,
            ctx=SYSTEM,
            failure_reason=snapshot.failure_reason,
        )
        await uow.commit()
    return None


class RefundAttempts:
    """The refunds capability's half of the gateway attempt machinery (registered with
    :func:`payments.intents.service.attempts.register_refund_settlement`)."""

    apply = staticmethod(apply_refund_attempt)
    not_made = staticmethod(refund_not_made)
