"""The JSON of bank statements and bank transactions (Stripe's conventions: ``object``,
unix timestamps, lower-case currencies, minor units)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from payments.bank_statements.domain.records import BankStatement, BankTransaction


def _ts(value: datetime | None) -> int | None:
    return int(value.timestamp()) if value is not None else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def bank_statement_object(s: BankStatement, counts: dict[str, int] | None = None) -> dict[str, Any]:
    return {
        "id": s.id,
        "object": "bank_statement",
        "account": {"iban": s.account_iban, "legal_entity": s.legal_entity_id},
        "message": s.message,
        "kind": s.kind.value,
        "message_id": s.message_id,
        "identifier": s.identifier,
        "electronic_sequence_number": s.electronic_sequence_number,
        "currency": s.currency,
        "statement_created": _ts(s.statement_created),
        "period": {"start": _ts(s.period_start), "end": _ts(s.period_end)},
        "opening_balance": s.opening_balance,
        "closing_balance": s.closing_balance,
        "transaction_count": s.transaction_count,
        "transactions_imported": s.transactions_imported,
        "entries_skipped": s.entries_skipped,
        "transactions": {
            status: (counts or {}).get(status, 0) for status in ("matched", "unmatched", "ignored")
        },
        "sha256": s.sha256,
        "filename": s.filename,
        "created": _ts(s.created),
        "livemode": s.livemode,
    }


def bank_transaction_object(t: BankTransaction) -> dict[str, Any]:
    return {
        "id": t.id,
        "object": "bank_transaction",
        "bank_statement": t.statement_id,
        "account": {"iban": t.account_iban, "legal_entity": t.legal_entity_id},
        "direction": t.direction.value,
        "amount": t.amount,
        "amount_applied": t.amount_applied,
        "amount_unapplied": t.amount_unapplied,
        "currency": t.currency,
        "booking_date": _day(t.booking_date),
        "value_date": _day(t.value_date),
        "account_servicer_reference": t.account_servicer_reference,
        "entry_reference": t.entry_reference,
        "end_to_end_id": t.end_to_end_id,
        "remittance_information": {
            "unstructured": t.remittance_information,
            "creditor_reference": t.creditor_reference,
        },
        "debtor": {"name": t.debtor_name, "iban": t.debtor_iban},
        "reversal": t.reversal,
        "status": t.status.value,
        "ignored_reason": t.ignored_reason.value if t.ignored_reason else None,
        "allocations": [dict(a) for a in t.allocations],
        "match_candidates": [dict(c) for c in t.match_candidates],
        "matched_at": _ts(t.matched_at),
        "ignored_at": _ts(t.ignored_at),
        "location": t.location_id,
        "created": _ts(t.created),
        "livemode": t.livemode,
    }
