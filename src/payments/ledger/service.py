"""Reading and proving the ledger: balances, journal, and ``payments ledger verify``."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from payments.intents.tables import charges
from payments.ledger.domain.accounts import CHART_OF_ACCOUNTS
from payments.ledger.domain.journal import JournalCheck, TransactionKind
from payments.platform.db.uow import UnitOfWorkFactory
from payments.refunds.verify import verify_disputes, verify_refunds

PAID_KINDS = [TransactionKind.CHARGE_SUCCEEDED.value, TransactionKind.CHARGE_CAPTURED.value]


#: Journal transactions read per query by :func:`verify_ledger` (with their entries).
VERIFY_BATCH_SIZE = 1000

#: ``progress(checked, total)``: journal transactions checked so far, of ``total``.
Progress = Callable[[int, int], None]


async def verify_ledger(
    *,
    uow_factory: UnitOfWorkFactory,
    batch_size: int = VERIFY_BATCH_SIZE,
    progress: Progress | None = None,
) -> list[str]:
    """Every problem found; an empty list means the ledger is sound. Checks that:

    1. every transaction has at least two entries and balances per currency;
    2. the running balances equal the sum of the entries, per account and currency;
    3. every succeeded (captured) charge is posted exactly once, and nothing else is;
    4. every authorization of a charge is posted exactly once;
    5. refunds and disputes are posted as :mod:`payments.refunds.verify` says
       (never more refunded than captured, failed refunds reversed, ...).

    The journal is streamed in transaction id order, ``batch_size`` transactions at a
    time, each checked as it comes (:class:`~payments.ledger.domain.journal.JournalCheck`):
    memory does not grow with the number of entries. ``progress`` is called after each
    batch. Everything is read from one snapshot of the database.
    """
    async with uow_factory() as uow:
        await uow.ledger.read_snapshot()
        total = await uow.ledger.count_transactions() if progress is not None else 0
        empty: list[str] = []
        check = JournalCheck()
        checked = 0
        async for batch in uow.ledger.transactions_in_batches(batch_size):
            for tx_id, rows in batch:
                if rows:
                    check.add(tx_id, rows)
                else:
                    empty.append(f"transaction {tx_id}: has no entries")
            checked += len(batch)
            if progress is not None:
                progress(checked, max(total, checked))
        problems = empty + check.problems()
        sums = {(a, c): s for a, c, s in await uow.ledger.entry_sums()}
        balances = {(a, c): s for a, c, s in await uow.ledger.balances()}
        for key in sorted(set(sums) | set(balances)):
            if sums.get(key, 0) != balances.get(key, 0):
                problems.append(
                    f"balance of {key[0]} in {key[1]} is {balances.get(key, 0)} but its entries "
                    f"sum to {sums.get(key, 0)}"
                )
        paid = await uow.ledger.postings_by_source(PAID_KINDS)
        authorized = await uow.ledger.postings_by_source([TransactionKind.CHARGE_AUTHORIZED.value])
        rows = await uow.connection.execute(
            sa.select(charges.c.id, charges.c.captured, charges.c.amount_authorized)
        )
        seen: set[str] = set()
        for charge_id, captured, amount_authorized in rows.all():
            seen.add(charge_id)
            if captured and paid.get(charge_id, 0) != 1:
                problems.append(
                    f"charge {charge_id} succeeded but is posted {paid.get(charge_id, 0)} times"
                )
            if not captured and paid.get(charge_id, 0):
                problems.append(f"charge {charge_id} is not captured but is posted as paid")
            if amount_authorized and authorized.get(charge_id, 0) != 1:
                problems.append(
                    f"charge {charge_id} was authorized but its hold is posted "
                    f"{authorized.get(charge_id, 0)} times"
                )
        problems += [f"posting for unknown charge {c}" for c in set(paid) - seen]
        problems += await verify_refunds(uow, sums)
        problems += await verify_disputes(uow, sums)
    return problems


async def account_balances(*, uow_factory: UnitOfWorkFactory) -> list[dict[str, object]]:
    async with uow_factory() as uow:
        rows = await uow.ledger.balances()
    by_key = {(a, c): s for a, c, s in rows}
    out: list[dict[str, object]] = []
    for spec in CHART_OF_ACCOUNTS.values():
        for (account, currency), balance in sorted(by_key.items()):
            if account == spec.account.value:
                out.append(
                    {
                        "object": "ledger_account",
                        "account": account,
                        "code": spec.code,
                        "name": spec.title,
                        "type": spec.type.value,
                        "normal_balance": spec.normal_balance.value,
                        "currency": currency,
                        "balance": balance,
                        # the balance on the account's normal side (positive when normal)
                        "normal_side_balance": balance * spec.normal_balance.sign,
                    }
                )
    return out
