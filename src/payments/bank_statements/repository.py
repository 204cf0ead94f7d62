"""All SQL of bank statements: statements, transactions, and the read-only views of
legal entities (whose account a statement is) and open invoices (what a credit may pay)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlalchemy as sa

from payments.bank_statements.domain.matching import OpenInvoice
from payments.bank_statements.domain.records import AppliedPayment, BankStatement, BankTransaction
from payments.bank_statements.tables import bank_statements, bank_transactions
from payments.invoices.domain.status import InvoiceStatus
from payments.invoices.tables import invoice_payments, invoices
from payments.legal_entities.tables import legal_entities
from payments.platform.db.records import RecordRepository
from payments.platform.db.uow import Repository

_OWING = (InvoiceStatus.OPEN.value, InvoiceStatus.UNCOLLECTIBLE.value)


class BankStatementRepository(RecordRepository[BankStatement]):
    table = bank_statements
    record = BankStatement

    async def same(self, account_iban: str, kind: str, identifier: str) -> BankStatement | None:
        """The statement already imported with this account, kind and bank identifier."""
        found = await self.find(
            bank_statements.c.account_iban == account_iban,
            bank_statements.c.kind == kind,
            bank_statements.c.identifier == identifier,
        )
        return found[0] if found else None


class BankTransactionRepository(RecordRepository[BankTransaction]):
    table = bank_transactions
    record = BankTransaction

    async def known_keys(self, account_iban: str, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` this account's transactions already have."""
        known: set[str] = set()
        for start in range(0, len(keys), 500):  # bounded IN lists
            chunk = list(keys[start : start + 500])
            rows = await self._conn.execute(
                sa.select(bank_transactions.c.dedup_key).where(
                    bank_transactions.c.account_iban == account_iban,
                    bank_transactions.c.dedup_key.in_(chunk),
                )
            )
            known.update(r[0] for r in rows)
        return known

    async def add_all(self, records: Sequence[BankTransaction]) -> None:
        if records:
            await self._conn.execute(
                sa.insert(bank_transactions), [self._values(r) for r in records]
            )

    async def awaiting_match(
        self, *, statement_id: str | None = None, limit: int = 100
    ) -> list[str]:
        """Unmatched credits the automatic matching has not looked at yet (oldest first)."""
        where = [
            bank_transactions.c.status == "unmatched",
            bank_transactions.c.match_attempted_at.is_(None),
        ]
        if statement_id is not None:
            where.append(bank_transactions.c.statement_id == statement_id)
        rows = await self._conn.execute(
            sa.select(bank_transactions.c.id)
            .where(*where)
            .order_by(bank_transactions.c.id)
            .limit(limit)
        )
        return [r[0] for r in rows]

    async def of_statement(self, statement_id: str) -> list[BankTransaction]:
        return await self.find(
            bank_transactions.c.statement_id == statement_id, order_by=bank_transactions.c.id
        )

    async def status_counts(self, statement_id: str) -> Mapping[str, int]:
        rows = await self._conn.execute(
            sa.select(bank_transactions.c.status, sa.func.count())
            .where(bank_transactions.c.statement_id == statement_id)
            .group_by(bank_transactions.c.status)
        )
        return {r[0]: int(r[1]) for r in rows}

    async def applied(self) -> list[BankTransaction]:
        """Every transaction with money applied to invoices, or matched (the ledger check)."""
        return await self.find(
            sa.or_(bank_transactions.c.amount_applied != 0, bank_transactions.c.status == "matched")
        )

    async def invoice_payments(self, payment_ids: Sequence[str]) -> dict[str, AppliedPayment]:
        """The invoice payments the allocations name (read only)."""
        found: dict[str, AppliedPayment] = {}
        for start in range(0, len(payment_ids), 500):
            rows = await self._conn.execute(
                sa.select(invoice_payments).where(
                    invoice_payments.c.id.in_(list(payment_ids[start : start + 500]))
                )
            )
            for r in rows:
                found[r.id] = AppliedPayment(
                    id=r.id,
                    invoice_id=r.invoice_id,
                    payment_type=r.payment_type,
                    method=r.method,
                    amount_requested=int(r.amount_requested),
                    currency=r.currency,
                    reference=r.reference,
                )
        return found


class AccountOwnerRepository(Repository):
    """Whose bank account a statement is: the legal entity with that IBAN."""

    async def legal_entity_of(self, iban: str) -> str | None:
        rows = await self._conn.execute(
            sa.select(legal_entities.c.id)
            .where(sa.func.upper(sa.func.replace(legal_entities.c.iban, " ", "")) == iban)
            .order_by(legal_entities.c.id)
        )
        found = [r[0] for r in rows]
        return found[0] if found else None


class OpenInvoiceRepository(Repository):
    """The invoices a credit to a legal entity's account may pay (read only: the
    invoices capability applies payments and locks its invoices itself)."""

    async def owing(self, legal_entity_id: str, currency: str) -> list[OpenInvoice]:
        rows = await self._conn.execute(
            sa.select(
                invoices.c.id,
                invoices.c.number,
                invoices.c.payment_reference,
                invoices.c.currency,
                invoices.c.amount_remaining,
                invoices.c.customer_name,
            )
            .where(
                invoices.c.legal_entity_id == legal_entity_id,
                invoices.c.currency == currency,
                invoices.c.status.in_(_OWING),
                invoices.c.amount_remaining > 0,
                invoices.c.number.is_not(None),
            )
            .order_by(invoices.c.id)
        )
        return [
            OpenInvoice(
                id=r.id,
                number=r.number,
                payment_reference=r.payment_reference,
                currency=r.currency,
                amount_remaining=int(r.amount_remaining),
                customer_name=r.customer_name,
            )
            for r in rows
        ]
