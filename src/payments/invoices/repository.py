"""All SQL of invoicing: invoices, lines, credit notes, and the number series."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from payments.invoices.domain.commands import DateRange
from payments.invoices.domain.installments import Installment, InstallmentStatus
from payments.invoices.domain.invoice_payment import InvoicePayment, InvoicePaymentStatus
from payments.invoices.domain.model import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from payments.invoices.domain.payment_plan import InvoiceShare
from payments.invoices.domain.status import CreditNoteStatus, InvoiceStatus
from payments.invoices.tables import (
    credit_note_lines,
    credit_notes,
    invoice_installments,
    invoice_lines,
    invoice_payments,
    invoice_shares,
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

    def _values(self, obj: Invoice) -> dict[str, Any]:
        values = super()._values(obj)
        values["customer_country"] = (obj.customer_address or {}).get("country")
        return values

    async def list_page(
        self,
        page: PageRequest,
        *,
        equals: Mapping[str, object] | None = None,
        created: Created | None = None,
        location_id: str | None = None,
        due_date: DateRange | None = None,
    ) -> Page[Invoice]:
        """Stripe's invoice list: :meth:`RecordRepository.list_page`'s filters, and the
        due date's range (``due_date[gte]``, ``due_date[lte]``, whole days)."""
        if due_date is None or (due_date.gte is None and due_date.lte is None):
            return await super().list_page(
                page, equals=equals, created=created, location_id=location_id
            )
        where = list_filters(invoices, equals=equals, created=created, location_id=location_id)
        if due_date.gte is not None:
            where.append(invoices.c.due_date >= due_date.gte)
        if due_date.lte is not None:
            where.append(invoices.c.due_date <= due_date.lte)
        return await self.page(page, where)

    async def of_subscription_period(
        self, subscription_id: str, period: datetime
    ) -> Invoice | None:
        """The invoice of a subscription's period (unique), if one was made."""
        found = await self.find(
            invoices.c.subscription_id == subscription_id,
            invoices.c.subscription_period == period,
        )
        return found[0] if found else None

    async def many(self, invoice_ids: Sequence[str]) -> list[Invoice]:
        """The invoices among ``invoice_ids`` that exist (for ``expand[]``)."""
        if not invoice_ids:
            return []
        return await self.find(invoices.c.id.in_(list(invoice_ids)))

    async def ledger_view(self) -> list[tuple[str, InvoiceStatus, str, int, int, int]]:
        """(id, status, currency, amount_remaining, total, amount_paid) of every finalized
        invoice."""
        c = invoices.c
        query = sa.select(
            c.id, c.status, c.currency, c.amount_remaining, c.total, c.amount_paid
        ).where(c.status != InvoiceStatus.DRAFT.value)
        return [
            (i, InvoiceStatus(status), currency, int(remaining), int(total), int(paid))
            for i, status, currency, remaining, total, paid in (
                await self._conn.execute(query)
            ).all()
        ]

    async def advances_view(self) -> tuple[list[Invoice], dict[str, Invoice]]:
        """The finalized advance-payment invoices, and the finalized invoices that deduct
        one by the advance they deduct."""
        c = invoices.c
        issued = c.status != InvoiceStatus.DRAFT.value
        advances = await self.find(issued, c.invoice_type == "advance")
        finals = await self.find(issued, c.advance_invoice_id.is_not(None))
        return advances, {f.advance_invoice_id or "": f for f in finals}


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

    async def of_invoice(self, invoice_id: str) -> list[CreditNote]:
        return await self.find(credit_notes.c.invoice_id == invoice_id, order_by=credit_notes.c.id)

    async def ledger_view(self) -> list[tuple[str, CreditNoteStatus]]:
        """(id, status) of every credit note."""
        query = sa.select(credit_notes.c.id, credit_notes.c.status)
        return [
            (note_id, CreditNoteStatus(status))
            for note_id, status in (await self._conn.execute(query)).all()
        ]

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


class InvoicePaymentRepository(RecordRepository[InvoicePayment]):
    table = invoice_payments
    record = InvoicePayment

    async def of_invoice(self, invoice_id: str, page: PageRequest) -> Page[InvoicePayment]:
        """The invoice's payments, newest first (Stripe's list)."""
        return await self.page(page, [invoice_payments.c.invoice_id == invoice_id])

    async def all_of_invoice(self, invoice_id: str) -> list[InvoicePayment]:
        return await self.find(
            invoice_payments.c.invoice_id == invoice_id, order_by=invoice_payments.c.id
        )

    async def of_payment_intent(self, payment_intent_id: str) -> InvoicePayment | None:
        found = await self.find(invoice_payments.c.payment_intent_id == payment_intent_id)
        return found[0] if found else None

    async def ledger_view(self) -> list[tuple[str, str, str, int]]:
        """(id, invoice id, payment type, amount paid) of every paid invoice payment."""
        c = invoice_payments.c
        query = sa.select(c.id, c.invoice_id, c.payment_type, c.amount_paid).where(
            c.status == InvoicePaymentStatus.PAID.value
        )
        return [
            (i, invoice, kind, int(paid))
            for i, invoice, kind, paid in (await self._conn.execute(query)).all()
        ]


class InvoiceShareRepository(RecordRepository[InvoiceShare]):
    table = invoice_shares
    record = InvoiceShare

    async def of_invoice(self, invoice_id: str) -> list[InvoiceShare]:
        return await self.find(
            invoice_shares.c.invoice_id == invoice_id, order_by=invoice_shares.c.position
        )

    async def add_all(self, shares: Sequence[InvoiceShare]) -> None:
        if shares:
            await self._conn.execute(invoice_shares.insert(), [self._values(x) for x in shares])


class InstallmentRepository(RecordRepository[Installment]):
    table = invoice_installments
    record = Installment

    async def of_invoice(self, invoice_id: str) -> list[Installment]:
        t = invoice_installments
        return await self.find(t.c.invoice_id == invoice_id, order_by=t.c.position)

    async def add_all(self, rows: Sequence[Installment]) -> None:
        if rows:
            await self._conn.execute(invoice_installments.insert(), [self._values(x) for x in rows])

    async def of_payment_intent(self, payment_intent_id: str) -> Installment | None:
        t = invoice_installments
        found = await self.find(t.c.payment_intent_id == payment_intent_id)
        return found[0] if found else None

    async def claim_due(
        self, now: datetime, *, lease_until: datetime, limit: int
    ) -> list[Installment]:
        """Lock and lease scheduled installments whose time has come, and ones being
        charged whose lease ran out (their worker died) (SKIP LOCKED, so several workers
        share them and none is claimed twice)."""
        t = invoice_installments
        due = sa.or_(
            sa.and_(t.c.status == InstallmentStatus.SCHEDULED.value, t.c.next_attempt_at <= now),
            t.c.status == InstallmentStatus.PROCESSING.value,
        )
        free = sa.or_(t.c.locked_until.is_(None), t.c.locked_until < now)
        query = sa.select(t.c.id).where(due, free).order_by(t.c.id).limit(limit)
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list((await self._conn.execute(query)).scalars())
        if not ids:
            return []
        await self._conn.execute(t.update().where(t.c.id.in_(ids)).values(locked_until=lease_until))
        return await self.find(t.c.id.in_(ids), order_by=t.c.id)


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
