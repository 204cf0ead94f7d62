"""Reading reconciliation results and runs (finance and admin keys not kept to one shop:
payouts are company-wide, like the ledger)."""

from __future__ import annotations

from datetime import date
from typing import Any

from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest, NotFound
from payments.kernel.pagination import PageRequest
from payments.ledger.service import require_ledger_reader
from payments.platform.db.uow import UnitOfWorkFactory
from payments.reconciliation.domain import Status
from payments.reconciliation.render import reconciliation_object, run_object
from payments.reconciliation.repository import ReconciliationRepository


def parse_day(raw: str | None, *, param: str = "date") -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidRequest(f"Invalid {param} {raw!r}: use YYYY-MM-DD.", param=param) from None


async def list_reconciliations(
    page: PageRequest,
    *,
    day: str | None,
    status: str | None,
    payout: str | None,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
) -> tuple[list[dict[str, Any]], bool]:
    require_ledger_reader(ctx)
    parsed = parse_day(day)
    if status is not None and status not in {s.value for s in Status}:
        raise InvalidRequest(
            f"Invalid status {status!r}: use reconciled or discrepancies.", param="status"
        )
    async with uow_factory() as uow:
        rows, more = await uow.repo(ReconciliationRepository).page(
            page, day=parsed, status=status, payout=payout
        )
    return [reconciliation_object(r) for r in rows], more


async def retrieve_reconciliation(
    reconciliation_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> dict[str, Any]:
    require_ledger_reader(ctx)
    async with uow_factory() as uow:
        repo = uow.repo(ReconciliationRepository)
        row = await repo.get(reconciliation_id)
        if row is None:
            row = await repo.by_payout(reconciliation_id)  # a payout's id finds it too
        if row is None:
            raise NotFound.of("reconciliation", reconciliation_id)
        return reconciliation_object(row, await repo.lines_of(row["id"]))


async def list_runs(
    page: PageRequest, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> tuple[list[dict[str, Any]], bool]:
    require_ledger_reader(ctx)
    async with uow_factory() as uow:
        rows, more = await uow.repo(ReconciliationRepository).page_runs(page)
    return [run_object(r) for r in rows], more
