"""Matching credits to invoices, automatically and by a person, and setting them aside.

Applying a match is recording an offline payment of the invoice
(:func:`payments.invoices.service.payments.record_offline_payment`, method
``bank_transfer``, the bank's account servicer reference as its reference): the invoice
is paid or partly paid, an excess goes to the customer's credit balance, and the ledger
posts bank -> accounts receivable (+ customer credit), all in the same transaction that
marks the bank transaction ``matched``.

Lock order: the bank transaction, then the invoice (the invoices capability locks it).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from payments.bank_statements.domain.commands import IgnoreTransaction, MatchTransaction
from payments.bank_statements.domain.matching import (
    Credit,
    MatchMethod,
    OpenInvoice,
    match_credit,
)
from payments.bank_statements.domain.records import (
    BankTransaction,
    IgnoredReason,
    TransactionStatus,
)
from payments.bank_statements.render import bank_transaction_object
from payments.bank_statements.repository import BankTransactionRepository, OpenInvoiceRepository
from payments.bank_statements.service.common import find_transaction, require_reconciler
from payments.events.service import record_event
from payments.invoices.domain.invoice_payment import InvoicePayment
from payments.invoices.repository import InvoiceRepository
from payments.invoices.service.payments import record_offline_payment
from payments.kernel.clock import Clock
from payments.kernel.context import SYSTEM, RequestContext
from payments.kernel.errors import InvalidRequest, NotFound, PaymentsError
from payments.kernel.money import Money
from payments.platform.db.uow import UnitOfWork, UnitOfWorkFactory

#: Candidates kept on an unmatched transaction for the person who matches it.
KEPT_CANDIDATES = 10


class OwingInvoices:
    """The open invoices of each (legal entity, currency), read once for a batch of
    credits (not once per credit) and kept current as the batch applies payments. Another
    payment arriving meanwhile can make an entry stale for the rest of the batch; the
    invoices capability decides on the invoice as it is when it applies a payment."""

    def __init__(self) -> None:
        self._by: dict[tuple[str, str], dict[str, OpenInvoice]] = {}

    async def of(self, uow: UnitOfWork, legal_entity_id: str, currency: str) -> list[OpenInvoice]:
        key = (legal_entity_id, currency)
        if key not in self._by:
            found = await uow.repo(OpenInvoiceRepository).owing(legal_entity_id, currency)
            self._by[key] = {inv.id: inv for inv in found}
        return list(self._by[key].values())

    def applied(self, legal_entity_id: str, currency: str, invoice_id: str, amount: int) -> None:
        invoices = self._by.get((legal_entity_id, currency), {})
        current = invoices.get(invoice_id)
        if current is None:
            return
        remaining = current.amount_remaining - amount
        if remaining > 0:
            invoices[invoice_id] = replace(current, amount_remaining=remaining)
        else:
            del invoices[invoice_id]


async def _apply(
    uow: UnitOfWork,
    tx: BankTransaction,
    *,
    invoice_id: str,
    amount: int,
    method: MatchMethod,
    score: int,
    now: datetime,
) -> InvoicePayment:
    payment = await record_offline_payment(
        uow,
        invoice_id=invoice_id,
        amount=Money(amount, tx.currency),
        method="bank_transfer",
        reference=tx.account_servicer_reference or tx.id,
        note=f"bank transfer {tx.id} ({method.value})",
        now=now,
    )
    tx.allocations = [
        *tx.allocations,
        {
            "invoice": invoice_id,
            "invoice_payment": payment.id,
            "amount": amount,
            "method": method.value,
            "score": score,
            "matched_at": int(now.timestamp()),
        },
    ]
    tx.amount_applied += amount
    tx.location_id = payment.location_id
    if tx.amount_unapplied == 0:
        tx.status = TransactionStatus.MATCHED
        tx.matched_at = now
    return payment


async def _announce(
    uow: UnitOfWork, tx: BankTransaction, *, clock: Clock, ctx: RequestContext
) -> None:
    matched = tx.status is TransactionStatus.MATCHED
    await record_event(
        uow,
        "bank_transaction.matched" if matched else "bank_transaction.unmatched",
        bank_transaction_object(tx),
        ctx=ctx,
        clock=clock,
        location_id=tx.location_id if matched else None,
    )


async def auto_match(
    transaction_id: str,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    patterns: dict[str, re.Pattern[str]] | None = None,
    owing: OwingInvoices | None = None,
) -> TransactionStatus | None:
    """Match one unmatched credit by the rules, if one invoice is certain; either way
    it is marked as looked at and announced (``bank_transaction.matched`` or
    ``.unmatched``). None when there was nothing to do (matched meanwhile, or looked at)."""
    now = clock.now()
    async with uow_factory() as uow:
        tx = await uow.repo(BankTransactionRepository).get(transaction_id, for_update=True)
        if tx is None or tx.status is not TransactionStatus.UNMATCHED or tx.match_attempted_at:
            return None
        invoices = owing if owing is not None else OwingInvoices()
        candidates = await invoices.of(uow, tx.legal_entity_id, tx.currency)
        decision = match_credit(
            Credit(
                amount=tx.amount_unapplied,
                currency=tx.currency,
                remittance_information=tx.remittance_information,
                creditor_reference=tx.creditor_reference,
                debtor_name=tx.debtor_name,
            ),
            candidates,
            patterns=patterns,
        )
        tx.match_attempted_at = now
        tx.match_candidates = [
            {"invoice": c.invoice_id, "method": c.method.value, "score": c.score}
            for c in decision.candidates[:KEPT_CANDIDATES]
        ]
        if decision.invoice_id is not None and decision.method is not None:
            try:
                payment = await _apply(
                    uow,
                    tx,
                    invoice_id=decision.invoice_id,
                    amount=tx.amount_unapplied,
                    method=decision.method,
                    score=decision.score,
                    now=now,
                )
            except PaymentsError:
                pass  # refused after all (paid meanwhile): left to a person, below
            else:
                await uow.repo(BankTransactionRepository).save(tx)
                await _announce(uow, tx, clock=clock, ctx=SYSTEM)
                await uow.commit()
                invoices.applied(
                    tx.legal_entity_id, tx.currency, decision.invoice_id, payment.amount_paid
                )
                return tx.status
    # not certain, or refused: nothing of an attempted payment is kept
    async with uow_factory() as uow:
        fresh = await uow.repo(BankTransactionRepository).get(transaction_id, for_update=True)
        if (
            fresh is None
            or fresh.status is not TransactionStatus.UNMATCHED
            or fresh.match_attempted_at
        ):
            return None
        fresh.match_attempted_at = now
        fresh.match_candidates = tx.match_candidates
        await uow.repo(BankTransactionRepository).save(fresh)
        await _announce(uow, fresh, clock=clock, ctx=SYSTEM)
        await uow.commit()
        return fresh.status


async def match_pending(
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    statement_id: str | None = None,
    batch: int = 100,
) -> int:
    """Look at every credit not looked at yet (of one statement, or all): how many."""
    patterns: dict[str, re.Pattern[str]] = {}
    done = 0
    while True:
        async with uow_factory() as uow:
            ids = await uow.repo(BankTransactionRepository).awaiting_match(
                statement_id=statement_id, limit=batch
            )
        if not ids:
            return done
        owing = OwingInvoices()  # read again for every batch
        for transaction_id in ids:
            if await auto_match(
                transaction_id,
                uow_factory=uow_factory,
                clock=clock,
                patterns=patterns,
                owing=owing,
            ):
                done += 1
        if len(ids) < batch:
            return done


async def match_transaction(
    cmd: MatchTransaction, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> BankTransaction:
    """A person applies (part of) an unmatched credit to an invoice of the same legal
    entity and currency. ``amount`` defaults to all that is not applied yet; less keeps
    the transaction unmatched for the rest (one transfer paying two invoices)."""
    require_reconciler(ctx)
    now = clock.now()
    async with uow_factory() as uow:
        tx = await find_transaction(uow, cmd.id, for_update=True)
        tx.require_open("matched")
        amount = tx.amount_unapplied if cmd.amount is None else cmd.amount
        if amount <= 0 or amount > tx.amount_unapplied:
            raise InvalidRequest(
                f"The amount must be between 1 and {tx.amount_unapplied} (what of the "
                "transfer is not applied yet).",
                param="amount",
            )
        invoice = await uow.repo(InvoiceRepository).get(cmd.invoice)
        if invoice is None or invoice.legal_entity_id != tx.legal_entity_id:
            # another seller's invoice was not paid to this account
            raise NotFound.of("invoice", cmd.invoice, param="invoice")
        if invoice.currency != tx.currency:
            raise InvalidRequest(
                f"The invoice is in {invoice.currency}, the transfer in {tx.currency}.",
                code="currency_mismatch",
                param="invoice",
            )
        await _apply(
            uow,
            tx,
            invoice_id=invoice.id,
            amount=amount,
            method=MatchMethod.MANUAL,
            score=100,
            now=now,
        )
        tx.match_attempted_at = tx.match_attempted_at or now
        await uow.repo(BankTransactionRepository).save(tx)
        if tx.status is TransactionStatus.MATCHED:
            await _announce(uow, tx, clock=clock, ctx=ctx)
        await uow.commit()
    return tx


async def ignore_transaction(
    cmd: IgnoreTransaction, *, uow_factory: UnitOfWorkFactory, clock: Clock, ctx: RequestContext
) -> BankTransaction:
    """Set an unmatched credit aside (not an invoice payment: a supplier's refund, a
    deposit from the owners); what of it was applied already stays applied."""
    require_reconciler(ctx)
    async with uow_factory() as uow:
        tx = await find_transaction(uow, cmd.id, for_update=True)
        tx.require_open("ignored")
        tx.status = TransactionStatus.IGNORED
        tx.ignored_reason = IgnoredReason.MANUAL
        tx.ignored_at = clock.now()
        await uow.repo(BankTransactionRepository).save(tx)
        await uow.commit()
    return tx
