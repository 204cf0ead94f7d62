"""Double-entry journal: entries, balanced transactions, trial balance, verification.

Every money movement is one :class:`JournalTransaction` of two or more
:class:`Entry` objects. Amounts are signed :class:`~payments.kernel.money.Money`
in minor units: **debits positive, credits negative**. A transaction cannot be
built unless, for every currency, its entries sum to zero, and they do so
separately for the memo (off-balance) accounts and the balance-sheet accounts
(see :mod:`payments.ledger.domain.accounts`), so a hold can never leak into
real money. The journal is append-only; a mistake is corrected by a reversing
transaction (:func:`payments.ledger.domain.postings.reversal`).

:func:`verify` re-checks the same invariants on stored rows (anything with
``account``, ``amount`` and ``currency``), reporting problems instead of
raising, for ``payments ledger verify``; :class:`JournalCheck` does the same
one transaction at a time, for a journal streamed from the database.

Errors::

    ValueError
     └── LedgerError
          ├── InvalidEntry              zero amount, unknown account, not Money
          ├── InvalidTransaction        fewer than two entries, bad kind/source
          │    └── UnbalancedTransaction  entries do not sum to zero per currency
          │                               (memo and balance-sheet entries separately)
          └── InvalidPosting            a posting function's arguments break a rule
                                        (non-positive amount, capture above the hold)

``payments.kernel.money.MoneyError`` (``UnknownCurrency``, ``CurrencyMismatch``)
may also surface from building :class:`Money`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from payments.kernel.money import Money, is_supported_currency
from payments.ledger.domain.accounts import CHART_OF_ACCOUNTS, Account, Direction


class LedgerError(ValueError):
    """Base class for ledger rule violations."""


class InvalidEntry(LedgerError):
    pass


class InvalidTransaction(LedgerError):
    pass


class UnbalancedTransaction(InvalidTransaction):
    pass


class InvalidPosting(LedgerError):
    pass


class TransactionKind(StrEnum):
    """What a journal transaction records; named after Stripe's event types where one exists."""

    CHARGE_AUTHORIZED = "charge.authorized"
    CHARGE_CAPTURED = "charge.captured"
    CHARGE_SUCCEEDED = "charge.succeeded"
    AUTHORIZATION_RELEASED = "authorization.released"
    AUTHORIZATION_INCREMENTED = "authorization.incremented"
    CHARGE_FEE = "charge.fee"
    CHARGE_OVERPAYMENT = "charge.overpayment"
    PAYOUT_PAID = "payout.paid"
    REFUND_CREATED = "refund.created"
    REFUND_SUCCEEDED = "refund.succeeded"
    REFUND_FAILED = "refund.failed"
    DISPUTE_FUNDS_WITHDRAWN = "charge.dispute.funds_withdrawn"
    DISPUTE_FUNDS_REINSTATED = "charge.dispute.funds_reinstated"
    DISPUTE_LOST = "charge.dispute.lost"
    INVOICE_FINALIZED = "invoice.finalized"
    INVOICE_VOIDED = "invoice.voided"
    INVOICE_PAYMENT = "invoice.payment"
    INVOICE_PAID_OUT_OF_BAND = "invoice.paid_out_of_band"
    ADVANCE_VAT_DUE = "invoice.advance_vat_due"
    ADVANCE_APPLIED = "invoice.advance_applied"
    CREDIT_NOTE_ISSUED = "credit_note.created"
    CREDIT_NOTE_VOIDED = "credit_note.voided"
    REVERSAL = "reversal"


@dataclass(frozen=True, slots=True)
class Source:
    """The API object that caused a transaction, e.g. ``Source("payment_intent", "pi_123")``."""

    object: str
    id: str

    def __post_init__(self) -> None:
        if not self.object or not self.id:
            raise InvalidTransaction("A source needs an object type and an id")

    def __str__(self) -> str:
        return f"{self.object} {self.id}"


class EntryRecord(Protocol):
    """What :func:`trial_balance` and :func:`verify` read: an :class:`Entry` or a stored row."""

    @property
    def account(self) -> str: ...

    @property
    def amount(self) -> int: ...

    @property
    def currency(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a journal transaction; ``money`` is signed (debit > 0, credit < 0).

    ``dimension`` optionally splits the account into sub-ledgers (an invoice id on
    ``accounts_receivable``, a VAT group on ``vat_payable``; see the accounts module)."""

    account: Account
    money: Money
    dimension: str | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "account", Account(self.account))
        except ValueError:
            raise InvalidEntry(f"Unknown ledger account: {self.account!r}") from None
        if not isinstance(self.money, Money):
            raise InvalidEntry("An entry's money must be Money")
        if self.money.amount == 0:
            raise InvalidEntry(f"Zero entry on {self.account}")
        if self.dimension is not None and not (0 < len(self.dimension) <= 64):
            raise InvalidEntry("A dimension is 1 to 64 characters")

    @classmethod
    def debit(cls, account: Account, money: Money, dimension: str | None = None) -> Entry:
        _require_positive(money)
        return cls(account, money, dimension)

    @classmethod
    def credit(cls, account: Account, money: Money, dimension: str | None = None) -> Entry:
        _require_positive(money)
        return cls(account, -money, dimension)

    @property
    def direction(self) -> Direction:
        return Direction.DEBIT if self.money.amount > 0 else Direction.CREDIT

    @property
    def amount(self) -> int:
        return self.money.amount

    @property
    def currency(self) -> str:
        return self.money.currency


@dataclass(frozen=True, slots=True)
class JournalTransaction:
    """A balanced set of entries; it cannot be constructed otherwise."""

    kind: TransactionKind
    source: Source
    entries: tuple[Entry, ...]
    description: str = ""

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", TransactionKind(self.kind))
        except ValueError:
            raise InvalidTransaction(f"Unknown transaction kind: {self.kind!r}") from None
        if not isinstance(self.source, Source):
            raise InvalidTransaction("A transaction's source must be a Source")
        entries = tuple(self.entries)
        if not all(isinstance(e, Entry) for e in entries):
            raise InvalidTransaction("A transaction's entries must be Entry objects")
        object.__setattr__(self, "entries", entries)
        if len(entries) < 2:
            raise InvalidTransaction(f"{self.kind} needs at least two entries")
        problems = _imbalances(entries)
        if problems:
            raise UnbalancedTransaction(f"{self.kind} for {self.source}: " + "; ".join(problems))

    @property
    def currencies(self) -> frozenset[str]:
        return frozenset(e.currency for e in self.entries)


def _require_positive(money: Money) -> None:
    if not isinstance(money, Money):
        raise InvalidEntry("Expected Money")
    if money.amount <= 0:
        raise InvalidEntry(f"Expected a positive amount, got {money.amount} {money.currency}")


def _imbalances(entries: Iterable[EntryRecord]) -> list[str]:
    """Per currency, memo and balance-sheet entries must each sum to zero."""
    sums: dict[tuple[str, bool], int] = defaultdict(int)
    for e in entries:
        sums[(e.currency.lower(), Account(e.account).is_memo)] += e.amount
    return [
        f"{'memo' if memo else 'balance-sheet'} entries in {cur} sum to {total}, not 0"
        for (cur, memo), total in sorted(sums.items())
        if total != 0
    ]


@dataclass(frozen=True, slots=True)
class TrialBalanceLine:
    account: str
    currency: str
    debits: int
    credits: int

    @property
    def balance(self) -> int:
        """Signed balance: positive = net debit."""
        return self.debits - self.credits


@dataclass(frozen=True, slots=True)
class TrialBalance:
    lines: tuple[TrialBalanceLine, ...]

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(sorted({line.currency for line in self.lines}))

    def balance(self, account: str, currency: str) -> int:
        """Signed balance of one account (0 if it has no entries)."""
        return sum(
            line.balance
            for line in self.lines
            if line.account == account and line.currency == currency
        )

    def normal_balance(self, account: Account, currency: str) -> int:
        """Balance read on the account's normal side (positive = usual state)."""
        return self.balance(account, currency) * account.spec.normal_balance.sign

    def totals(self, currency: str) -> tuple[int, int]:
        """(total debits, total credits) in ``currency``; equal when the ledger balances."""
        lines = [line for line in self.lines if line.currency == currency]
        return sum(line.debits for line in lines), sum(line.credits for line in lines)

    def imbalances(self) -> dict[str, int]:
        """Currencies whose balances do not sum to zero, with the difference."""
        out: dict[str, int] = {}
        for cur in self.currencies:
            debits, credits = self.totals(cur)
            if debits != credits:
                out[cur] = debits - credits
        return out

    @property
    def is_balanced(self) -> bool:
        return not self.imbalances()


def trial_balance(entries: Iterable[EntryRecord]) -> TrialBalance:
    """Debit and credit totals per (account, currency), ordered by currency and chart code."""
    debits: dict[tuple[str, str], int] = defaultdict(int)
    credits: dict[tuple[str, str], int] = defaultdict(int)
    for e in entries:
        key = (str(e.account), e.currency.lower())
        if e.amount >= 0:
            debits[key] += e.amount
        else:
            credits[key] -= e.amount

    def order(key: tuple[str, str]) -> tuple[str, str, str]:
        account, currency = key
        code = CHART_OF_ACCOUNTS[Account(account)].code if account in _NAMES else "~"
        return currency, code, account

    keys = sorted(debits.keys() | credits.keys(), key=order)
    return TrialBalance(
        tuple(TrialBalanceLine(a, c, debits[(a, c)], credits[(a, c)]) for a, c in keys)
    )


_NAMES = frozenset(a.value for a in Account)


def verify(
    transactions: Mapping[str, Sequence[EntryRecord]] | Iterable[JournalTransaction],
) -> list[str]:
    """Human-readable problems in a journal; an empty list means every invariant holds.

    Accepts stored rows grouped by transaction id, or :class:`JournalTransaction`
    objects. Checks each transaction (known accounts and currencies, integer
    non-zero amounts, at least two entries, balanced per currency with memo and
    balance-sheet entries separately), then the whole journal (no more was
    released or captured than was authorized, per currency). A journal too big
    for memory is checked one transaction at a time with :class:`JournalCheck`.
    """
    check = JournalCheck()
    if isinstance(transactions, Mapping):
        for tx_id, rows in transactions.items():
            check.add(str(tx_id), rows)
    else:
        for i, tx in enumerate(transactions):
            check.add(f"#{i} {tx.kind} ({tx.source})", tx.entries)
    return check.problems()


class JournalCheck:
    """:func:`verify`, fed one transaction at a time: the memory it keeps is the problems
    found and one running total per currency, however many entries pass through."""

    def __init__(self) -> None:
        self._problems: list[str] = []
        # Balanced transactions make a zero trial balance; what remains to check across
        # transactions is that no hold was cleared more than once: the running balance
        # of customer_funds_authorized per currency, over the valid transactions.
        self._held: dict[str, int] = {}
        self.transactions = 0

    def add(self, label: str, rows: Iterable[EntryRecord]) -> None:
        """Check one transaction's entries (``label`` names it in the problems)."""
        rows = list(rows)
        self.transactions += 1
        found = _row_problems(rows)
        if not found:
            if len(rows) < 2:
                found.append(f"has {len(rows)} entries, needs at least 2")
            found.extend(_imbalances(rows))
        self._problems.extend(f"transaction {label}: {p}" for p in found)
        if found:
            return
        for row in rows:
            if row.account == Account.CUSTOMER_FUNDS_AUTHORIZED.value:
                currency = row.currency.lower()
                self._held[currency] = self._held.get(currency, 0) + row.amount

    def problems(self) -> list[str]:
        """Every problem found so far, then those of the journal as a whole."""
        sign = Account.CUSTOMER_FUNDS_AUTHORIZED.spec.normal_balance.sign
        return self._problems + [
            f"more {cur} captured or released than was authorized ({held * sign})"
            for cur, held in sorted(self._held.items())
            if held * sign < 0
        ]


def _row_problems(rows: Sequence[EntryRecord]) -> list[str]:
    problems: list[str] = []
    for n, row in enumerate(rows):
        if row.account not in _NAMES:
            problems.append(f"entry {n}: unknown account {row.account!r}")
        if not isinstance(row.currency, str) or not is_supported_currency(row.currency):
            problems.append(f"entry {n}: unknown currency {row.currency!r}")
        if isinstance(row.amount, bool) or not isinstance(row.amount, int):
            problems.append(f"entry {n}: amount {row.amount!r} is not an integer")
        elif row.amount == 0:
            problems.append(f"entry {n}: zero amount on {row.account}")
    return problems
