"""The typed commands the API and the CLI build for the bank statement use cases."""

from __future__ import annotations

from dataclasses import dataclass

from payments.bank_statements.domain.records import TransactionStatus


@dataclass(frozen=True, slots=True)
class ImportStatement:
    data: bytes  # the camt XML as received
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class ListBankTransactions:
    status: TransactionStatus | None = None
    statement: str | None = None


@dataclass(frozen=True, slots=True)
class MatchTransaction:
    id: str
    invoice: str
    amount: int | None = None  # default: all of it that is not applied yet


@dataclass(frozen=True, slots=True)
class IgnoreTransaction:
    id: str
