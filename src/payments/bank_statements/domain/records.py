"""The stored records: an imported statement and its bank transactions.

Field names equal the storage column names. Amounts are positive minor units of
``currency``; ``direction`` says whether money came in or went out.

A bank transaction's status::

    unmatched --match (all of it applied)--> matched
              --match (part of it)--> unmatched    (amount_applied grows; more to apply)
              --ignore--> ignored                  (not an invoice payment: set aside)
    debits and reversals are stored ignored at import (nothing to match)
    matched, ignored: final
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from payments.bank_statements.domain.statement import Direction, StatementKind
from payments.kernel.errors import StateConflict


class TransactionStatus(StrEnum):
    UNMATCHED = "unmatched"
    MATCHED = "matched"
    IGNORED = "ignored"


class IgnoredReason(StrEnum):
    DEBIT = "debit"  # money out (fees, refunds we sent): not an invoice payment
    REVERSAL = "reversal"  # the bank reversed an earlier entry
    MANUAL = "manual"  # a person set it aside (POST .../ignore)


@dataclass(slots=True, kw_only=True)
class BankStatement:
    id: str
    legal_entity_id: str
    account_iban: str
    message: str
    kind: StatementKind
    message_id: str
    identifier: str
    currency: str | None
    statement_created: datetime | None
    period_start: datetime | None
    period_end: datetime | None
    opening_balance: int | None
    closing_balance: int | None
    electronic_sequence_number: str | None
    transaction_count: int  # the statement's booked movements
    transactions_imported: int  # of those, new ones (the rest were known already)
    entries_skipped: int  # pending or information-only entries
    sha256: str
    filename: str | None
    created: datetime
    livemode: bool = False


@dataclass(slots=True, kw_only=True)
class BankTransaction:
    id: str
    statement_id: str
    legal_entity_id: str
    account_iban: str
    dedup_key: str
    direction: Direction
    amount: int
    currency: str
    booking_date: date | None
    value_date: date | None
    account_servicer_reference: str | None
    entry_reference: str | None
    end_to_end_id: str | None
    remittance_information: str | None
    creditor_reference: str | None
    debtor_name: str | None
    debtor_iban: str | None
    reversal: bool
    status: TransactionStatus
    created: datetime
    ignored_reason: IgnoredReason | None = None
    amount_applied: int = 0
    # [{invoice, invoice_payment, amount, method, score, matched_at}]
    allocations: list[dict[str, Any]] = field(default_factory=list)
    # [{invoice, method, score}]: what the automatic matching found, for a person
    match_candidates: list[dict[str, Any]] = field(default_factory=list)
    match_attempted_at: datetime | None = None
    matched_at: datetime | None = None
    ignored_at: datetime | None = None
    location_id: str | None = None  # the shop of the (last) invoice it paid
    livemode: bool = False

    @property
    def amount_unapplied(self) -> int:
        return self.amount - self.amount_applied

    def require_open(self, verb: str) -> None:
        """Only an unmatched credit can be matched or ignored."""
        if self.status is not TransactionStatus.UNMATCHED:
            raise StateConflict(
                f"The bank transaction is {self.status.value}; only an unmatched one can be "
                f"{verb}.",
                code="bank_transaction_unexpected_state",
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class AppliedPayment:
    """What the invoices capability recorded for one allocation (for the ledger check)."""

    id: str
    invoice_id: str
    payment_type: str
    method: str | None
    amount_requested: int
    currency: str
    reference: str | None


def allocation_problems(tx: BankTransaction, payments: dict[str, AppliedPayment]) -> list[str]:
    """What is wrong with a transaction's allocations: each one must be an out-of-band
    bank-transfer invoice payment of its invoice, amount and currency, with the
    transfer's reference; together they are ``amount_applied`` (at most the amount); a
    matched transaction has nothing left to apply."""
    problems: list[str] = []
    total = 0
    for allocation in tx.allocations:
        amount = int(allocation["amount"])
        total += amount
        payment = payments.get(str(allocation["invoice_payment"]))
        if payment is None:
            problems.append(
                f"{tx.id}: allocation to {allocation['invoice']} names invoice payment "
                f"{allocation['invoice_payment']}, which does not exist"
            )
            continue
        expected = (allocation["invoice"], "out_of_band", "bank_transfer", amount, tx.currency)
        found = (
            payment.invoice_id,
            payment.payment_type,
            payment.method,
            payment.amount_requested,
            payment.currency,
        )
        if found != expected:
            problems.append(f"{tx.id}: invoice payment {payment.id} is {found}, not {expected}")
        if payment.reference != (tx.account_servicer_reference or tx.id):
            problems.append(f"{tx.id}: invoice payment {payment.id} has another reference")
    if total != tx.amount_applied or tx.amount_applied > tx.amount:
        problems.append(
            f"{tx.id}: allocations sum to {total}, amount_applied is {tx.amount_applied} "
            f"of {tx.amount}"
        )
    if (tx.status is TransactionStatus.MATCHED) != (tx.amount_applied == tx.amount):
        problems.append(
            f"{tx.id}: status {tx.status.value} with {tx.amount - tx.amount_applied} unapplied"
        )
    return problems
