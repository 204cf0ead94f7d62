"""The Stripe-shaped JSON of payouts and balance transactions as the gateway reported
them, and of our reconciliation results and runs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from payments.gateways.protocol import BalanceTransaction, Payout
from payments.kernel.clock import to_unix


def _unix(value: datetime | None) -> int | None:
    return to_unix(value) if value is not None else None


def payout_object(po: Payout) -> dict[str, Any]:
    """Stripe's ``payout`` (the fields the gateway port carries)."""
    return {
        "id": po.id,
        "object": "payout",
        "amount": po.amount,
        "arrival_date": to_unix(po.arrival_date),
        "automatic": po.automatic,
        "balance_transaction": po.balance_transaction,
        "created": to_unix(po.created),
        "currency": po.currency,
        "description": po.description,
        "failure_code": po.failure_code,
        "method": po.method,
        "status": po.status,
    }


def balance_transaction_object(txn: BalanceTransaction) -> dict[str, Any]:
    """Stripe's ``balance_transaction``."""
    return {
        "id": txn.id,
        "object": "balance_transaction",
        "amount": txn.amount,
        "available_on": to_unix(txn.available_on),
        "created": to_unix(txn.created),
        "currency": txn.currency,
        "description": txn.description,
        "fee": txn.fee,
        "fee_details": [
            {
                "amount": d.amount,
                "currency": d.currency,
                "description": d.description,
                "type": d.type,
            }
            for d in txn.fee_details
        ],
        "net": txn.net,
        "reporting_category": txn.reporting_category,
        "source": txn.source,
        "status": txn.status,
        "type": txn.type,
    }


def line_object(row: dict[str, Any]) -> dict[str, Any]:
    """A stored line: the gateway's balance transaction and what it was matched to."""
    return {
        "balance_transaction": {
            "id": row["balance_transaction"],
            "object": "balance_transaction",
            "amount": row["amount"],
            "available_on": to_unix(row["available_on"]),
            "created": to_unix(row["txn_created"]),
            "currency": row["currency"],
            "fee": row["fee"],
            "fee_details": row["fee_details"],
            "net": row["net"],
            "reporting_category": row["reporting_category"],
            "source": row["source"],
            "status": row["txn_status"],
            "type": row["type"],
        },
        "matched": {
            "object": row["object"],
            "id": row["object_id"],
            "amount": row["expected_amount"],
            "fee": row["expected_fee"],
        }
        if row["object_id"] or row["expected_amount"] is not None
        else None,
        "discrepancies": [c for c in row["codes"].split(",") if c],
    }


def reconciliation_object(
    row: dict[str, Any], lines: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A payout's reconciliation (``lines`` when retrieved one by one)."""
    day: date = row["date"]
    out: dict[str, Any] = {
        "id": row["id"],
        "object": "reconciliation",
        "created": to_unix(row["created"]),
        "updated": to_unix(row["updated"]),
        "date": day.isoformat(),
        "run": row["run_id"],
        "gateway": row["gateway"],
        "payout": row["payout"],
        "currency": row["currency"],
        "status": row["status"],
        "amount": row["payout_amount"],
        "charges": {"count": row["charges_count"], "amount": row["charges_amount"]},
        "refunds": {"count": row["refunds_count"], "amount": row["refunds_amount"]},
        "disputes": {"count": row["disputes_count"], "amount": row["disputes_amount"]},
        "other": row["other_amount"],
        "fees": row["fees_amount"],
        "lines_net": row["lines_net"],
        "difference": row["payout_amount"] - row["lines_net"],
        "discrepancies": row["discrepancies"],
        "ledger_transfer_posted": row["payout_posted"],
    }
    if lines is not None:
        out["lines"] = {
            "object": "list",
            "data": [line_object(line) for line in lines],
            "has_more": False,
            "url": f"/v1/reconciliations/{row['id']}",
        }
    return out


def run_object(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "object": "reconciliation_run",
        "created": to_unix(row["created"]),
        "date": row["date"].isoformat(),
        "gateway": row["gateway"],
        "status": row["status"],
        "payouts": row["payouts"],
        "discrepancies": row["discrepancies"],
        "completed_at": _unix(row.get("completed_at")),
        "error": row.get("error"),
    }
