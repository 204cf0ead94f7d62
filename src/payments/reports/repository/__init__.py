"""All SQL of the reports: aggregate queries over charges, refunds, disputes, invoices,
credit notes and the journal, read through their date indexes (migration 0016)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from payments.intents.tables import charges
from payments.invoices.tables import credit_notes, invoices
from payments.kernel.pagination import PageRequest
from payments.ledger.tables import ledger_entries, ledger_transactions
from payments.platform.db.listing import fetch_page
from payments.platform.db.uow import Repository
from payments.refunds.tables import refunds
from payments.reports.domain.receivables import OpenInvoice
from payments.reports.domain.runs import ReportParameters
from payments.reports.domain.summary import (
    ConvertedGroup,
    DayFigures,
    DayRate,
    Dimension,
    Period,
)
from payments.reports.domain.vat import VatDocument, VatLine, vat_groups
from payments.reports.rollups import rebuild_sql
from payments.reports.tables import (
    daily_rollups,
    decline_rollups,
    file_chunks,
    files,
    report_runs,
)


def _bounds(period: Period) -> tuple[datetime, datetime]:
    """[start, end) in UTC of a period of whole UTC days."""
    start = datetime.combine(period.start, time(0), tzinfo=UTC)
    return start, datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=UTC)


_ARRAY_TEXT: Final = ARRAY(sa.Text)
_ARRAY_DATE: Final = ARRAY(sa.Date)
_ARRAY_NUM: Final = ARRAY(sa.Numeric)


def _present(r: Any) -> Any:
    """A group-day exists when a charge was captured, a refund succeeded or a dispute was
    opened on it (even if its sums are zero), as in the base tables."""
    return sa.or_(r.c.count != 0, r.c.refund_count != 0, r.c.dispute_count != 0)


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


class ReportRepository(Repository):
    def _day(self, column: Any) -> Any:
        """The UTC calendar day of a timestamp column."""
        if self.dialect == "postgresql":
            return sa.cast(sa.func.timezone("UTC", column), sa.Date)
        return sa.func.substr(column, 1, 10)  # SQLite stores UTC ISO text

    def _method_type(self) -> Any:
        return charges.c.payment_method_details["type"].as_string()

    async def day_figures(self, period: Period, *, location: str | None) -> list[DayFigures]:
        """Per UTC day, location, payment method type and currency: captured charges
        (count, gross, fees), succeeded refunds, withdrawn disputes not won (and their
        fees), each on the day it happened; read from the daily rollups
        (:mod:`payments.reports.rollups`), one row per day and group."""
        r = daily_rollups
        where = [r.c.day >= period.start, r.c.day <= period.end]
        if location:
            where.append(r.c.location_id == location)
        rows = await self._conn.execute(
            sa.select(
                r.c.day,
                r.c.location_id,
                r.c.payment_method_type,
                r.c.currency,
                r.c.count,
                r.c.gross,
                r.c.refunds,
                r.c.disputes,
                r.c.fees,
            ).where(*where, _present(r))
        )
        return [
            DayFigures(_as_date(d), loc, pm or None, cur, int(n), int(g), int(rf), int(dp), int(f))
            for d, loc, pm, cur, n, g, rf, dp, f in rows.all()
        ]

    async def rollup_days(self, period: Period, *, location: str | None) -> list[tuple[str, date]]:
        """The (currency, day) pairs with figures in the period: the rates a summary needs."""
        r = daily_rollups
        where = [r.c.day >= period.start, r.c.day <= period.end, _present(r)]
        if location:
            where.append(r.c.location_id == location)
        rows = await self._conn.execute(sa.select(r.c.currency, r.c.day).where(*where).distinct())
        return [(str(c), _as_date(d)) for c, d in rows.all()]

    async def converted_groups(
        self,
        period: Period,
        *,
        location: str | None,
        group_by: Sequence[Dimension],
        rates: Sequence[DayRate],
    ) -> list[ConvertedGroup]:
        """PostgreSQL: the summary's groups folded and converted in SQL, from the daily
        rollups joined with the rate of each (currency, day) (``rates``, as exact integer
        fractions). Each group-day is converted once, half-up on its magnitude, exactly as
        :func:`payments.fx.domain.converter` does, in ``numeric`` (no precision limit)."""
        r = daily_rollups
        where = [r.c.day >= period.start, r.c.day <= period.end, _present(r)]
        if location:
            where.append(r.c.location_id == location)
        keys: list[Any] = []
        for dim in group_by:
            if dim is Dimension.LOCATION:
                keys.append(r.c.location_id.label("location_id"))
            elif dim is Dimension.PAYMENT_METHOD_TYPE:
                keys.append(r.c.payment_method_type.label("payment_method_type"))
            elif dim is Dimension.DAY:
                keys.append(r.c.day.label("period"))
            elif dim in (Dimension.WEEK, Dimension.MONTH):
                unit = "week" if dim is Dimension.WEEK else "month"
                keys.append(sa.cast(sa.func.date_trunc(unit, r.c.day), sa.Date).label("period"))
        names = [k.name for k in keys]
        amounts = ("gross", "refunds", "disputes", "fees")
        if {Dimension.LOCATION, Dimension.PAYMENT_METHOD_TYPE} <= set(group_by):
            # a rollup row is already one group-day: no aggregation before converting
            day_sums = (
                sa.select(*keys, r.c.currency, r.c.day, r.c.count, *(r.c[a] for a in amounts))
                .where(*where)
                .subquery("d")
            )
        else:
            day_sums = (
                sa.select(
                    *keys,
                    r.c.currency,
                    r.c.day.label("day"),
                    sa.func.sum(r.c.count).label("count"),
                    *(sa.func.sum(r.c[a]).label(a) for a in amounts),
                )
                .where(*where)
                .group_by(*keys, r.c.currency, r.c.day)
                .subquery("d")
            )
        fx = (
            sa.select(
                sa.func.unnest(
                    sa.cast(sa.bindparam("fx_currency", [x.currency for x in rates]), _ARRAY_TEXT)
                ).label("currency"),
                sa.func.unnest(
                    sa.cast(sa.bindparam("fx_day", [x.day for x in rates]), _ARRAY_DATE)
                ).label("day"),
                sa.func.unnest(
                    sa.cast(sa.bindparam("fx_mult", [str(x.mult) for x in rates]), _ARRAY_NUM)
                ).label("mult"),
                sa.func.unnest(
                    sa.cast(sa.bindparam("fx_den", [str(x.den) for x in rates]), _ARRAY_NUM)
                ).label("den"),
                sa.func.unnest(
                    sa.cast(sa.bindparam("fx_rate_date", [x.rate_date for x in rates]), _ARRAY_DATE)
                ).label("rate_date"),
            )
        ).subquery("fx")
        d = day_sums.c

        def converted(amount: Any) -> Any:
            magnitude = sa.func.abs(amount) * fx.c.mult + fx.c.den
            return sa.func.sum(sa.func.sign(amount) * sa.func.div(magnitude, 2 * fx.c.den))

        net = d.gross - d.refunds - d.disputes - d.fees
        # one group-day per row: its hash tables would spill to disk with the default 4 MB
        await self._conn.execute(sa.text("SET LOCAL work_mem = '64MB'"))
        await self._conn.execute(sa.text("SET LOCAL jit = off"))  # costs more than it saves
        rows = await self._conn.execute(
            sa.select(
                *(d[n] for n in names),
                d.currency,
                sa.func.sum(d.count),
                *(sa.func.sum(d[a]) for a in ("gross", "refunds", "disputes", "fees")),
                sa.func.sum(net),
                *(converted(d[a]) for a in ("gross", "refunds", "disputes", "fees")),
                converted(net),
                sa.func.array_agg(sa.distinct(fx.c.rate_date)),
            )
            .select_from(day_sums.join(fx, sa.and_(fx.c.currency == d.currency, fx.c.day == d.day)))
            .group_by(*(d[n] for n in names), d.currency)
        )
        out = []
        for row in rows.all():
            values = list(row)
            key = dict(zip(names, values[: len(names)], strict=True))
            rest = values[len(names) :]
            out.append(
                ConvertedGroup(
                    location=key.get("location_id"),
                    payment_method_type=key.get("payment_method_type") or None,
                    period=_as_date(key["period"]) if "period" in key else None,
                    currency=str(rest[0]),
                    count=int(rest[1]),
                    amounts=tuple(int(v) for v in rest[2:7]),
                    converted=tuple(int(v) for v in rest[7:12]),
                    rate_dates=tuple(sorted(_as_date(v) for v in rest[12])),
                )
            )
        return out

    async def authorizations(
        self, period: Period, *, location: str | None
    ) -> tuple[int, int, list[tuple[str, int]]]:
        """Charges authorized and declined in the period, and the decline codes by count
        (from the daily rollups)."""
        r, dr = daily_rollups, decline_rollups
        where = [r.c.day >= period.start, r.c.day <= period.end]
        if location:
            where.append(r.c.location_id == location)
        authorized, declined = (
            await self._conn.execute(
                sa.select(sa.func.sum(r.c.authorized), sa.func.sum(r.c.declined)).where(*where)
            )
        ).one()
        where = [dr.c.day >= period.start, dr.c.day <= period.end]
        if location:
            where.append(dr.c.location_id == location)
        n = sa.func.sum(dr.c.count)
        rows = await self._conn.execute(
            sa.select(dr.c.code, n.label("n"))
            .where(*where)
            .group_by(dr.c.code)
            .having(n != 0)
            .order_by(sa.desc("n"), dr.c.code)
            .limit(10)
        )
        return (
            int(authorized or 0),
            int(declined or 0),
            [(str(c), int(n)) for c, n in rows.all()],
        )

    async def rebuild_rollups(self) -> dict[str, int]:
        """Recompute the rollups from the base tables; the rows each now has."""
        for statement in rebuild_sql(self.dialect):
            await self._conn.execute(sa.text(statement))
        out: dict[str, int] = {}
        for table in (daily_rollups, decline_rollups):
            count = sa.select(sa.func.count()).select_from(table)
            out[table.name] = int((await self._conn.execute(count)).scalar() or 0)
        return out

    async def vat_documents(
        self, period: Period, *, legal_entity: str | None, location: str | None
    ) -> list[VatDocument]:
        """Invoices with their tax point and credit notes issued in the period (and those
        voided in it, negated), with the buyer details the VAT report sorts them by."""
        start, end = _bounds(period)
        inv = invoices
        buyer = [inv.c.customer_address, inv.c.customer_tax_ids, inv.c.seller]
        docs: list[VatDocument] = []

        def _filters(table: Any) -> list[Any]:
            out = []
            if legal_entity:
                out.append(table.c.legal_entity_id == legal_entity)
            if location:
                out.append(table.c.location_id == location)
            return out

        rows = await self._conn.execute(
            sa.select(
                inv.c.id,
                inv.c.number,
                inv.c.currency,
                inv.c.tax_breakdown,
                inv.c.tax_point,
                inv.c.voided_at,
                *buyer,
            ).where(
                inv.c.tax_point.is_not(None),
                sa.or_(
                    sa.and_(inv.c.tax_point >= period.start, inv.c.tax_point <= period.end),
                    sa.and_(inv.c.voided_at >= start, inv.c.voided_at < end),
                ),
                *_filters(inv),
            )
        )
        for row in rows.all():
            if period.start <= row.tax_point <= period.end:
                docs.append(_document("invoice", row, row.tax_point, 1))
            if row.voided_at is not None and start <= row.voided_at < end:
                docs.append(_document("invoice", row, row.voided_at.date(), -1))
        cn = credit_notes
        rows = await self._conn.execute(
            sa.select(
                cn.c.id,
                cn.c.number,
                cn.c.currency,
                cn.c.tax_breakdown,
                cn.c.issue_date,
                cn.c.voided_at,
                *buyer,
            )
            .select_from(cn.join(inv, inv.c.id == cn.c.invoice_id))
            .where(
                sa.or_(
                    sa.and_(cn.c.issue_date >= period.start, cn.c.issue_date <= period.end),
                    sa.and_(cn.c.voided_at >= start, cn.c.voided_at < end),
                ),
                *_filters(cn),
            )
        )
        for row in rows.all():
            if period.start <= row.issue_date <= period.end:
                docs.append(_document("credit_note", row, row.issue_date, -1))
            if row.voided_at is not None and start <= row.voided_at < end:
                docs.append(_document("credit_note", row, row.voided_at.date(), 1))
        return docs

    async def vat_lines(
        self, period: Period, *, legal_entity: str | None, location: str | None
    ) -> list[VatLine]:
        """PostgreSQL: :meth:`vat_documents` summed by the database (each document's
        ``tax_breakdown`` unnested with ``jsonb_array_elements``), as :class:`VatLine`\\ s:
        a few rows per country, rate and buyer instead of every document of the period."""
        start, end = _bounds(period)
        params: dict[str, Any] = {"first": period.start, "last": period.end, "start": start}
        params["end"] = end

        def only(alias: str) -> str:
            out = ""
            if legal_entity:
                out += f" AND {alias}.legal_entity_id = :legal_entity"
                params["legal_entity"] = legal_entity
            if location:
                out += f" AND {alias}.location_id = :location"
                params["location"] = location
            return out

        # the planner guesses 100 VAT groups per document and would spend seconds on JIT
        await self._conn.execute(sa.text("SET LOCAL jit = off"))
        rows = await self._conn.execute(
            sa.text(_VAT_LINES.format(invoices=only("i"), credit_notes=only("cn"), vat_id=_VAT_ID)),
            params,
        )
        return [
            VatLine(
                r.object,
                int(r.sign),
                r.currency,
                r.seller_country,
                r.buyer_country,
                r.buyer_vat_id,
                r.country,
                r.category,
                r.rate,
                int(r.taxable_amount),
                int(r.tax_amount),
                int(r.documents),
            )
            for r in rows.all()
        ]

    async def open_invoices(self, as_of: date, *, location: str | None) -> list[OpenInvoice]:
        """Each invoice's ``accounts_receivable`` balance from the postings up to the end
        of ``as_of`` (UTC), where it is not zero."""
        _, end = _bounds(Period(as_of, as_of))
        e, t, inv = ledger_entries, ledger_transactions, invoices
        balance = sa.func.sum(e.c.amount)
        owed = (
            sa.select(e.c.dimension.label("invoice_id"), e.c.currency, balance.label("owed"))
            .select_from(e.join(t, t.c.id == e.c.transaction_id))
            .where(e.c.account == "accounts_receivable", t.c.created < end)
            .group_by(e.c.dimension, e.c.currency)
            .having(balance != 0)
            .subquery()
        )
        where = [inv.c.location_id == location] if location else []
        rows = await self._conn.execute(
            sa.select(
                inv.c.id,
                inv.c.number,
                inv.c.customer_id,
                inv.c.customer_name,
                owed.c.currency,
                inv.c.due_date,
                inv.c.issue_date,
                owed.c.owed,
            )
            .select_from(owed.join(inv, inv.c.id == owed.c.invoice_id))
            .where(*where)
        )
        return [
            OpenInvoice(
                invoice=r.id,
                number=r.number,
                customer=r.customer_id,
                customer_name=r.customer_name,
                currency=r.currency,
                due=r.due_date or r.issue_date or as_of,
                amount_remaining=int(r.owed),
            )
            for r in rows.all()
        ]


#: The buyer's VAT id: the first of its tax ids whose type ends in ``_vat``, with a value.
_VAT_ID: Final = """(SELECT t.value ->> 'value'
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(d.customer_tax_ids) = 'array'
                              THEN d.customer_tax_ids ELSE '[]'::jsonb END)
         WITH ORDINALITY AS t(value, n)
    WHERE t.value ->> 'type' LIKE '%\\_vat' AND COALESCE(t.value ->> 'value', '') <> ''
    ORDER BY t.n LIMIT 1)"""

#: Invoices on their tax point (+) and voided (-), credit notes issued (-) and voided (+)
#: in the period; ``counted``: the document's first appearance (a document issued and
#: voided in the same period is one document).
_VAT_LINES: Final = """
WITH d AS (
    SELECT 'invoice' AS object, i.id, 1 AS sign, true AS counted, i.currency,
        i.tax_breakdown, i.seller, i.customer_country, i.customer_tax_ids
    FROM invoices i
    WHERE i.tax_point >= :first AND i.tax_point <= :last{invoices}
  UNION ALL
    SELECT 'invoice', i.id, -1, NOT (i.tax_point >= :first AND i.tax_point <= :last),
        i.currency, i.tax_breakdown, i.seller, i.customer_country, i.customer_tax_ids
    FROM invoices i
    WHERE i.tax_point IS NOT NULL AND i.voided_at >= :start AND i.voided_at < :end{invoices}
  UNION ALL
    SELECT 'credit_note', cn.id, -1, true, cn.currency, cn.tax_breakdown, i.seller,
        i.customer_country, i.customer_tax_ids
    FROM credit_notes cn JOIN invoices i ON i.id = cn.invoice_id
    WHERE cn.issue_date >= :first AND cn.issue_date <= :last{credit_notes}
  UNION ALL
    SELECT 'credit_note', cn.id, 1,
        NOT (cn.issue_date IS NOT NULL AND cn.issue_date >= :first AND cn.issue_date <= :last),
        cn.currency, cn.tax_breakdown, i.seller, i.customer_country, i.customer_tax_ids
    FROM credit_notes cn JOIN invoices i ON i.id = cn.invoice_id
    WHERE cn.voided_at >= :start AND cn.voided_at < :end{credit_notes}
), b AS (
    SELECT d.object, d.id, d.sign, d.counted, d.currency,
        d.seller -> 'address' ->> 'country' AS seller_country,
        d.customer_country AS buyer_country,
        {vat_id} AS buyer_vat_id,
        g.value AS g
    FROM d, jsonb_array_elements(CASE WHEN jsonb_typeof(d.tax_breakdown) = 'array'
                                 THEN d.tax_breakdown ELSE '[]'::jsonb END) AS g
)
SELECT b.object, b.sign, b.currency, b.seller_country, b.buyer_country, b.buyer_vat_id,
    b.g ->> 'country' AS country, b.g ->> 'category' AS category, b.g ->> 'rate' AS rate,
    SUM(CAST(b.g ->> 'taxable_amount' AS bigint)) AS taxable_amount,
    SUM(CAST(b.g ->> 'amount' AS bigint)) AS tax_amount,
    COUNT(DISTINCT b.id) FILTER (WHERE b.counted) AS documents
FROM b
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
"""


def _document(kind: str, row: Any, day: date, sign: int) -> VatDocument:
    address = row.customer_address or {}
    seller = row.seller or {}
    vat_id = None
    for tax_id in row.customer_tax_ids or []:
        if str(tax_id.get("type", "")).endswith("_vat") and tax_id.get("value"):
            vat_id = str(tax_id["value"])
            break
    return VatDocument(
        object=kind,
        id=row.id,
        number=row.number,
        day=day,
        sign=sign,
        currency=row.currency,
        seller_country=(seller.get("address") or {}).get("country"),
        buyer_country=address.get("country"),
        buyer_vat_id=vat_id,
        groups=vat_groups(row.tax_breakdown or []),
    )


# --------------------------------------------------------------------------- report runs

BATCH_ROWS = 20000  # rows of an itemized report per query (and per progress update)


class ReportRunRepository(Repository):
    async def insert(self, values: dict[str, Any]) -> None:
        await self._conn.execute(report_runs.insert().values(**values))

    async def get(self, run_id: str) -> dict[str, Any] | None:
        row = (
            await self._conn.execute(sa.select(report_runs).where(report_runs.c.id == run_id))
        ).first()
        return dict(row._mapping) if row else None

    async def page(
        self, page: PageRequest, *, location: str | None
    ) -> tuple[list[dict[str, Any]], bool]:
        where = [report_runs.c.location_id == location] if location else []
        rows, more = await fetch_page(self._conn, report_runs, where, page)
        return [dict(r._mapping) for r in rows], more

    async def claim(
        self, now: datetime, *, lease_until: datetime, run_id: str | None = None
    ) -> dict[str, Any] | None:
        """Lock and lease the oldest pending run (or this one) no live worker holds."""
        t = report_runs
        free = sa.or_(t.c.locked_until.is_(None), t.c.locked_until < now)
        only = [t.c.id == run_id] if run_id else []
        query = (
            sa.select(t.c.id)
            .where(t.c.status == "pending", free, *only)
            .order_by(t.c.created)
            .limit(1)
        )
        if self.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        run_id = (await self._conn.execute(query)).scalar()
        if run_id is None:
            return None
        await self._conn.execute(
            t.update()
            .where(t.c.id == run_id)
            .values(locked_until=lease_until, attempts=t.c.attempts + 1, rows_done=0)
        )
        return await self.get(run_id)

    async def update(self, run_id: str, **values: Any) -> None:
        await self._conn.execute(
            report_runs.update().where(report_runs.c.id == run_id).values(**values)
        )


class FileRepository(Repository):
    async def insert(self, values: dict[str, Any]) -> None:
        await self._conn.execute(files.insert().values(**values))

    async def get(self, file_id: str) -> dict[str, Any] | None:
        row = (await self._conn.execute(sa.select(files).where(files.c.id == file_id))).first()
        return dict(row._mapping) if row else None

    async def add_chunk(self, file_id: str, seq: int, data: bytes) -> None:
        await self._conn.execute(file_chunks.insert().values(file_id=file_id, seq=seq, data=data))

    async def drop_chunks(self, file_id: str) -> None:
        await self._conn.execute(file_chunks.delete().where(file_chunks.c.file_id == file_id))

    async def chunks_from(self, file_id: str, seq: int, limit: int) -> list[tuple[int, bytes]]:
        rows = await self._conn.execute(
            sa.select(file_chunks.c.seq, file_chunks.c.data)
            .where(file_chunks.c.file_id == file_id, file_chunks.c.seq >= seq)
            .order_by(file_chunks.c.seq)
            .limit(limit)
        )
        return [(int(s), bytes(d)) for s, d in rows.all()]


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
