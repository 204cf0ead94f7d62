"""The receivables aging: each invoice's open balance from the ledger's postings."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from payments.invoices.tables import invoices
from payments.ledger.tables import ledger_entries, ledger_transactions
from payments.platform.db.uow import Repository
from payments.reports.domain.receivables import OpenInvoice
from payments.reports.domain.summary import Period
from payments.reports.repository._shared import _bounds


class ReceivablesQueries(Repository):
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
