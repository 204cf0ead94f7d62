"""What ``payments ledger verify`` proves about disputes (postings keyed by (kind, dispute)):
funds withdrawn once iff the dispute reached a formal status; its fee posted
(``charge.fee``) once iff the funds were withdrawn and the fee is known (and not zero), for
exactly that fee in the dispute's currency, whether it was known at the withdrawal or
learned later; reinstated once iff won; written off once iff lost; per currency, the
``disputes`` account holds exactly the open ones.
"""

from __future__ import annotations

from collections import defaultdict

from payments.disputes.domain import DisputeStatus
from payments.disputes.repository import DisputeRepository
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

D = DisputeStatus
FORMAL = (D.NEEDS_RESPONSE, D.UNDER_REVIEW, D.WON, D.LOST)


async def verify_disputes(uow: UnitOfWork, balances: Balances) -> list[str]:
    problems: list[str] = []
    ledger = uow.repo(LedgerRepository)
    posted = await ledger.posting_counts("dispute")
    fees = await ledger.fee_amounts("dispute")
    rows = await uow.repo(DisputeRepository).ledger_view()
    held: dict[str, int] = defaultdict(int)
    for did, status, amount, currency, fee, withdrawn in rows:
        st = D(status)
        if withdrawn != (st in FORMAL):
            problems.append(f"dispute {did} is {st} but funds_withdrawn is {withdrawn}")
        expect_postings(problems, "dispute", posted, K.DISPUTE_FUNDS_WITHDRAWN, did, int(withdrawn))
        # the fee is posted iff the funds were withdrawn and it is known: exactly that fee
        expect_postings(
            problems, "dispute", posted, K.CHARGE_FEE, did, int(bool(withdrawn and fee))
        )
        fee_expected = {currency: fee} if withdrawn and fee else {}
        if fees.get(did, {}) != fee_expected:
            problems.append(
                f"dispute {did} has its fee posted as {_amounts(fees.get(did, {}))} but "
                f"{_amounts(fee_expected)} is expected (fee {fee}, funds withdrawn: {withdrawn})"
            )
        expect_postings(
            problems, "dispute", posted, K.DISPUTE_FUNDS_REINSTATED, did, int(st == D.WON)
        )
        expect_postings(problems, "dispute", posted, K.DISPUTE_LOST, did, int(st == D.LOST))
        if withdrawn and st in (D.NEEDS_RESPONSE, D.UNDER_REVIEW):
            held[currency] += amount
    problems += unknown_sources(posted, {r[0] for r in rows}, "dispute")
    problems += expect_account(balances, Account.DISPUTES, held, "open disputes' withdrawn funds")
    return problems


def _amounts(by_currency: dict[str, int]) -> str:
    return ", ".join(f"{n} {c}" for c, n in sorted(by_currency.items())) or "nothing"
