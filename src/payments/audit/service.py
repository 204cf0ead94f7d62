"""The audit trail: record who did what in the same transaction as the action; verify it.

Recording, from any use case (the action must be registered in
:data:`payments.audit.domain.ACTIONS`)::

    await record_audit(
        uow,
        "refund.approved",
        object_type="refund",
        object_id=refund.id,
        ctx=ctx,                      # who: the API key (SYSTEM for the worker, CLI for the CLI)
        clock=clock,
        before={"status": "pending_approval"},
        after={"status": "pending"},  # only the changed fields are kept
        location_id=refund.location_id,
    )
    ...
    await uow.commit()

Call it as the **last** write before ``commit``: it takes the chain-head lock,
which every audited transaction needs, so holding it as briefly as possible
keeps audited writes flowing (and it must never be held while waiting for other
row locks). Values in ``before``/``after`` must be plain JSON (str, int, bool,
None, lists, dicts); never put secrets in them.

:func:`verify_audit_chain` walks the whole chain (``payments audit verify``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from payments.audit.domain import (
    AuditRecord,
    ChainBreak,
    ChainState,
    ListAuditRecords,
    check_chain,
    check_head,
    diff,
    seal,
)
from payments.audit.repository import AuditRepository
from payments.kernel.access import Permission, Principal, Role
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.ids import id_for
from payments.kernel.pagination import Page, PageRequest
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory

#: The actor of the ``payments`` command line (it has no API key, request id or IP).
CLI = RequestContext(principal=Principal(api_key_id="cli", name="cli", role=Role.admin))

_NON_KEY_ACTORS = ("system", "cli")


def actor_type(principal: Principal) -> str:
    """``api_key``, ``staff_user`` (a person signed in to the dashboard: ``usr_...``),
    or ``system`` / ``cli``."""
    if principal.api_key_id in _NON_KEY_ACTORS:
        return principal.api_key_id
    return "staff_user" if principal.api_key_id.startswith("usr_") else "api_key"


async def record_audit(
    uow: UnitOfWork,
    action: str,
    *,
    object_type: str,
    object_id: str,
    ctx: RequestContext,
    clock: Clock,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    location_id: str | None = None,
) -> None:
    """Append one record to the chain, inside ``uow`` (committed with the action)."""
    now = clock.now()
    seq, prev_hash = await uow.repo(AuditRepository).lock_head(now)
    principal = ctx.principal
    record = seal(
        seq=seq + 1,
        prev_hash=prev_hash,
        id=id_for("audit"),
        created=now,
        actor_type=actor_type(principal),
        actor_id=principal.api_key_id,
        actor_name=principal.name,
        action=action,
        object_type=object_type,
        object_id=object_id,
        location_id=location_id,
        ip=ctx.ip,
        request_id=ctx.request_id,
        changes=diff(before, after),
    )
    await uow.repo(AuditRepository).append(record)


async def verify_audit_chain(*, uow_factory: UnitOfWorkFactory) -> tuple[int, str | None]:
    """(records checked, the first problem or None).

    The head is read first and the walk stops at it, so records appended while
    the check runs are left for the next check instead of looking like a break.
    """
    state = ChainState()
    async with uow_factory() as uow:
        head = await uow.repo(AuditRepository).head()
        upto = head[0] if head else None
        async for batch in uow.repo(AuditRepository).in_chain_order(upto=upto):
            broken = check_chain(batch, state)
            if broken is not None:
                return state.count, str(broken)
        broken = check_head(state, *(head if head else (None, None)))
        # records beyond the head were appended since we read it (then the head moved),
        # or were written around the chain
        if (
            broken is None
            and upto is not None
            and await uow.repo(AuditRepository).max_seq() > upto
            and await uow.repo(AuditRepository).head() == head
        ):
            broken = ChainBreak(upto + 1, None, "records exist beyond the chain head")
    return state.count, str(broken) if broken else None


async def list_audit_records(
    query: ListAuditRecords,
    page: PageRequest,
    *,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
) -> Page[AuditRecord]:
    ctx.require(Permission.read_audit)
    async with uow_factory() as uow:
        return await uow.repo(AuditRepository).list_page(
            page,
            object_id=query.object_id,
            actor_id=query.actor,
            action=query.action,
            created=query.created,
            location_id=ctx.list_location(query.location),
        )
