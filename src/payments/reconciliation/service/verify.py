"""What ``payments ledger verify`` proves about reconciled payouts: every payout a
reconciliation recorded as posted has exactly one ``payout.paid`` transaction, and one
it did not post has none. (A ``payout.paid`` posted some other way, for a payout no
reconciliation has seen, is not a problem of reconciliation's.)"""

from __future__ import annotations

from payments.ledger.domain.checks import Balances
from payments.ledger.domain.journal import TransactionKind as K
from payments.ledger.repository import LedgerRepository
from payments.platform.db.uow import UnitOfWork
from payments.reconciliation.repository import ReconciliationRepository


async def verify_payouts(uow: UnitOfWork, balances: Balances) -> list[str]:
    posted = await uow.repo(LedgerRepository).posting_counts("payout")
    known = await uow.repo(ReconciliationRepository).posted_payouts()
    problems: list[str] = []
    for payout_id, was_posted, _amount, _currency in known:
        n = posted.get((K.PAYOUT_PAID.value, payout_id), 0)
        if was_posted and n != 1:
            problems.append(f"payout {payout_id} is marked posted but has {n} payout.paid postings")
        if not was_posted and n:
            problems.append(
                f"payout {payout_id} has a payout.paid posting but is not marked posted"
            )
    return problems
