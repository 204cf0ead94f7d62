"""Response models of reconciliation (for the OpenAPI document)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class CountAmount(BaseModel):
    count: int
    amount: int = Field(description="Signed minor units: refunds and disputes are negative.")


class DiscrepancyOut(BaseModel):
    code: str = Field(
        description="missing_in_ledger | missing_at_gateway | amount_mismatch | fee_mismatch "
        "| currency_mismatch | duplicate_line | payout_amount_mismatch"
    )
    message: str
    currency: str
    balance_transaction: str | None
    source: str | None = Field(description="The gateway's id of the object that moved money.")
    object: str | None = Field(description="charge | refund | dispute | payout")
    object_id: str | None = Field(description="Our id of it, when we know it.")
    expected: int | None = Field(description="What our books say (minor units).")
    actual: int | None = Field(description="What the gateway says (minor units).")


class MatchedOut(BaseModel):
    object: str | None
    id: str | None
    amount: int | None
    fee: int | None


class LineOut(BaseModel):
    balance_transaction: dict[str, Any] = Field(
        description="The gateway's balance transaction, Stripe-shaped."
    )
    matched: MatchedOut | None
    discrepancies: list[str]


class LineList(BaseModel):
    object: str = "list"
    url: str
    has_more: bool
    data: list[LineOut]


class ReconciliationOut(BaseModel):
    id: str
    object: str = "reconciliation"
    created: int
    updated: int
    date: str = Field(description="The payout's arrival date (UTC), YYYY-MM-DD.")
    run: str
    gateway: str
    payout: dict[str, Any] = Field(description="The gateway's payout, Stripe-shaped.")
    currency: str
    status: str = Field(description="reconciled | discrepancies")
    amount: int = Field(description="The payout's amount.")
    charges: CountAmount
    refunds: CountAmount
    disputes: CountAmount
    other: int
    fees: int
    lines_net: int = Field(description="The sum of the lines' nets (the payout's own excluded).")
    difference: int = Field(description="amount - lines_net.")
    discrepancies: list[DiscrepancyOut]
    ledger_transfer_posted: bool = Field(
        description="The payout's transfer from the gateway receivable to the bank is posted."
    )
    lines: LineList | None = Field(None, description="On retrieve only.")


class ReconciliationList(BaseModel):
    object: str = "list"
    url: str
    has_more: bool
    data: list[ReconciliationOut]


class ReconciliationRunOut(BaseModel):
    id: str
    object: str = "reconciliation_run"
    created: int
    date: str
    gateway: str
    status: str = Field(description="pending | completed | failed")
    payouts: int
    discrepancies: int
    completed_at: int | None
    error: str | None


class ReconciliationRunList(BaseModel):
    object: str = "list"
    url: str
    has_more: bool
    data: list[ReconciliationRunOut]
