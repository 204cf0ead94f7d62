"""The journal: append-only transactions and entries, plus sharded running balances.

:meth:`LedgerRepository.post` writes a balanced :class:`JournalTransaction` in the
caller's unit of work. A movement is posted at most once per (kind, source):
a second post of the same movement is a no-op that returns ``False``.

The running balances of all the postings of one unit of work are applied together
by :meth:`LedgerRepository.flush`, which the unit of work calls just before it
commits: one executemany, rows in (account, currency) order, one shard. Balance rows
are therefore always the last rows a transaction locks, always in the same order,
and held only until the commit follows: concurrent postings queue briefly on a
shard but never deadlock (two postings in one transaction, each taking its own
random shard in its own order, did).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.kernel.ids import id_for
from payments.kernel.pagination import Page, PageRequest
from payments.ledger.domain.accounts import Account
from payments.ledger.domain.journal import JournalTransaction, TransactionKind
from payments.ledger.tables import ledger_balances, ledger_entries, ledger_transactions
from payments.platform.db.fast import Fast
from payments.platform.db.listing import fetch_page
from payments.platform.db.uow import Repository

BALANCE_SHARDS = 8

_INSERT_ENTRIES = Fast(ledger_entries.insert())


@cache
def _insert_transaction(dialect: Any) -> Any:
    """Insert a journal transaction unless its (kind, source) is posted; RETURNING its id."""
    return (
        dialect.insert(ledger_transactions)
        .on_conflict_do_nothing(index_elements=["kind", "source_type", "source_id"])
        .returning(ledger_transactions.c.id)
    )


@cache
def _upsert_balance(dialect: Any) -> Fast:
    """Add a delta to one running balance row. Built once: executed with all the rows of a
    flush as one executemany (one pipelined round trip, rows locked in the order given);
    a multi-row ``insert().values([...])`` cannot be cached by SQLAlchemy and was
    compiled anew for every posting, several times the cost of running it."""
    insert = dialect.insert(ledger_balances)
    return Fast(
        insert.on_conflict_do_update(
            index_elements=["account", "currency", "shard"],
            set_={"balance": ledger_balances.c.balance + insert.excluded.balance},
        )
    )


class LedgerRepository(Repository):
    flush_last = True  # its running balances take the most contended row locks

    def __init__(self, conn: AsyncConnection) -> None:
        super().__init__(conn)
        self._dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        self._deltas: dict[tuple[str, str], int] = defaultdict(int)  # until flush()

    async def post(
        self, tx: JournalTransaction, *, when: datetime, location_id: str | None = None
    ) -> bool:
        return (await self.post_all([tx], when=when, location_id=location_id))[0]

    async def post_all(
        self, txs: list[JournalTransaction], *, when: datetime, location_id: str | None = None
    ) -> list[bool]:
        """Post several movements with one statement for the transactions and one for
        their entries; says of each whether it was new (``False``: posted before)."""
        if not txs:
            return []
        ids = [id_for("ledger_transaction") for _ in txs]
        inserted = await self._conn.execute(
            _insert_transaction(self._dialect),
            [
                {
                    "id": tx_id,
                    "kind": tx.kind.value,
                    "source_type": tx.source.object,
                    "source_id": tx.source.id,
                    "description": tx.description[:500],
                    "location_id": location_id,
                    "created": when,
                }
                for tx_id, tx in zip(ids, txs, strict=True)
            ],
        )
        new = set(inserted.scalars())
        entries = []
        for tx_id, tx in zip(ids, txs, strict=True):
            if tx_id not in new:
                continue
            for e in tx.entries:
                self._deltas[(e.account.value, e.currency)] += e.amount
                entries.append(
                    {
                        "transaction_id": tx_id,
                        "account": e.account.value,
                        "currency": e.currency,
                        "amount": e.amount,
                        "dimension": e.dimension,
                    }
                )
        if entries:
            await _INSERT_ENTRIES.execute_many(self._conn, entries)
        return [tx_id in new for tx_id in ids]

    async def before_commit(self) -> None:
        await self.flush()

    async def flush(self) -> None:
        """Add this transaction's postings to the running balances (see the module doc)."""
        deltas = sorted((k, v) for k, v in self._deltas.items() if v)
        self._deltas.clear()
        if not deltas:
            return
        shard = random.randrange(BALANCE_SHARDS)
        await _upsert_balance(self._dialect).execute_many(  # rows locked in this (sorted) order
            self._conn,
            [
                {"account": account, "currency": currency, "shard": shard, "balance": amount}
                for (account, currency), amount in deltas
            ],
        )

    async def balances(self) -> list[tuple[str, str, int]]:
        await self.flush()
        b = ledger_balances
        rows = await self._conn.execute(
            sa.select(b.c.account, b.c.currency, sa.func.sum(b.c.balance))
            .group_by(b.c.account, b.c.currency)
            .order_by(b.c.account, b.c.currency)
        )
        return [(a, c, int(s)) for a, c, s in rows.all()]

    async def entry_sums(self) -> list[tuple[str, str, int]]:
        e = ledger_entries
        rows = await self._conn.execute(
            sa.select(e.c.account, e.c.currency, sa.func.sum(e.c.amount))
            .group_by(e.c.account, e.c.currency)
            .order_by(e.c.account, e.c.currency)
        )
        return [(a, c, int(s)) for a, c, s in rows.all()]

    async def dimension_sums(
        self, account: str, *, dimension_prefix: str | None = None, dimension: str | None = None
    ) -> list[tuple[str | None, str, int]]:
        """(dimension, currency, signed sum of entries) of one account, by dimension;
        ``dimension_prefix`` keeps the dimensions starting with it, ``dimension`` that one."""
        e = ledger_entries
        query = (
            sa.select(e.c.dimension, e.c.currency, sa.func.sum(e.c.amount))
            .where(e.c.account == account)
            .group_by(e.c.dimension, e.c.currency)
            .order_by(e.c.dimension, e.c.currency)
        )
        if dimension_prefix:
            query = query.where(e.c.dimension.startswith(dimension_prefix, autoescape=True))
        if dimension is not None:
            query = query.where(e.c.dimension == dimension)
        rows = await self._conn.execute(query)
        return [(d, c, int(s)) for d, c, s in rows.all()]

    async def read_snapshot(self) -> None:
        """Make the rest of this (read-only) transaction read one snapshot of the book, so a
        long read (``ledger verify`` streaming a big journal) cannot see postings committed
        after it began in some statements and not in others. Call it before any read.
        PostgreSQL: REPEATABLE READ, READ ONLY; SQLite's single writer needs nothing."""
        if self._conn.dialect.name == "postgresql":
            await self._conn.execute(
                sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            )

    async def count_transactions(self) -> int:
        query = sa.select(sa.func.count()).select_from(ledger_transactions)
        return int((await self._conn.execute(query)).scalar_one())

    async def transactions_in_batches(
        self, batch_size: int
    ) -> AsyncIterator[list[tuple[str, list[Any]]]]:
        """Every journal transaction in id order, with its entries (in entry order; none if it
        has none), ``batch_size`` transactions at a time: what is in memory is one batch,
        whatever the size of the book (keyset pagination on the transaction id)."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        t, e = ledger_transactions, ledger_entries
        after: str | None = None
        while True:
            query = sa.select(t.c.id).order_by(t.c.id).limit(batch_size)
            if after is not None:
                query = query.where(t.c.id > after)
            ids = list((await self._conn.execute(query)).scalars())
            if not ids:
                return
            grouped: dict[str, list[Any]] = defaultdict(list)
            rows = await self._conn.execute(  # the batch is every id in this range
                sa.select(e)
                .where(e.c.transaction_id.between(ids[0], ids[-1]))
                .order_by(e.c.transaction_id, e.c.id)
            )
            for row in rows:
                grouped[row.transaction_id].append(row)
            yield [(tx_id, grouped.get(tx_id, [])) for tx_id in ids]
            if len(ids) < batch_size:
                return
            after = ids[-1]

    async def postings_by_source(self, kinds: list[str]) -> dict[str, int]:
        t = ledger_transactions
        rows = await self._conn.execute(
            sa.select(t.c.source_id, sa.func.count())
            .where(t.c.kind.in_(kinds))
            .group_by(t.c.source_id)
        )
        return {source_id: int(n) for source_id, n in rows.all()}

    async def posting_counts(self, source_type: str) -> Counter[tuple[str, str]]:
        """(kind, source id) -> how many transactions, for one source type."""
        t = ledger_transactions
        rows = await self._conn.execute(
            sa.select(t.c.kind, t.c.source_id, sa.func.count())
            .where(t.c.source_type == source_type)
            .group_by(t.c.kind, t.c.source_id)
        )
        return Counter({(kind, source): int(n) for kind, source, n in rows.all()})

    async def source_sums(
        self, account: str, source_type: str, kind: str
    ) -> list[tuple[str, str, int]]:
        """(source id, currency, signed sum) of one account's entries posted by the
        transactions of one kind and source type (e.g. the VAT due on receipt of each
        invoice payment of an advance invoice)."""
        t, e = ledger_transactions, ledger_entries
        rows = await self._conn.execute(
            sa.select(t.c.source_id, e.c.currency, sa.func.sum(e.c.amount))
            .join(e, e.c.transaction_id == t.c.id)
            .where(t.c.source_type == source_type, t.c.kind == kind, e.c.account == account)
            .group_by(t.c.source_id, e.c.currency)
        )
        return [(source_id, currency, int(amount)) for source_id, currency, amount in rows.all()]

    async def fee_amounts(self, source_type: str) -> dict[str, dict[str, int]]:
        """Source id -> {currency: amount} debited to ``gateway_fees`` by the ``charge.fee``
        postings of one source type (e.g. dispute fees)."""
        t, e = ledger_transactions, ledger_entries
        rows = await self._conn.execute(
            sa.select(t.c.source_id, e.c.currency, sa.func.sum(e.c.amount))
            .join(e, e.c.transaction_id == t.c.id)
            .where(
                t.c.source_type == source_type,
                t.c.kind == TransactionKind.CHARGE_FEE.value,
                e.c.account == Account.GATEWAY_FEES.value,
            )
            .group_by(t.c.source_id, e.c.currency)
        )
        fees: dict[str, dict[str, int]] = defaultdict(dict)
        for source_id, currency, amount in rows.all():
            fees[source_id][currency] = int(amount)
        return fees

    async def list_transactions(
        self, page: PageRequest, *, source_id: str | None = None, location_id: str | None = None
    ) -> Page[dict[str, Any]]:
        t = ledger_transactions
        where = []
        if source_id:
            where.append(t.c.source_id == source_id)
        if location_id:
            where.append(t.c.location_id == location_id)
        rows, has_more = await fetch_page(self._conn, t, where, page)
        ids = [r.id for r in rows]
        entries: dict[str, list[dict[str, Any]]] = defaultdict(list)
        if ids:
            found = await self._conn.execute(
                sa.select(ledger_entries)
                .where(ledger_entries.c.transaction_id.in_(ids))
                .order_by(ledger_entries.c.id)
            )
            for e in found.all():
                entries[e.transaction_id].append(
                    {
                        "account": e.account,
                        "currency": e.currency,
                        "amount": e.amount,
                        "dimension": e.dimension,
                    }
                )
        data = [dict(r._mapping) | {"entries": entries[r.id]} for r in rows]
        return Page(data, has_more)
