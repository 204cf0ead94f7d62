"""What ``payments ledger verify`` proves of bank transactions: every transfer applied
to invoices was recorded as the invoice payments its allocations name (whose postings,
bank -> accounts receivable and customer credit, the invoices' own check proves), for
exactly the amount applied, and a matched transfer has nothing left to apply."""

from __future__ import annotations

from payments.bank_statements.domain.records import allocation_problems
from payments.bank_statements.repository import BankTransactionRepository
from payments.ledger.domain.checks import Balances
from payments.platform.db.uow import UnitOfWork


async def verify_bank_transactions(uow: UnitOfWork, balances: Balances) -> list[str]:
    repo = uow.repo(BankTransactionRepository)
    applied = await repo.applied()
    ids = [str(a["invoice_payment"]) for tx in applied for a in tx.allocations]
    payments = await repo.invoice_payments(ids)
    return [problem for tx in applied for problem in allocation_problems(tx, payments)]
