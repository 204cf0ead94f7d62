"""All SQL of invoicing: invoices, lines, credit notes, and the number series."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from payments.invoices.domain.model import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from payments.invoices.tables import (
    credit_note_lines,
    credit_notes,
    invoice_lines,
    invoices,
    number_series,
)
from payments.kernel.pagination import Created, Page, PageRequest
from payments.platform.db.listing import list_filters
from payments.platform.db.records import RecordRepository
from payments.platform.db.uow import Repository


class InvoiceRepository(RecordRepository[Invoice]):
    table = invoices
    record = Invoice

    async def list_matching(
        self,
        page: PageRequest,
        *,
        customer: str | None = None,
        location_id: str | None = None,
        status: str | None = None,
        created_gte: datetime | None = None,
        created_lte: datetime | None = None,
        due_date_gte: date | None = None,
        due_date_lte: date | None = None,
    ) -> Page[Invoice]:
        where = list_filters(
            invoices,
            equals={"customer_id": customer, "status": status},
            created=Created(gte=created_gte, lte=created_lte),
            location_id=location_id,
        )
        if due_date_gte is not None:
            where.append(invoices.c.due_date >= due_date_gte)
        if due_date_lte is not None:
            where.append(invoices.c.due_date <= due_date_lte)
        return await self.page(page, where)

    async def ledger_view(self) -> list[tuple[str, str, str, int, int]]:
        """(id, status, currency, amount_remaining, total) of every finalized invoice."""
        c = invoices.c
        query = sa.select(c.id, c.status, c.currency, c.amount_remaining, c.total).where(
            c.status != "draft"
        )
        return [tuple(row) for row in (await self._conn.execute(query)).all()]


class InvoiceLineRepository(RecordRepository[InvoiceLine]):
    table = invoice_lines
    record = InvoiceLine

    async def of_invoice(self, invoice_id: str) -> list[InvoiceLine]:
        return await self.find(
            invoice_lines.c.invoice_id == invoice_id, order_by=invoice_lines.c.position
        )

    async def add_all(self, lines: Sequence[InvoiceLine]) -> None:
        if lines:
            await self._conn.execute(invoice_lines.insert(), [self._values(x) for x in lines])

    async def save_all(self, lines: Sequence[InvoiceLine]) -> None:
        for line in lines:
            await self.save(line)

    async def delete(self, line_ids: Sequence[str]) -> None:
        if line_ids:
            await self._conn.execute(invoice_lines.delete().where(invoice_lines.c.id.in_(line_ids)))


class CreditNoteRepository(RecordRepository[CreditNote]):
    table = credit_notes
    record = CreditNote

    async def list_matching(
        self,
        page: PageRequest,
        *,
        invoice: str | None = None,
        customer: str | None = None,
        location_id: str | None = None,
        created_gte: datetime | None = None,
        created_lte: datetime | None = None,
    ) -> Page[CreditNote]:
        where = list_filters(
            credit_notes,
            equals={"invoice_id": invoice, "customer_id": customer},
            created=Created(gte=created_gte, lte=created_lte),
            location_id=location_id,
        )
        return await self.page(page, where)

    async def of_invoice(self, invoice_id: str) -> list[CreditNote]:
        return await self.find(credit_notes.c.invoice_id == invoice_id, order_by=credit_notes.c.id)

    async def ledger_view(self) -> list[tuple[str, str]]:
        """(id, status) of every credit note."""
        query = sa.select(credit_notes.c.id, credit_notes.c.status)
        return [tuple(row) for row in (await self._conn.execute(query)).all()]

    async def with_refund(self, refund_id: str) -> CreditNote | None:
        """The credit note that documents refund ``refund_id`` (refunds are few per note)."""
        for note in await self.find(credit_notes.c.refund_amount > 0):
            if any(r.get("refund") == refund_id for r in note.refunds):
                return note
        return None


class CreditNoteLineRepository(RecordRepository[CreditNoteLine]):
    table = credit_note_lines
    record = CreditNoteLine

    async def of_credit_notes(self, credit_note_ids: Sequence[str]) -> list[CreditNoteLine]:
        if not credit_note_ids:
            return []
        found = await self.find(credit_note_lines.c.credit_note_id.in_(credit_note_ids))
        return sorted(found, key=lambda line: (line.credit_note_id, line.position))

    async def add_all(self, lines: Sequence[CreditNoteLine]) -> None:
        if lines:
            await self._conn.execute(credit_note_lines.insert(), [self._values(x) for x in lines])


@cache
def _next_value(dialect: Any) -> Any:
    """Upsert the series' counter by one, RETURNING the new value: one statement that
    creates the series at 1 or takes its row lock and increments it."""
    stmt = dialect.insert(number_series)
    return stmt.on_conflict_do_update(
        index_elements=["legal_entity_id", "kind", "year"],
        set_={"last_value": number_series.c.last_value + 1},
    ).returning(number_series.c.last_value)


class NumberSeriesRepository(Repository):
    async def next_value(self, legal_entity_id: str, kind: str, year: int) -> int:
        """The next number of a series, in the caller's transaction: the row stays locked
        until it commits (concurrent finalizations queue), and a rollback gives the
        number back, so a series has no gaps and no duplicates."""
        dialect = postgresql if self.dialect == "postgresql" else sqlite
        result = await self._conn.execute(
            _next_value(dialect),
            {"legal_entity_id": legal_entity_id, "kind": kind, "year": year, "last_value": 1},
        )
        return int(result.scalar_one())

    async def last_values(self) -> list[tuple[str, str, int, int]]:
        """(legal entity, kind, year, last value) of every series."""
        s = number_series.c
        query = sa.select(s.legal_entity_id, s.kind, s.year, s.last_value)
        return [tuple(row) for row in (await self._conn.execute(query)).all()]
