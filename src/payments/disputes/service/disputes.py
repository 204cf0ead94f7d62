"""Disputes: retrieve, list, add evidence (and submit it), close (accept the loss).

Disputes are created by the gateway (see :mod:`payments.disputes.service.apply`).
Evidence may be added by anyone who may take payments (shop staff know the
repair); closing a dispute accepts a loss of money, so it takes the
``approve_refunds`` permission (finance, admin).

Updating and closing call the gateway when it manages disputes
(``DisputeManagement``; the simulator and Stripe do) with no transaction open,
then apply the change in a new transaction that re-checks the status. These
calls move no money, so each carries a fresh idempotency key (closing: one
derived from the dispute, as it happens once).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from payments.audit.service import record_audit
from payments.disputes.domain import (
    Dispute,
    DisputeStatus,
    ListDisputes,
    Operation,
    UpdateDispute,
    merge_evidence,
    transition,
)
from payments.disputes.render import dispute_object
from payments.disputes.repository import DisputeRepository
from payments.disputes.service.apply import emit_dispute_event, move_dispute
from payments.gateways.protocol import DisputeManagement, GatewayInvalidRequest, PaymentGateway
from payments.intents.repository import ChargeRepository
from payments.intents.service.gateway_call import gateway_call
from payments.kernel.access import Permission
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound, must_exist
from payments.kernel.ids import id_for
from payments.kernel.metadata import update_metadata
from payments.kernel.pagination import Page, PageRequest
from payments.kernel.unset import Unset
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory

T = TypeVar("T")
D = DisputeStatus


async def visible_dispute(uow: UnitOfWork, dispute_id: str, ctx: RequestContext) -> Dispute:
    dispute = await uow.repo(DisputeRepository).get(dispute_id)
    if dispute is None or not ctx.principal.sees_location(dispute.location_id):
        raise NotFound.of("dispute", dispute_id)
    return dispute


async def _locked(uow: UnitOfWork, dispute_id: str, ctx: RequestContext) -> Dispute:
    found = await visible_dispute(uow, dispute_id, ctx)
    await uow.repo(ChargeRepository).get(found.charge_id, for_update=True)  # the one lock order
    return must_exist(
        await uow.repo(DisputeRepository).get(dispute_id, for_update=True), "dispute", dispute_id
    )


async def gateway_call_checked(call: Awaitable[T]) -> T:
    """Await a gateway call: transport failures are a 502, refusals a 400."""
    try:
        return await gateway_call(call)
    except GatewayInvalidRequest as exc:
        raise InvalidRequest(exc.message, code=exc.code, param=exc.param) from None


async def retrieve_dispute(
    dispute_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Dispute:
    async with uow_factory() as uow:
        return await visible_dispute(uow, dispute_id, ctx)


async def list_disputes(
    query: ListDisputes,
    page: PageRequest,
    *,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
) -> Page[Dispute]:
    async with uow_factory() as uow:
        return await uow.repo(DisputeRepository).list_page(
            page,
            equals={
                "charge_id": query.charge,
                "payment_intent_id": query.payment_intent,
                "status": query.status,
            },
            created=query.created,
            location_id=ctx.list_location(query.location),
        )


async def update_dispute(
    dispute_id: str,
    cmd: UpdateDispute,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> Dispute:
    """Add or change evidence (``""`` clears a field), ``submit`` it, set metadata."""
    ctx.require(Permission.write_payments)
    changes = dict(cmd.evidence)
    submit = cmd.submit
    operation = Operation.SUBMIT if submit else Operation.UPDATE_EVIDENCE
    async with uow_factory() as uow:
        dispute = await visible_dispute(uow, dispute_id, ctx)
    touches_evidence = bool(changes) or submit
    if touches_evidence:
        transition(dispute.status, operation)
        merge_evidence(dispute.evidence, changes)  # validates the field names
        if isinstance(gateway, DisputeManagement):  # only the changes ("" clears), as Stripe
            await gateway_call_checked(
                gateway.update_dispute_evidence(
                    dispute.gateway_ref,
                    changes,
                    idempotency_key=id_for("attempt"),
                    submit=submit,
                )
            )
    async with uow_factory() as uow:
        dispute = await _locked(uow, dispute_id, ctx)
        before = dispute_object(dispute)
        old_evidence = dict(dispute.evidence)
        if touches_evidence:
            target = transition(dispute.status, operation)
            dispute.evidence = merge_evidence(dispute.evidence, changes)
            dispute.status = target
            dispute.submission_count += 1 if submit else 0
        if not isinstance(cmd.metadata, Unset):
            update = None if cmd.metadata is None else dict(cmd.metadata)
            dispute.metadata = update_metadata(dispute.metadata, update)
        if dispute_object(dispute) == before:
            return dispute
        await uow.repo(DisputeRepository).save(dispute)
        await emit_dispute_event(
            uow, "charge.dispute.updated", dispute, clock=clock, ctx=ctx, before=before
        )
        if touches_evidence:
            union = {**old_evidence, **dispute.evidence}
            fields = sorted(k for k in union if old_evidence.get(k) != dispute.evidence.get(k))
            await record_audit(
                uow,
                "dispute.evidence_submitted" if submit else "dispute.evidence_updated",
                object_type="dispute",
                object_id=dispute.id,
                ctx=ctx,
                clock=clock,
                before={"status": before["status"], "evidence": _pick(old_evidence, fields)},
                after={"status": dispute.status, "evidence": _pick(dispute.evidence, fields)},
                location_id=dispute.location_id,
            )
        await uow.commit()
    return dispute


def _pick(evidence: dict[str, str], fields: list[str]) -> dict[str, str | None]:
    return {k: evidence.get(k) for k in fields}


async def close_dispute(
    dispute_id: str,
    *,
    uow_factory: UnitOfWorkFactory,
    gateway: PaymentGateway,
    clock: Clock,
    ctx: RequestContext,
) -> Dispute:
    """Accept the dispute: ``lost`` (a warning: ``warning_closed``); the funds stay gone."""
    ctx.require(Permission.approve_refunds)
    async with uow_factory() as uow:
        dispute = await visible_dispute(uow, dispute_id, ctx)
    target = transition(dispute.status, Operation.CLOSE)
    if isinstance(gateway, DisputeManagement):
        await gateway_call_checked(
            gateway.close_dispute(dispute.gateway_ref, idempotency_key=f"{dispute.id}-close")
        )
    async with uow_factory() as uow:
        dispute = await _locked(uow, dispute_id, ctx)
        if dispute.status == target:
            return dispute  # the gateway's event got here first
        transition(dispute.status, Operation.CLOSE)
        await move_dispute(uow, dispute, target, clock=clock, ctx=ctx)
        await uow.commit()
    return dispute
