"""Report runs (Stripe's ``reporting.report_run``): types, columns, statuses, and the
checks of their parameters (pure)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from typing import Any, Final

from payments.kernel.errors import InvalidRequest
from payments.kernel.money import exponent


class ReportRunStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ReportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class ReportType(StrEnum):
    PAYMENTS_ITEMIZED = "payments.itemized"
    REFUNDS_ITEMIZED = "refunds.itemized"
    BALANCE_SUMMARY = "balance.summary"
    VAT_SUMMARY = "vat.summary"
    LEDGER_JOURNAL = "ledger.journal"
    ACCOUNTING_DATEV = "accounting.datev"
    PAYOUTS_RECONCILIATION = "payouts.reconciliation"

    @property
    def company_wide(self) -> bool:
        """Read from the company-wide ledger: not for a key restricted to one shop."""
        return self in (
            ReportType.BALANCE_SUMMARY,
            ReportType.LEDGER_JOURNAL,
            ReportType.ACCOUNTING_DATEV,
            ReportType.PAYOUTS_RECONCILIATION,
        )


COLUMNS: Final[Mapping[ReportType, tuple[str, ...]]] = {
    ReportType.PAYMENTS_ITEMIZED: (
        "charge_id",
        "payment_intent_id",
        "created_utc",
        "location",
        "payment_method_type",
        "customer",
        "currency",
        "gross",
        "fee",
        "net",
    ),
    ReportType.REFUNDS_ITEMIZED: (
        "refund_id",
        "charge_id",
        "payment_intent_id",
        "created_utc",
        "location",
        "status",
        "reason",
        "currency",
        "amount",
    ),
    ReportType.BALANCE_SUMMARY: ("currency", "category", "description", "net_amount"),
    ReportType.VAT_SUMMARY: (
        "country",
        "category",
        "rate",
        "currency",
        "taxable_amount",
        "tax_amount",
        "invoices",
        "credit_notes",
    ),
    ReportType.LEDGER_JOURNAL: (
        "transaction_id",
        "created_utc",
        "kind",
        "source_type",
        "source_id",
        "location",
        "account",
        "account_code",
        "currency",
        "debit",
        "credit",
        "dimension",
        "description",
    ),
    # the DATEV file has its own fixed layout (payments.reports.domain.datev.COLUMNS)
    ReportType.ACCOUNTING_DATEV: (),
    # one row per balance transaction of each payout arriving in the interval, with what
    # it was matched to (payments.reconciliation.service.report)
    ReportType.PAYOUTS_RECONCILIATION: (
        "arrival_date",
        "payout_id",
        "payout_amount",
        "reconciliation_status",
        "balance_transaction",
        "type",
        "reporting_category",
        "source",
        "created_utc",
        "currency",
        "amount",
        "fee",
        "net",
        "matched_object",
        "matched_id",
        "expected_amount",
        "expected_fee",
        "discrepancies",
    ),
}

#: Columns with amounts: written as decimal major units of the row's currency ("12.34").
AMOUNT_COLUMNS: Final = frozenset(
    {
        "gross",
        "fee",
        "net",
        "amount",
        "net_amount",
        "taxable_amount",
        "tax_amount",
        "debit",
        "credit",
        "payout_amount",
        "expected_amount",
        "expected_fee",
    }
)


@dataclass(frozen=True, slots=True)
class ReportParameters:
    interval_start: datetime
    interval_end: datetime  # exclusive
    columns: tuple[str, ...]
    location: str | None = None
    currency: str | None = None


def report_type(raw: str) -> ReportType:
    try:
        return ReportType(raw)
    except ValueError:
        known = ", ".join(t.value for t in ReportType)
        raise InvalidRequest(
            f"Unknown report_type {raw!r}: use one of {known}.", param="report_type"
        ) from None


def check_columns(kind: ReportType, requested: Sequence[str] | None) -> tuple[str, ...]:
    if not requested:
        return COLUMNS[kind]
    unknown = [c for c in requested if c not in COLUMNS[kind]]
    if unknown:
        raise InvalidRequest(
            f"Unknown column(s) {', '.join(unknown)} for {kind.value}: use any of "
            f"{', '.join(COLUMNS[kind])}.",
            param="parameters[columns]",
        )
    return tuple(dict.fromkeys(requested))


def check_interval(start: datetime, end: datetime) -> None:
    if end <= start:
        raise InvalidRequest(
            "parameters[interval_end] must be after parameters[interval_start].",
            param="parameters[interval_end]",
        )


def major(amount: int, currency: str) -> str:
    """Minor units as exact decimal major units: 1234 eur -> "12.34", 500 jpy -> "500"
    (integer arithmetic: it runs for every amount of a million-row file)."""
    places = _places(currency)
    if places == 0:
        return str(amount)
    whole, fraction = divmod(-amount if amount < 0 else amount, 10**places)
    return f"{'-' if amount < 0 else ''}{whole}.{fraction:0{places}d}"


@cache
def _places(currency: str) -> int:
    return exponent(currency)


def iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def row_shaper(keys: Sequence[str], columns: Sequence[str]) -> Callable[[Sequence[Any]], list[Any]]:
    """:func:`shaped` for rows given as tuples in ``keys`` order, its plan made once per
    report (which value of the tuple each column takes, and how it is written)."""
    at = {k: i for i, k in enumerate(keys)}
    cur = at.get("currency")
    plan = [(at[c], c in AMOUNT_COLUMNS) for c in columns]

    def shape(row: Sequence[Any]) -> list[Any]:
        currency = (row[cur] if cur is not None else None) or "eur"
        out: list[Any] = []
        for i, amount in plan:
            value = row[i]
            if value is None:
                out.append("")
            elif amount and isinstance(value, int):
                out.append(major(value, currency))
            elif isinstance(value, datetime):
                out.append(iso_utc(value))
            else:
                out.append(value)
        return out

    return shape


def shaped(row: Mapping[str, object], columns: Sequence[str]) -> list[object]:
    """The row's values in the chosen columns' order, amounts as major units."""
    currency = str(row.get("currency") or "eur")
    out: list[object] = []
    for column in columns:
        value = row.get(column)
        if column in AMOUNT_COLUMNS and isinstance(value, int):
            out.append(major(value, currency))
        else:
            out.append("" if value is None else value)
    return out
