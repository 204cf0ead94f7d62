"""Reading and proving the ledger: balances, journal, and ``payments ledger verify``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from payments.kernel.access import Permission
from payments.kernel.context import RequestContext
from payments.kernel.errors import NotFound, PermissionDenied
from payments.kernel.money import Money
from payments.ledger.domain.accounts import CHART_OF_ACCOUNTS, Account
from payments.ledger.domain.checks import Balances
from payments.ledger.domain.journal import JournalCheck
from payments.ledger.repository import LedgerRepository
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory

LedgerCheck = Callable[[UnitOfWork, Balances], Awaitable[list[str]]]
"""A capability's contribution to ``payments ledger verify``: given the unit of work and
the sum of entries per (account, currency), the problems it finds."""


def require_ledger_reader(ctx: RequestContext) -> None:
    """Reading balances or the journal needs ``read_ledger`` and an unrestricted key.

    The ledger is company-wide: its balances are not kept per shop, and not every
    movement belongs to one shop (a payout settles many shops' payments at once), so a
    shop's share of it cannot be told reliably. A key restricted to one location is
    refused (403) rather than shown a partial or company-wide picture."""
    ctx.require(Permission.read_ledger)
    if ctx.principal.location_id is not None:
        raise PermissionDenied(
            "The ledger is company-wide; an API key restricted to one location cannot "
            "read it. Use an unrestricted finance or admin key.",
            code="insufficient_permissions",
        )


#: Journal transactions read per query by :func:`verify_ledger` (with their entries).
VERIFY_BATCH_SIZE = 1000

#: ``progress(checked, total)``: journal transactions checked so far, of ``total``.
Progress = Callable[[int, int], None]


async def verify_ledger(
    *,
    uow_factory: UnitOfWorkFactory,
    checks: Sequence[LedgerCheck] = (),
    batch_size: int = VERIFY_BATCH_SIZE,
    progress: Progress | None = None,
) -> list[str]:
    """Every problem found; an empty list means the ledger is sound. Checks that:

    1. every transaction has at least two entries and balances per currency;
    2. the running balances equal the sum of the entries, per account and currency;
    3. whatever each capability's check proves of its objects' postings (charges,
       refunds, disputes, ...: see ``payments.app.capabilities.LEDGER_CHECKS``).

    The journal is streamed in transaction id order, ``batch_size`` transactions at a
    time, each checked as it comes (:class:`~payments.ledger.domain.journal.JournalCheck`):
    memory does not grow with the number of entries. ``progress`` is called after each
    batch. Everything is read from one snapshot of the database.
    """
    async with uow_factory() as uow:
        ledger = uow.repo(LedgerRepository)
        await ledger.read_snapshot()
        total = await ledger.count_transactions() if progress is not None else 0
        empty: list[str] = []
        check = JournalCheck()
        checked = 0
        async for batch in ledger.transactions_in_batches(batch_size):
            for tx_id, rows in batch:
                if rows:
                    check.add(tx_id, rows)
                else:
                    empty.append(f"transaction {tx_id}: has no entries")
            checked += len(batch)
            if progress is not None:
                progress(checked, max(total, checked))
        problems = empty + check.problems()
        sums = {(a, c): s for a, c, s in await ledger.entry_sums()}
        balances = {(a, c): s for a, c, s in await ledger.balances()}
        for key in sorted(set(sums) | set(balances)):
            if sums.get(key, 0) != balances.get(key, 0):
                problems.append(
                    f"balance of {key[0]} in {key[1]} is {balances.get(key, 0)} but its entries "
                    f"sum to {sums.get(key, 0)}"
                )
        for capability_check in checks:
            problems += await capability_check(uow, sums)
    return problems


async def dimension_balances(
    account: str, *, prefix: str | None, uow_factory: UnitOfWorkFactory
) -> list[dict[str, object]]:
    """One account's balance per dimension and currency (VAT per country and rate on
    ``vat_payable``, what each invoice still owes on ``accounts_receivable``)."""
    try:
        spec = Account(account).spec
    except ValueError:
        raise NotFound.of("ledger account", account, param="account") from None
    async with uow_factory() as uow:
        rows = await uow.repo(LedgerRepository).dimension_sums(account, dimension_prefix=prefix)
    return [
        {
            "object": "ledger_dimension_balance",
            "account": account,
            "dimension": dimension,
            "currency": currency,
            "balance": balance,
            "normal_side_balance": balance * spec.normal_balance.sign,
        }
        for dimension, currency, balance in rows
    ]


async def customer_credit(
    customer_id: str, *, uow_factory: UnitOfWorkFactory, ctx: RequestContext
) -> list[Money]:
    """What we hold for one customer (``customer_credit`` with the customer as its
    dimension: over-payments and credit notes credited to their balance, less what was
    applied or paid back), per currency, positive when we owe it, zero balances left out.

    Unlike the company-wide balances this is a fact about one customer, so it needs only
    ``read``: the caller shows it with a customer the person may see (a shop's staff get
    404 for another shop's customer before asking)."""
    ctx.require(Permission.read)
    sign = Account.CUSTOMER_CREDIT.spec.normal_balance.sign
    async with uow_factory() as uow:
        rows = await uow.repo(LedgerRepository).dimension_sums(
            Account.CUSTOMER_CREDIT.value, dimension=customer_id
        )
    return [Money(balance * sign, currency) for _, currency, balance in rows if balance]


async def account_balances(*, uow_factory: UnitOfWorkFactory) -> list[dict[str, object]]:
    async with uow_factory() as uow:
        rows = await uow.repo(LedgerRepository).balances()
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
