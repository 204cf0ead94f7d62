"""Importing a camt.053 statement or camt.054 notification.

One transaction stores the statement and every movement not known yet (nothing at all
when the same statement, by account and the bank's statement identifier, was imported
before; a movement is known by its deduplication key, see
:func:`payments.bank_statements.domain.statement.deduplication_keys`). Credits are then
matched one by one, each in its own transaction (:func:`..matching.match_pending`), so a
large statement never holds many invoices' locks at once; a credit whose matching was
interrupted is picked up by the ``match_bank_transactions`` job.
"""

from __future__ import annotations

import hashlib

from payments.bank_statements.domain.commands import ImportStatement
from payments.bank_statements.domain.reader import read_statement
from payments.bank_statements.domain.records import (
    BankStatement,
    BankTransaction,
    IgnoredReason,
    TransactionStatus,
)
from payments.bank_statements.domain.statement import (
    Direction,
    Statement,
    StatementEntry,
    deduplication_keys,
)
from payments.bank_statements.repository import (
    AccountOwnerRepository,
    BankStatementRepository,
    BankTransactionRepository,
)
from payments.bank_statements.service.common import require_reconciler
from payments.bank_statements.service.matching import match_pending
from payments.kernel.clock import Clock
from payments.kernel.context import RequestContext
from payments.kernel.errors import InvalidRequest
from payments.kernel.ids import new_id
from payments.kernel.pan import redact_pans
from payments.platform.db.uow import UnitOfWorkFactory


def _text(value: str | None, limit: int) -> str | None:
    """Free text from the bank, as stored: a card number typed by a payer redacted."""
    return redact_pans(value)[:limit] if value else None


def _transaction(
    entry: StatementEntry, key: str, statement: BankStatement, parsed: Statement
) -> BankTransaction:
    status = TransactionStatus.UNMATCHED
    reason: IgnoredReason | None = None
    if entry.reversal:
        status, reason = TransactionStatus.IGNORED, IgnoredReason.REVERSAL
    elif entry.direction is Direction.DEBIT:
        status, reason = TransactionStatus.IGNORED, IgnoredReason.DEBIT
    return BankTransaction(
        id=new_id("btx"),
        statement_id=statement.id,
        legal_entity_id=statement.legal_entity_id,
        account_iban=parsed.account_iban,
        dedup_key=key,
        direction=entry.direction,
        amount=entry.amount,
        currency=entry.currency,
        booking_date=entry.booking_date,
        value_date=entry.value_date,
        account_servicer_reference=(entry.account_servicer_reference or "")[:64] or None,
        entry_reference=(entry.entry_reference or "")[:64] or None,
        end_to_end_id=(entry.end_to_end_id or "")[:64] or None,
        remittance_information=_text(entry.remittance_information, 10_000),
        creditor_reference=(entry.creditor_reference or "")[:64] or None,
        debtor_name=_text(entry.debtor_name, 200),
        debtor_iban=entry.debtor_iban,
        reversal=entry.reversal,
        status=status,
        ignored_reason=reason,
        ignored_at=statement.created if reason else None,
        created=statement.created,
    )


async def import_statement(
    cmd: ImportStatement,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ctx: RequestContext,
    max_bytes: int,
) -> tuple[BankStatement, bool]:
    """The statement (new, or the one imported before) and whether it is new."""
    require_reconciler(ctx)
    parsed = read_statement(cmd.data, max_bytes=max_bytes)
    now = clock.now()
    async with uow_factory() as uow:
        owner = await uow.repo(AccountOwnerRepository).legal_entity_of(parsed.account_iban)
        if owner is None:
            raise InvalidRequest(
                f"The statement is of account {parsed.account_iban}, which is not the IBAN "
                "of any legal entity; statements are imported for the sellers' accounts.",
                code="bank_account_unknown",
                param="file",
            )
        statements = uow.repo(BankStatementRepository)
        before = await statements.same(parsed.account_iban, parsed.kind.value, parsed.identifier)
        if before is not None:
            return before, False
        statement = BankStatement(
            id=new_id("bst"),
            legal_entity_id=owner,
            account_iban=parsed.account_iban,
            message=parsed.message,
            kind=parsed.kind,
            message_id=parsed.message_id[:64],
            identifier=parsed.identifier[:64],
            currency=parsed.account_currency,
            statement_created=parsed.created_at,
            period_start=parsed.period_start,
            period_end=parsed.period_end,
            opening_balance=parsed.opening_balance,
            closing_balance=parsed.closing_balance,
            electronic_sequence_number=parsed.electronic_sequence_number,
            transaction_count=len(parsed.entries),
            transactions_imported=0,
            entries_skipped=parsed.skipped_entries,
            sha256=hashlib.sha256(cmd.data).hexdigest(),
            filename=(cmd.filename or "")[:255] or None,
            created=now,
        )
        keys = deduplication_keys(parsed)
        transactions = uow.repo(BankTransactionRepository)
        seen = await transactions.known_keys(parsed.account_iban, keys)
        new: list[BankTransaction] = []
        for entry, key in zip(parsed.entries, keys, strict=True):
            if key in seen:
                continue
            seen.add(key)
            new.append(_transaction(entry, key, statement, parsed))
        if not await statements.add_once(statement):  # imported meanwhile by another request
            raced = await statements.same(parsed.account_iban, parsed.kind.value, parsed.identifier)
            if raced is None:  # pragma: no cover - the row that conflicted is committed
                raise InvalidRequest("The statement is being imported; retry.", param="file")
            return raced, False
        statement.transactions_imported = await transactions.add_new(new)
        await statements.save(statement)
        await uow.commit()
    await match_pending(uow_factory=uow_factory, clock=clock, statement_id=statement.id)
    return statement, True
