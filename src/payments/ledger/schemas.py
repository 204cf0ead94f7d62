"""Response shapes of the ledger endpoints (for the OpenAPI document)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class LedgerAccountOut(BaseModel):
    object: Literal["ledger_account"] = "ledger_account"
    account: str
    code: str = Field(examples=["1100"])
    name: str
    type: str
    normal_balance: Literal["debit", "credit"]
    currency: str
    balance: int = Field(description="Debits minus credits, in minor units.")
    normal_side_balance: int = Field(description="Positive when on the account's normal side.")


class LedgerAccountList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[LedgerAccountOut]


class LedgerDimensionBalanceOut(BaseModel):
    object: Literal["ledger_dimension_balance"] = "ledger_dimension_balance"
    account: str
    dimension: str | None = Field(examples=["DE:S:19"])
    currency: str
    balance: int = Field(description="Debits minus credits, in minor units.")
    normal_side_balance: int = Field(description="Positive when on the account's normal side.")


class LedgerDimensionBalanceList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[LedgerDimensionBalanceOut]


class LedgerEntryOut(BaseModel):
    account: str
    currency: str
    amount: int = Field(description="Debit positive, credit negative.")
    dimension: str | None = Field(
        None,
        description="Sub-ledger key: the invoice on accounts_receivable, the VAT group "
        "(country:category:rate) on sales and vat_payable, the customer on customer_credit.",
    )


class LedgerSource(BaseModel):
    object: str
    id: str


class LedgerTransactionOut(BaseModel):
    id: str
    object: Literal["ledger_transaction"] = "ledger_transaction"
    kind: str
    source: LedgerSource
    description: str | None
    location: str | None
    entries: list[LedgerEntryOut]
    created: int


class LedgerTransactionList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[LedgerTransactionOut]
