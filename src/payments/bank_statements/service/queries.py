"""Reading statements and bank transactions (finance and admin, unrestricted keys)."""

from __future__ import annotations

from payments.bank_statements.domain.commands import ListBankTransactions
from payments.bank_statements.domain.records import BankStatement, BankTransaction
from payments.bank_statements.repository import BankStatementRepository, BankTransactionRepository
from payments.bank_statements.service.common import find_transaction, require_reconciler
from payments.kernel.context import RequestContext
from payments.kernel.errors import NotFound
from payments.kernel.pagination import Page, PageRequest
from payments.platform.db.uow import UnitOfWorkFactory


async def list_transactions(
    query: ListBankTransactions,
    page: PageRequest,
    *,
    uow_factory: UnitOfWorkFactory,
    ctx: RequestContext,
) -> Page[BankTransaction]:
    require_reconciler(ctx)
    async with uow_factory() as uow:
        return await uow.repo(BankTransactionRepository).list_page(
            page,
            equals={
                "status": query.status.value if query.status else None,
                "statement_id": query.statement,
            },
        )


async def retrieve_transaction(
    transaction_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> BankTransaction:
    require_reconciler(ctx)
    async with uow_factory() as uow:
        return await find_transaction(uow, transaction_id)


async def statement_counts(statement_id: str, *, uow_factory: UnitOfWorkFactory) -> dict[str, int]:
    async with uow_factory() as uow:
        return dict(await uow.repo(BankTransactionRepository).status_counts(statement_id))


async def list_statements(
    page: PageRequest, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> Page[BankStatement]:
    require_reconciler(ctx)
    async with uow_factory() as uow:
        return await uow.repo(BankStatementRepository).list_page(page)


async def retrieve_statement(
    statement_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> tuple[BankStatement, dict[str, int]]:
    require_reconciler(ctx)
    async with uow_factory() as uow:
        found = await uow.repo(BankStatementRepository).get(statement_id)
        if found is None:
            raise NotFound.of("bank_statement", statement_id)
        counts = await uow.repo(BankTransactionRepository).status_counts(statement_id)
        return found, dict(counts)
