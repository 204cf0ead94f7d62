"""The rows of itemized reports and the journal, a batch at a time (keyset pagination)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from payments.intents.tables import charges
from payments.ledger.tables import ledger_entries, ledger_transactions
from payments.platform.db.uow import Repository
from payments.refunds.tables import refunds
from payments.reports.domain.runs import ReportParameters

BATCH_ROWS = 20000  # rows of an itemized report per query (and per progress update)


Cursor = tuple[Any, ...] | None


def _after(after: tuple[Any, ...], created: Any, *keys: Any) -> list[Any]:
    """Rows after the keyset cursor: ``created >= c`` lets the index on ``created`` start
    at the cursor (the row comparison alone would make every batch scan from the start
    of the interval: quadratic in the rows of the report)."""
    return [created >= after[0], sa.tuple_(created, *keys) > sa.tuple_(*after)]


class ReportRowsRepository(Repository):
    """The rows of itemized reports and the journal, a batch at a time in a stable order
    (keyset pagination: constant memory, any size)."""

    async def count(self, kind: str, p: ReportParameters) -> int:
        query = {
            "payments.itemized": self._payments,
            "refunds.itemized": self._refunds,
            "ledger.journal": self._journal,
        }[kind](p, None)
        sub = query.order_by(None).limit(None).subquery()
        return int(
            (await self._conn.execute(sa.select(sa.func.count()).select_from(sub))).scalar() or 0
        )

    async def batch(
        self, kind: str, p: ReportParameters, after: Cursor
    ) -> tuple[list[dict[str, Any]], Cursor]:
        query = {
            "payments.itemized": self._payments,
            "refunds.itemized": self._refunds,
            "ledger.journal": self._journal,
        }[kind](p, after)
        rows = [dict(r._mapping) for r in (await self._conn.execute(query)).all()]
        if not rows:
            return [], None
        last = rows[-1]
        keys = sorted(k for k in last if k.startswith("_k"))
        cursor = tuple(last[k] for k in keys)
        for row in rows:
            for k in keys:
                row.pop(k, None)
        return rows, cursor

    async def batch_tuples(
        self, kind: str, p: ReportParameters, after: Cursor
    ) -> tuple[list[Sequence[Any]], list[str], Cursor]:
        """:meth:`batch` as plain tuples and their column names (no dict per row: a
        million-row report builds none)."""
        query = {"payments.itemized": self._payments, "refunds.itemized": self._refunds}[kind](
            p, after
        )
        result = await self._conn.execute(query)
        keys = list(result.keys())
        rows: list[Sequence[Any]] = list(result.all())
        if not rows:
            return [], keys, None
        at = [i for i, k in enumerate(keys) if k.startswith("_k")]
        return rows, keys, tuple(rows[-1][i] for i in at)

    def _iso_utc(self, column: Any) -> Any:
        """A timestamp as ``2026-06-01T09:30:00Z``, written by the database (one Python
        datetime less per row)."""
        if self.dialect == "postgresql":
            return sa.func.to_char(
                sa.func.timezone("UTC", column), sa.literal_column('\'YYYY-MM-DD"T"HH24:MI:SS"Z"\'')
            )
        return sa.func.strftime("%Y-%m-%dT%H:%M:%SZ", column)  # SQLite stores UTC ISO text

    def _payments(self, p: ReportParameters, after: Cursor) -> Any:
        ch = charges
        where = [
            ch.c.created >= p.interval_start,
            ch.c.created < p.interval_end,
            ch.c.status == "succeeded",
            ch.c.captured.is_(True),
        ]
        if p.location:
            where.append(ch.c.location_id == p.location)
        if p.currency:
            where.append(ch.c.currency == p.currency)
        if after:
            where += _after(after, ch.c.created, ch.c.id)
        fee = sa.func.coalesce(ch.c.fee, 0)
        return (
            sa.select(
                ch.c.id.label("charge_id"),
                ch.c.payment_intent_id,
                self._iso_utc(ch.c.created).label("created_utc"),
                ch.c.location_id.label("location"),
                ch.c.payment_method_details["type"].as_string().label("payment_method_type"),
                ch.c.customer_id.label("customer"),
                ch.c.currency,
                ch.c.amount_captured.label("gross"),
                fee.label("fee"),
                (ch.c.amount_captured - fee).label("net"),
                ch.c.created.label("_k1"),
                ch.c.id.label("_k2"),
            )
            .where(*where)
            .order_by(ch.c.created, ch.c.id)
            .limit(BATCH_ROWS)
        )

    def _refunds(self, p: ReportParameters, after: Cursor) -> Any:
        r = refunds
        where = [r.c.created >= p.interval_start, r.c.created < p.interval_end]
        if p.location:
            where.append(r.c.location_id == p.location)
        if p.currency:
            where.append(r.c.currency == p.currency)
        if after:
            where += _after(after, r.c.created, r.c.id)
        return (
            sa.select(
                r.c.id.label("refund_id"),
                r.c.charge_id,
                r.c.payment_intent_id,
                self._iso_utc(r.c.created).label("created_utc"),
                r.c.location_id.label("location"),
                r.c.status,
                r.c.reason,
                r.c.currency,
                r.c.amount,
                r.c.created.label("_k1"),
                r.c.id.label("_k2"),
            )
            .where(*where)
            .order_by(r.c.created, r.c.id)
            .limit(BATCH_ROWS)
        )

    def _journal(self, p: ReportParameters, after: Cursor) -> Any:
        t, e = ledger_transactions, ledger_entries
        where = [t.c.created >= p.interval_start, t.c.created < p.interval_end]
        if p.location:
            where.append(t.c.location_id == p.location)
        if p.currency:
            where.append(e.c.currency == p.currency)
        if after:
            where += _after(after, t.c.created, t.c.id, e.c.id)
        return (
            sa.select(
                t.c.id.label("transaction_id"),
                t.c.created.label("created_utc"),
                t.c.kind,
                t.c.source_type,
                t.c.source_id,
                t.c.location_id.label("location"),
                e.c.account,
                e.c.currency,
                e.c.amount,
                e.c.dimension,
                t.c.description,
                t.c.created.label("_k1"),
                t.c.id.label("_k2"),
                e.c.id.label("_k3"),
            )
            .select_from(e.join(t, t.c.id == e.c.transaction_id))
            .where(*where)
            .order_by(t.c.created, t.c.id, e.c.id)
            .limit(BATCH_ROWS)
        )

    async def balance_summary(self, p: ReportParameters) -> list[dict[str, Any]]:
        """``gateway_receivable`` (what the gateway holds for us) per currency: the balance
        before the interval, its movements in it per kind, and the balance after."""
        t, e = ledger_transactions, ledger_entries
        account = e.c.account == "gateway_receivable"
        joined = e.join(t, t.c.id == e.c.transaction_id)
        currency = [e.c.currency == p.currency] if p.currency else []
        before = await self._conn.execute(
            sa.select(e.c.currency, sa.func.sum(e.c.amount))
            .select_from(joined)
            .where(account, t.c.created < p.interval_start, *currency)
            .group_by(e.c.currency)
        )
        during = await self._conn.execute(
            sa.select(e.c.currency, t.c.kind, sa.func.sum(e.c.amount))
            .select_from(joined)
            .where(
                account, t.c.created >= p.interval_start, t.c.created < p.interval_end, *currency
            )
            .group_by(e.c.currency, t.c.kind)
            .order_by(e.c.currency, t.c.kind)
        )
        start = {c: int(s) for c, s in before.all()}
        moves: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for c, kind, s in during.all():
            moves[c].append((kind, int(s)))
        out: list[dict[str, Any]] = []
        for c in sorted(set(start) | set(moves)):
            opening = start.get(c, 0)
            out.append(
                {
                    "currency": c,
                    "category": "starting_balance",
                    "description": "Balance at the start of the interval",
                    "net_amount": opening,
                }
            )
            for kind, amount in moves[c]:
                out.append(
                    {
                        "currency": c,
                        "category": kind,
                        "description": f"Activity: {kind}",
                        "net_amount": amount,
                    }
                )
            out.append(
                {
                    "currency": c,
                    "category": "ending_balance",
                    "description": "Balance at the end of the interval",
                    "net_amount": opening + sum(a for _, a in moves[c]),
                }
            )
        return out
