"""The rows of the ``payouts.reconciliation`` report run (written by reports' runner, in
the columns of ``payments.reports.domain.runs.COLUMNS``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from payments.platform.db.uow import UnitOfWork
from payments.reconciliation.repository import ReconciliationRepository


def _first_day_from(when: datetime) -> Any:
    """The first UTC day whose start is at or after ``when``."""
    when = when.astimezone(UTC)
    day = when.date()
    return (
        day
        if when == datetime.combine(day, when.min.time(), tzinfo=UTC)
        else day + timedelta(days=1)
    )


async def reconciliation_rows(
    uow: UnitOfWork, start: datetime, end: datetime, *, currency: str | None
) -> list[dict[str, Any]]:
    """Every line of the payouts arriving in ``[start, end)``, oldest payout first."""
    rows = await uow.repo(ReconciliationRepository).report_rows(
        _first_day_from(start), _first_day_from(end), currency=currency
    )
    return [
        {
            "arrival_date": r["date"].isoformat(),
            "payout_id": r["payout_id"],
            "payout_amount": r["payout_amount"],
            "reconciliation_status": r["payout_status"],
            "balance_transaction": r["balance_transaction"],
            "type": r["type"],
            "reporting_category": r["reporting_category"],
            "source": r["source"],
            "created_utc": r["txn_created"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "currency": r["currency"],
            "amount": r["amount"],
            "fee": r["fee"],
            "net": r["net"],
            "matched_object": r["object"],
            "matched_id": r["object_id"],
            "expected_amount": r["expected_amount"],
            "expected_fee": r["expected_fee"],
            "discrepancies": r["codes"].replace(",", " "),
        }
        for r in rows
    ]
