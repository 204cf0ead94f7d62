"""All SQL of the FX capability."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from payments.fx.tables import fx_rates
from payments.platform.db.uow import Repository


class FxRateRepository(Repository):
    async def store(
        self, rates: dict[str, list[tuple[date, Decimal]]], *, fetched: datetime
    ) -> int:
        rows = [
            {"currency": c, "rate_date": d, "rate": str(r), "fetched": fetched}
            for c, series in rates.items()
            for d, r in series
        ]
        if not rows:
            return 0
        dialect = postgresql if self.dialect == "postgresql" else sqlite
        stmt = dialect.insert(fx_rates).values(rows)
        await self._conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["currency", "rate_date"],
                set_={"rate": stmt.excluded.rate, "fetched": stmt.excluded.fetched},
            )
        )
        return len(rows)

    async def stored(self) -> dict[str, list[tuple[date, Decimal]]]:
        out: dict[str, list[tuple[date, Decimal]]] = {}
        rows = await self._conn.execute(
            sa.select(fx_rates.c.currency, fx_rates.c.rate_date, fx_rates.c.rate)
        )
        for currency, day, rate in rows.all():
            out.setdefault(currency, []).append((day, Decimal(rate)))
        return out
