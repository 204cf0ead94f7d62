"""The summaries: per-day figures, converted groups and authorizations, read from the
daily rollups (:mod:`payments.reports.rollups`), and rebuilding them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from payments.platform.db.uow import Repository
from payments.reports.domain.summary import ConvertedGroup, DayFigures, DayRate, Dimension, Period
from payments.reports.repository._shared import _as_date
from payments.reports.rollups import rebuild_sql
from payments.reports.tables import daily_rollups, decline_rollups

_ARRAY_TEXT: Final = ARRAY(sa.Text)
_ARRAY_DATE: Final = ARRAY(sa.Date)
_ARRAY_NUM: Final = ARRAY(sa.Numeric)


def _present(r: Any) -> Any:
    """A group-day exists when a charge was captured, a refund succeeded or a dispute was
    opened on it (even if its sums are zero), as in the base tables."""
    return sa.or_(r.c.count != 0, r.c.refund_count != 0, r.c.dispute_count != 0)


class SummaryQueries(Repository):
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
