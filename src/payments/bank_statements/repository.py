"""All SQL of bank statements: statements, transactions, and the read-only views of
legal entities (whose account a statement is) and open invoices (what a credit may pay)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from payments.bank_statements.domain.matching import OpenInvoice
from payments.bank_statements.domain.records import AppliedPayment, BankStatement, BankTransaction
from payments.bank_statements.tables import bank_statements, bank_transactions
from payments.invoices.domain.status import InvoiceStatus
from payments.invoices.tables import invoice_payments, invoices
from payments.legal_entities.tables import legal_entities
from payments.platform.db.records import RecordRepository
from payments.platform.db.uow import Repository

_OWING = (InvoiceStatus.OPEN.value, InvoiceStatus.UNCOLLECTIBLE.value)


def _insert(dialect: str, table: sa.Table) -> Any:
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


class BankStatementRepository(RecordRepository[BankStatement]):
    table = bank_statements
    record = BankStatement

    async def add_once(self, statement: BankStatement) -> bool:
        """Store a statement unless the same one (account, kind, identifier) is stored:
        False then (a concurrent import of the same file waits here for the first)."""
        inserted = await self._conn.execute(
            _insert(self.dialect, bank_statements)
            .values(self._values(statement))
            .on_conflict_do_nothing(index_elements=["account_iban", "kind", "identifier"])
            .returning(bank_statements.c.id)
        )
        return inserted.scalar_one_or_none() is not None

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

    async def add_new(self, records: Sequence[BankTransaction]) -> int:
        """Store the transactions whose key the account does not have yet (another
        statement imported at the same time may have brought some): how many were new."""
        added = 0
        for record in records:
            inserted = await self._conn.execute(
                _insert(self.dialect, bank_transactions)
                .values(self._values(record))
                .on_conflict_do_nothing(index_elements=["account_iban", "dedup_key"])
                .returning(bank_transactions.c.id)
            )
            added += inserted.scalar_one_or_none() is not None
        return added

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
