"""Open receivables by customer and age (pure).

What an invoice still owes on a date is its ``accounts_receivable`` balance in the ledger
(dimension: the invoice) from the postings up to the end of that day, so a past
``as_of`` is answered as the books stood then. Its age is the days between its due date
(the issue date when it has none: charged automatically) and ``as_of``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

BUCKETS: Final = ("current", "1_30", "31_60", "61_90", "over_90")


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    invoice: str
    number: str | None
    customer: str
    customer_name: str | None
    currency: str
    due: date
    amount_remaining: int


def bucket(days_past_due: int) -> str:
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "1_30"
    if days_past_due <= 60:
        return "31_60"
    if days_past_due <= 90:
        return "61_90"
    return "over_90"


def aging(open_invoices: Iterable[OpenInvoice], as_of: date) -> dict[str, Any]:
    customers: dict[tuple[str, str], dict[str, Any]] = {}
    totals: dict[str, dict[str, int]] = {}
    for inv in open_invoices:
        days = (as_of - inv.due).days
        name = bucket(days)
        row = customers.setdefault(
            (inv.customer, inv.currency),
            {
                "customer": inv.customer,
                "customer_name": inv.customer_name,
                "currency": inv.currency,
                **dict.fromkeys(BUCKETS, 0),
                "total": 0,
                "invoices": [],
            },
        )
        row[name] += inv.amount_remaining
        row["total"] += inv.amount_remaining
        row["invoices"].append(
            {
                "invoice": inv.invoice,
                "number": inv.number,
                "due_date": inv.due.isoformat(),
                "days_past_due": max(days, 0),
                "bucket": name,
                "amount_remaining": inv.amount_remaining,
            }
        )
        total = totals.setdefault(inv.currency, dict.fromkeys((*BUCKETS, "total"), 0))
        total[name] += inv.amount_remaining
        total["total"] += inv.amount_remaining
    for row in customers.values():
        row["invoices"].sort(key=lambda i: (i["due_date"], i["invoice"]))
    return {
        "customers": [customers[k] for k in sorted(customers)],
        "totals": [{"currency": c} | totals[c] for c in sorted(totals)],
    }
