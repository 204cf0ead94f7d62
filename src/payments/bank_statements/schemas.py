"""Request and response models of bank statements and bank transactions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from payments.platform.http.schemas import StrictModel

Id = Annotated[str, Field(min_length=3, max_length=64)]


class MatchIn(StrictModel):
    invoice: Id = Field(description="The invoice (in_...) this transfer pays.")
    amount: Annotated[int | None, Field(strict=True, ge=1)] = Field(
        None,
        description="Minor units of the transfer to apply to the invoice; default: all of "
        "it not applied yet. Less keeps the rest for another invoice. More than the "
        "invoice owes goes to the customer's credit balance.",
    )


class IgnoreIn(StrictModel):
    pass


class Account(BaseModel):
    iban: str
    legal_entity: str


class Period(BaseModel):
    start: int | None
    end: int | None


class TransactionCounts(BaseModel):
    matched: int
    unmatched: int
    ignored: int


class BankStatementOut(BaseModel):
    """An imported camt.053 statement or camt.054 notification of one account."""

    id: str = Field(examples=["bst_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["bank_statement"] = "bank_statement"
    account: Account
    message: str = Field(examples=["camt.053.001.08"])
    kind: Literal["statement", "notification"]
    message_id: str
    identifier: str
    electronic_sequence_number: str | None
    currency: str | None
    statement_created: int | None
    period: Period
    opening_balance: int | None
    closing_balance: int | None
    transaction_count: int
    transactions_imported: int
    entries_skipped: int
    transactions: TransactionCounts
    sha256: str
    filename: str | None
    created: int
    livemode: bool


class Remittance(BaseModel):
    unstructured: str | None
    creditor_reference: str | None


class Debtor(BaseModel):
    name: str | None
    iban: str | None


class Allocation(BaseModel):
    invoice: str
    invoice_payment: str
    amount: int
    method: Literal["creditor_reference", "invoice_number", "amount_and_name", "manual"]
    score: int
    matched_at: int


class MatchCandidate(BaseModel):
    invoice: str
    method: Literal["creditor_reference", "invoice_number", "amount_and_name"]
    score: int


class BankTransactionOut(BaseModel):
    """One booked movement of a bank account, as its statement reported it."""

    id: str = Field(examples=["btx_01JD8ZQ0V8Y3J6T4W9B2C5D7FG"])
    object: Literal["bank_transaction"] = "bank_transaction"
    bank_statement: str
    account: Account
    direction: Literal["credit", "debit"]
    amount: int
    amount_applied: int
    amount_unapplied: int
    currency: str
    booking_date: str | None
    value_date: str | None
    account_servicer_reference: str | None
    entry_reference: str | None
    end_to_end_id: str | None
    remittance_information: Remittance
    debtor: Debtor
    reversal: bool
    status: Literal["unmatched", "matched", "ignored"]
    ignored_reason: Literal["debit", "reversal", "manual"] | None
    allocations: list[Allocation]
    match_candidates: list[MatchCandidate]
    matched_at: int | None
    ignored_at: int | None
    location: str | None
    created: int
    livemode: bool


class BankTransactionList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[BankTransactionOut]


class BankStatementList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[BankStatementOut]


UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The camt.053 / camt.054 XML file, as the body or as the multipart "
        "field `file`. `text/xml` is accepted as well, and an MT940 file as `text/plain` "
        "or `application/octet-stream`.",
        "content": {
            "application/xml": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
        },
    }
}
