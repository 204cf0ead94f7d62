"""What ``payments ledger verify`` proves about refunds and disputes.

Refunds (each posting keyed by (kind, refund)):

1. a refund is posted ``refund.created`` exactly once if it was sent to the
   gateway, never otherwise;
2. ``succeeded`` ones are posted ``refund.succeeded`` exactly once; ``failed``
   and ``canceled`` sent ones ``refund.failed`` exactly once, and a failed one
   that had succeeded also its ``reversal``; unsettled ones neither;
3. per charge, refunds that are not failed or canceled never exceed what was
   captured, and the charge's ``amount_refunded`` is what its sent ones total;
4. per currency, ``refunds_payable`` holds exactly the sent, unsettled refunds.

Disputes (keyed by (kind, dispute)): funds withdrawn once iff the dispute
reached a formal status; its fee posted (``charge.fee``) once iff the funds were
withdrawn and the fee is known (and not zero), for exactly that fee in the
dispute's currency, whether it was known at the withdrawal or learned later;
reinstated once iff won; written off once iff lost; per currency, the
``disputes`` account holds exactly the open ones.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import sqlalchemy as sa

from payments.disputes.domain import DisputeStatus
from payments.disputes.tables import disputes
from payments.intents.tables import charges
from payments.ledger.domain.accounts import Account
from payments.ledger.domain.journal import TransactionKind as K
from payments.ledger.tables import ledger_entries, ledger_transactions
from payments.platform.db.uow import UnitOfWork
from payments.refunds.domain.refund import RefundStatus, counts_against_charge, is_outstanding
from payments.refunds.tables import refunds

R = RefundStatus
D = DisputeStatus


async def _postings(uow: UnitOfWork, source_type: str) -> Counter[tuple[str, str]]:
    """(kind, source id) -> how many transactions, for one source type."""
    t = ledger_transactions
    rows = await uow.connection.execute(
        sa.select(t.c.kind, t.c.source_id, sa.func.count())
        .where(t.c.source_type == source_type)
        .group_by(t.c.kind, t.c.source_id)
    )
    return Counter({(kind, source): int(n) for kind, source, n in rows.all()})


def _expect(
    problems: list[str], what: str, found: Counter[tuple[str, str]], kind: K, oid: str, n: int
) -> None:
    got = found[(kind.value, oid)]
    if got != n:
        problems.append(f"{what} {oid} is posted {kind.value} {got} times, expected {n}")


async def verify_refunds(uow: UnitOfWork, balances: dict[tuple[str, str], int]) -> list[str]:
    problems: list[str] = []
    posted = await _postings(uow, "refund")
    rows = (
        await uow.connection.execute(
            sa.select(
                refunds.c.id,
                refunds.c.charge_id,
                refunds.c.status,
                refunds.c.amount,
                refunds.c.currency,
                refunds.c.sent_at,
            )
        )
    ).all()
    reserved: dict[str, int] = defaultdict(int)
    sent_total: dict[str, int] = defaultdict(int)
    payable: dict[str, int] = defaultdict(int)
    for rid, charge_id, status, amount, currency, sent_at in rows:
        st, sent = R(status), sent_at is not None
        _expect(problems, "refund", posted, K.REFUND_CREATED, rid, 1 if sent else 0)
        ok = st == R.SUCCEEDED or (st == R.FAILED and posted[(K.REVERSAL.value, rid)] == 1)
        _expect(problems, "refund", posted, K.REFUND_SUCCEEDED, rid, 1 if ok else 0)
        # a failed refund that had succeeded: its success is reversed, once
        undone = posted[(K.REFUND_SUCCEEDED.value, rid)] if st == R.FAILED else 0
        _expect(problems, "refund", posted, K.REVERSAL, rid, undone)
        closed = st in (R.FAILED, R.CANCELED) and sent
        _expect(problems, "refund", posted, K.REFUND_FAILED, rid, 1 if closed else 0)
        if counts_against_charge(st):
            reserved[charge_id] += amount
            if sent:
                sent_total[charge_id] += amount
        if sent and is_outstanding(st):
            payable[currency] += amount
    known = {r.id for r in rows}
    problems += [
        f"{kind} posting for unknown refund {oid}"
        for kind, oid in sorted(posted)
        if oid not in known
    ]
    captured = {
        cid: (amount_captured, amount_refunded)
        for cid, amount_captured, amount_refunded in (
            await uow.connection.execute(
                sa.select(charges.c.id, charges.c.amount_captured, charges.c.amount_refunded)
            )
        ).all()
    }
    for cid, (amount_captured, amount_refunded) in sorted(captured.items()):
        if reserved[cid] > amount_captured:
            problems.append(
                f"charge {cid}: refunds total {reserved[cid]}, above the {amount_captured} captured"
            )
        if amount_refunded != sent_total[cid]:
            problems.append(
                f"charge {cid}: amount_refunded is {amount_refunded} but its sent refunds "
                f"total {sent_total[cid]}"
            )
    problems += _account(balances, Account.REFUNDS_PAYABLE, payable, "sent, unsettled refunds")
    return problems


async def _dispute_fees(uow: UnitOfWork) -> dict[str, dict[str, int]]:
    """Dispute id -> {currency: amount} debited to ``gateway_fees`` by its fee postings."""
    t, e = ledger_transactions, ledger_entries
    rows = await uow.connection.execute(
        sa.select(t.c.source_id, e.c.currency, sa.func.sum(e.c.amount))
        .join(e, e.c.transaction_id == t.c.id)
        .where(
            t.c.source_type == "dispute",
            t.c.kind == K.CHARGE_FEE.value,
            e.c.account == Account.GATEWAY_FEES.value,
        )
        .group_by(t.c.source_id, e.c.currency)
    )
    fees: dict[str, dict[str, int]] = defaultdict(dict)
    for source_id, currency, amount in rows.all():
        fees[source_id][currency] = int(amount)
    return fees


async def verify_disputes(uow: UnitOfWork, balances: dict[tuple[str, str], int]) -> list[str]:
    problems: list[str] = []
    posted = await _postings(uow, "dispute")
    fees = await _dispute_fees(uow)
    rows = (
        await uow.connection.execute(
            sa.select(
                disputes.c.id,
                disputes.c.status,
                disputes.c.amount,
                disputes.c.currency,
                disputes.c.fee,
                disputes.c.funds_withdrawn,
            )
        )
    ).all()
    held: dict[str, int] = defaultdict(int)
    formal = (D.NEEDS_RESPONSE, D.UNDER_REVIEW, D.WON, D.LOST)
    for did, status, amount, currency, fee, withdrawn in rows:
        st = D(status)
        if withdrawn != (st in formal):
            problems.append(f"dispute {did} is {st} but funds_withdrawn is {withdrawn}")
        _expect(problems, "dispute", posted, K.DISPUTE_FUNDS_WITHDRAWN, did, int(withdrawn))
        # the fee is posted iff the funds were withdrawn and it is known: exactly that fee
        _expect(problems, "dispute", posted, K.CHARGE_FEE, did, int(bool(withdrawn and fee)))
        fee_expected = {currency: fee} if withdrawn and fee else {}
        if fees.get(did, {}) != fee_expected:
            problems.append(
                f"dispute {did} has its fee posted as {_amounts(fees.get(did, {}))} but "
                f"{_amounts(fee_expected)} is expected (fee {fee}, funds withdrawn: {withdrawn})"
            )
        _expect(problems, "dispute", posted, K.DISPUTE_FUNDS_REINSTATED, did, int(st == D.WON))
        _expect(problems, "dispute", posted, K.DISPUTE_LOST, did, int(st == D.LOST))
        if withdrawn and st in (D.NEEDS_RESPONSE, D.UNDER_REVIEW):
            held[currency] += amount
    known = {r.id for r in rows}
    problems += [
        f"{kind} posting for unknown dispute {oid}"
        for kind, oid in sorted(posted)
        if oid not in known
    ]
    problems += _account(balances, Account.DISPUTES, held, "open disputes' withdrawn funds")
    return problems


def _amounts(by_currency: dict[str, int]) -> str:
    return ", ".join(f"{n} {c}" for c, n in sorted(by_currency.items())) or "nothing"


def _account(
    balances: dict[tuple[str, str], int], account: Account, expected: dict[str, int], what: str
) -> list[str]:
    """The account's normal-side balance per currency must equal ``expected``."""
    sign = account.spec.normal_balance.sign
    currencies = {c for (a, c) in balances if a == account.value} | set(expected)
    return [
        f"{account.value} in {cur} is {balances.get((account.value, cur), 0) * sign} but "
        f"the {what} total {expected.get(cur, 0)}"
        for cur in sorted(currencies)
        if balances.get((account.value, cur), 0) * sign != expected.get(cur, 0)
    ]
