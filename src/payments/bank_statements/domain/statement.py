"""What a bank statement says, as read from a camt file (no storage, no framework).

Amounts are integer minor units of the entry's currency (lower-case ISO 4217), always
positive; ``direction`` tells money in (``credit``) from money out (``debit``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Direction(StrEnum):
    CREDIT = "credit"
    DEBIT = "debit"


class StatementKind(StrEnum):
    STATEMENT = "statement"  # camt.053: the end-of-day account statement
    NOTIFICATION = "notification"  # camt.054: debit/credit notification (intraday)


@dataclass(frozen=True, slots=True, kw_only=True)
class StatementEntry:
    """One booked movement (one camt ``TxDtls``, or the ``Ntry`` itself without any)."""

    position: int  # 1-based, in the file's order of movements
    direction: Direction
    amount: int
    currency: str
    booking_date: date | None
    value_date: date | None
    account_servicer_reference: str | None
    entry_reference: str | None  # Ntry/NtryRef
    end_to_end_id: str | None
    remittance_information: str | None  # the Ustrd lines, joined by spaces
    creditor_reference: str | None  # Strd/CdtrRefInf/Ref (an ISO 11649 RF reference or not)
    debtor_name: str | None
    debtor_iban: str | None
    reversal: bool = False
    batch_part: int | None = None  # its index among the TxDtls of a batch entry (1-based)

    def fingerprint(self, account_iban: str) -> str:
        """The documented hash that identifies an entry without an account servicer
        reference: SHA-256 over the account and every field the bank sends about the
        movement, in a fixed order (``|``-separated, empty for missing)."""
        parts = [
            account_iban,
            self.direction.value,
            str(self.amount),
            self.currency,
            self.booking_date.isoformat() if self.booking_date else "",
            self.value_date.isoformat() if self.value_date else "",
            self.entry_reference or "",
            self.end_to_end_id or "",
            self.remittance_information or "",
            self.creditor_reference or "",
            self.debtor_name or "",
            self.debtor_iban or "",
            "R" if self.reversal else "",
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class Statement:
    """One camt ``Stmt`` (camt.053) or ``Ntfctn`` (camt.054) of one account."""

    message: str  # the message definition, e.g. "camt.053.001.08"
    kind: StatementKind
    message_id: str  # GrpHdr/MsgId
    identifier: str  # Stmt/Id or Ntfctn/Id: unique per account at the bank
    created_at: datetime | None
    account_iban: str
    account_currency: str | None
    period_start: datetime | None
    period_end: datetime | None
    opening_balance: int | None  # signed (negative: overdrawn), in account currency
    closing_balance: int | None
    electronic_sequence_number: str | None
    entries: tuple[StatementEntry, ...]
    skipped_entries: int = 0  # pending or information-only entries (not booked)


def deduplication_keys(statement: Statement) -> list[str]:
    """The key of each entry that makes a re-import change nothing, in entry order.

    ``ref:<AcctSvcrRef>`` when the bank gives an account servicer reference (the bank's
    unique id of the movement; a batch's parts add ``/<part>``), else
    ``sha256:<fingerprint>#<n>``: :meth:`StatementEntry.fingerprint`, and the entry's
    occurrence among identical ones in this statement (two equal transfers on the same
    day stay two)."""
    keys: list[str] = []
    seen: dict[str, int] = {}
    for entry in statement.entries:
        ref = entry.account_servicer_reference
        if ref:
            key = f"ref:{ref}" if entry.batch_part is None else f"ref:{ref}/{entry.batch_part}"
        else:
            fp = entry.fingerprint(statement.account_iban)
            seen[fp] = seen.get(fp, 0) + 1
            key = f"sha256:{fp}#{seen[fp]}"
        keys.append(key)
    return keys
