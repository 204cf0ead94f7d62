"""What the bank statement use cases share: who may reconcile, finding a transaction."""

from __future__ import annotations

from payments.bank_statements.domain.records import BankTransaction
from payments.bank_statements.repository import BankTransactionRepository
from payments.kernel.access import Permission
from payments.kernel.context import RequestContext
from payments.kernel.errors import NotFound, PermissionDenied
from payments.platform.db.uow import UnitOfWork


def require_reconciler(ctx: RequestContext) -> None:
    """Bank statements are a legal entity's account, company-wide like the ledger: a
    finance or admin key (``reconcile_bank``), not restricted to one shop."""
    ctx.require(Permission.reconcile_bank)
    if ctx.principal.location_id is not None:
        raise PermissionDenied(
            "Bank statements are company-wide; an API key restricted to one location "
            "cannot import or match them. Use an unrestricted finance or admin key.",
            code="insufficient_permissions",
        )


async def find_transaction(
    uow: UnitOfWork, transaction_id: str, *, for_update: bool = False
) -> BankTransaction:
    found = await uow.repo(BankTransactionRepository).get(transaction_id, for_update=for_update)
    if found is None:
        raise NotFound.of("bank_transaction", transaction_id)
    return found
