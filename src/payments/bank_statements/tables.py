"""Imported bank statements and their transactions."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.encrypted import EncryptedString
from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import JSONType, MoneyAmount, UTCDateTime

bank_statements = sa.Table(
    "bank_statements",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("legal_entity_id", ID, sa.ForeignKey("legal_entities.id"), nullable=False),
    sa.Column("account_iban", sa.String(34), nullable=False),
    sa.Column("message", sa.String(24), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("message_id", sa.String(64), nullable=False),
    sa.Column("identifier", sa.String(64), nullable=False),
    sa.Column("currency", sa.String(3), nullable=True),
    sa.Column("statement_created", UTCDateTime(), nullable=True),
    sa.Column("period_start", UTCDateTime(), nullable=True),
    sa.Column("period_end", UTCDateTime(), nullable=True),
    sa.Column("opening_balance", MoneyAmount, nullable=True),
    sa.Column("closing_balance", MoneyAmount, nullable=True),
    sa.Column("electronic_sequence_number", sa.String(40), nullable=True),
    sa.Column("transaction_count", sa.Integer, nullable=False),
    sa.Column("transactions_imported", sa.Integer, nullable=False),
    sa.Column("entries_skipped", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("filename", sa.String(255), nullable=True),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
    # the bank numbers its statements per account: the same one imported twice is one
    sa.UniqueConstraint("account_iban", "kind", "identifier"),
)

bank_transactions = sa.Table(
    "bank_transactions",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("statement_id", ID, sa.ForeignKey("bank_statements.id"), nullable=False, index=True),
    sa.Column("legal_entity_id", ID, sa.ForeignKey("legal_entities.id"), nullable=False),
    sa.Column("account_iban", sa.String(34), nullable=False),
    sa.Column("dedup_key", sa.String(120), nullable=False),
    sa.Column("direction", sa.String(8), nullable=False),
    sa.Column("amount", MoneyAmount, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("booking_date", sa.Date, nullable=True),
    sa.Column("value_date", sa.Date, nullable=True),
    sa.Column("account_servicer_reference", sa.String(64), nullable=True),
    sa.Column("entry_reference", sa.String(64), nullable=True),
    sa.Column("end_to_end_id", sa.String(64), nullable=True),
    # the payer's name, account and message: personal data, encrypted at rest
    sa.Column("remittance_information", EncryptedString(), nullable=True),
    sa.Column("creditor_reference", sa.String(64), nullable=True),
    sa.Column("debtor_name", EncryptedString(), nullable=True),
    sa.Column("debtor_iban", EncryptedString(), nullable=True),
    sa.Column("reversal", sa.Boolean, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("ignored_reason", sa.String(16), nullable=True),
    sa.Column("amount_applied", MoneyAmount, nullable=False),
    sa.Column("allocations", JSONType, nullable=False),
    sa.Column("match_candidates", JSONType, nullable=False),
    sa.Column("match_attempted_at", UTCDateTime(), nullable=True),
    sa.Column("matched_at", UTCDateTime(), nullable=True),
    sa.Column("ignored_at", UTCDateTime(), nullable=True),
    sa.Column("location_id", ID, nullable=True),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
    # a movement is imported once, whichever statement or notification brings it
    sa.UniqueConstraint("account_iban", "dedup_key"),
)
