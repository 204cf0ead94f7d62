"""Approve, reject and cancel refunds.

* ``approve`` (finance, admin): a ``pending_approval`` refund goes to the
  gateway, exactly as a refund created without approval does. Nobody approves
  their own request (403); an approved, rejected or settled refund cannot be
  approved again (400).
* ``reject`` (finance, admin) with a reason: ``canceled``; nothing was sent.
* ``cancel`` (anyone who may refund): ``pending_approval`` -> ``canceled`` at
  once; a refund the gateway is still processing is canceled at the gateway if
  it supports that (``RefundCanceling``), through a recorded attempt.
"""

from __future__ import annotations

from typing import Any

from payments.events.service import record_event
from payments.gateways.protocol import PaymentGateway, RefundCanceling
from payments.intents.domain.model import AttemptOperation, AttemptStatus, Charge, GatewayAttempt
from payments.intents.repository import AttemptRepository, ChargeRepository
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import must_exist
from payments.kernel.ids import id_for
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory
from payments.refunds.domain.refund import (
    Operation,
    Refund,
    RefundStateConflict,
    RefundStatus,
    SelfApprovalForbidden,
    changed,
    check_refundable,
    transition,
)
from payments.refunds.render import refund_object
from payments.refunds.repository import RefundRepository
from payments.refunds.service.apply import audit_refund, move_refund, send_refund
from payments.refunds.service.refunds import (
    retrieve_refund,
    run_refund_attempt,
    visible_refund,
)

S = RefundStatus


async def _locked(uow: UnitOfWork, refund_id: str, ctx: RequestContext) -> tuple[Refund, Charge]:
    """The refund and its charge, locked in the one lock order (charge, then refund)."""
    found = await visible_refund(uow, refund_id, ctx)
    charge = must_exist(
        await uow.repo(ChargeRepository).get(found.charge_id, for_update=True),
        "charge",
        found.charge_id,
    )
    refund = must_exist(
        await uow.repo(RefundRepository).get(refund_id, for_update=True), "refund", refund_id
    )
    return refund, charge


async def _updated_event(
    uow: UnitOfWork, refund: Refund, before: dict[str, Any], *, clock: Clock, ctx: RequestContext
) -> None:
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


async def approve_refund(
    refund_id: str,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> Refund:
    ctx.require(Permission.approve_refunds)
    principal = ctx.principal
    async with uow_factory() as uow:  # phase 1
        refund, charge = await _locked(uow, refund_id, ctx)
        if refund.requested_by == principal.api_key_id:
            raise SelfApprovalForbidden(
                "You cannot approve a refund you requested yourself: another finance or "
                "admin key must approve it."
            )
        target = transition(refund.status, Operation.APPROVE)
        check_refundable(
            charge_status=charge.status,
            captured=charge.captured,
            disputed=charge.disputed,
            currency=charge.currency,
            requested=None,
        )
        before = refund_object(refund)
        now = clock.now()
        refund.status = target
        refund.decision = "approved"
        refund.decided_by, refund.decided_by_name = principal.api_key_id, principal.name
        refund.decided_at = now
        refund.sent_at = now
        await uow.repo(RefundRepository).save(refund)
        await _updated_event(uow, refund, before, clock=clock, ctx=ctx)
        attempt = await send_refund(uow, refund, charge, gateway=gateway.name, clock=clock, ctx=ctx)
        await audit_refund(
            uow,
            "refund.approved",
            refund,
            before={"status": before["status"]},
            after={"status": refund.status, "decision": "approved"},
            clock=clock,
            ctx=ctx,
        )
        await audit_refund(
            uow,
            "refund.sent",
            refund,
            before=None,
            after={"amount": refund.amount, "attempt": attempt.id},
            clock=clock,
            ctx=ctx,
        )
        await uow.commit()
    await run_refund_attempt(
        attempt, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx
    )
    return await retrieve_refund(refund_id, uow_factory=uow_factory, ctx=ctx)


async def reject_refund(
    refund_id: str,
    reason: str,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
) -> Refund:
    ctx.require(Permission.approve_refunds)
    principal = ctx.principal
    async with uow_factory() as uow:
        refund, charge = await _locked(uow, refund_id, ctx)
        target = transition(refund.status, Operation.REJECT)
        before = refund_object(refund)
        refund.decision = "rejected"
        refund.decided_by, refund.decided_by_name = principal.api_key_id, principal.name
        refund.decided_at = clock.now()
        refund.rejection_reason = reason
        await move_refund(uow, refund, charge, target, clock=clock, ctx=ctx, before=before)
        await audit_refund(
            uow,
            "refund.rejected",
            refund,
            before={"status": before["status"]},
            after={"status": refund.status, "decision": "rejected", "rejection_reason": reason},
            clock=clock,
            ctx=ctx,
        )
        await uow.commit()
    return refund


async def cancel_refund(
    refund_id: str,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> Refund:
    ctx.require(Permission.write_refunds)
    attempt = None
    async with uow_factory() as uow:  # phase 1
        refund, charge = await _locked(uow, refund_id, ctx)
        status = refund.status
        target = transition(status, Operation.CANCEL)
        if status == S.PENDING_APPROVAL:
            before = await move_refund(uow, refund, charge, target, clock=clock, ctx=ctx)
            await audit_refund(
                uow,
                "refund.canceled",
                refund,
                before={"status": before["status"]},
                after={"status": refund.status},
                clock=clock,
                ctx=ctx,
            )
            await uow.commit()
            return refund
        if (
            await uow.repo(AttemptRepository).open_for_object(refund.id)
            or refund.gateway_ref is None
        ):
            raise RefundStateConflict(
                "This refund is being sent to the gateway; try again once it is pending there."
            )
        if not isinstance(gateway, RefundCanceling):
            raise RefundStateConflict(
                f"The {gateway.name} gateway cannot cancel a refund it is processing."
            )
        attempt = GatewayAttempt(
            id=id_for("attempt"),
            operation=AttemptOperation.cancel_refund,
            status=AttemptStatus.started,
            gateway=gateway.name,
            request={"reference": refund.gateway_ref},
            created=clock.now(),
            payment_intent_id=refund.payment_intent_id,
            charge_id=charge.id,
            object_id=refund.id,
        )
        await uow.repo(AttemptRepository).add(attempt)
        await uow.commit()
    await run_refund_attempt(
        attempt, uow_factory=uow_factory, gateway=gateway, clock=clock, ctx=ctx
    )
    return await retrieve_refund(refund_id, uow_factory=uow_factory, ctx=ctx)
