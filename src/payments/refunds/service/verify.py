"""What ``payments ledger verify`` proves about refunds (each posting keyed by (kind, refund)):

1. a refund is posted ``refund.created`` exactly once if it was sent to the
   gateway, never otherwise;
2. ``succeeded`` ones are posted ``refund.succeeded`` exactly once; ``failed``
   and ``canceled`` sent ones ``refund.failed`` exactly once, and a failed one
   that had succeeded also its ``reversal``; unsettled ones neither;
3. per charge, refunds that are not failed or canceled never exceed what was
   captured, and the charge's ``amount_refunded`` is what its sent ones total;
4. per currency, ``refunds_payable`` holds exactly the sent, unsettled refunds.
"""

from __future__ import annotations

from collections import defaultdict

from payments.intents.repository import ChargeRepository
from payments.ledger.domain.accounts import Account
from payments.ledger.domain.checks import (
    Balances,
    expect_account,
    expect_postings,
    unknown_sources,
)
from payments.ledger.domain.journal import TransactionKind as K
from payments.ledger.repository import LedgerRepository
from payments.platform.db.uow import UnitOfWork
from payments.refunds.domain.refund import RefundStatus, counts_against_charge, is_outstanding
from payments.refunds.repository import RefundRepository

R = RefundStatus


async def verify_refunds(uow: UnitOfWork, balances: Balances) -> list[str]:
    problems: list[str] = []
    posted = await uow.repo(LedgerRepository).posting_counts("refund")
    rows = await uow.repo(RefundRepository).ledger_view()
    reserved: dict[str, int] = defaultdict(int)
    sent_total: dict[str, int] = defaultdict(int)
    payable: dict[str, int] = defaultdict(int)
    for rid, charge_id, status, amount, currency, sent in rows:
        st = R(status)
        expect_postings(problems, "refund", posted, K.REFUND_CREATED, rid, 1 if sent else 0)
        ok = st == R.SUCCEEDED or (st == R.FAILED and posted[(K.REVERSAL.value, rid)] == 1)
        expect_postings(problems, "refund", posted, K.REFUND_SUCCEEDED, rid, 1 if ok else 0)
        # a failed refund that had succeeded: its success is reversed, once
        undone = posted[(K.REFUND_SUCCEEDED.value, rid)] if st == R.FAILED else 0
        expect_postings(problems, "refund", posted, K.REVERSAL, rid, undone)
        closed = st in (R.FAILED, R.CANCELED) and sent
        expect_postings(problems, "refund", posted, K.REFUND_FAILED, rid, 1 if closed else 0)
        if counts_against_charge(st):
            reserved[charge_id] += amount
            if sent:
                sent_total[charge_id] += amount
        if sent and is_outstanding(st):
            payable[currency] += amount
    problems += unknown_sources(posted, {r[0] for r in rows}, "refund")
    for cid, _captured, _authorized, amount_captured, amount_refunded in sorted(
        await uow.repo(ChargeRepository).ledger_view()
    ):
        if reserved[cid] > amount_captured:
            problems.append(
                f"charge {cid}: refunds total {reserved[cid]}, above the {amount_captured} captured"
            )
        if amount_refunded != sent_total[cid]:
            problems.append(
                f"charge {cid}: amount_refunded is {amount_refunded} but its sent refunds "
                f"total {sent_total[cid]}"
            )
    problems += expect_account(
        balances, Account.REFUNDS_PAYABLE, payable, "sent, unsettled refunds"
    )
    return problems
