"""imported bank statements (camt.053 / camt.054) and their bank transactions

Revision ID: 0024_bank_statements
Revises: 0023_invoice_payments
Create Date: 2026-12-01 13:37:31.150948
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import payments.platform.db.types

revision: str = "0024_bank_statements"
down_revision: str | None = "0023_invoice_payments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "bank_statements",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("legal_entity_id", sa.String(length=40), nullable=False),
        sa.Column("account_iban", sa.String(length=34), nullable=False),
        sa.Column("message", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("identifier", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column(
            "statement_created",
            payments.platform.db.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "period_start", payments.platform.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "period_end", payments.platform.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("opening_balance", sa.BigInteger(), nullable=True),
        sa.Column("closing_balance", sa.BigInteger(), nullable=True),
        sa.Column("electronic_sequence_number", sa.String(length=40), nullable=True),
        sa.Column("transaction_count", sa.Integer(), nullable=False),
        sa.Column("transactions_imported", sa.Integer(), nullable=False),
        sa.Column("entries_skipped", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", payments.platform.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["legal_entity_id"],
            ["legal_entities.id"],
            name=op.f("fk_bank_statements_legal_entity_id_legal_entities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_statements")),
        sa.UniqueConstraint(
            "account_iban",
            "kind",
            "identifier",
            name=op.f("uq_bank_statements_account_iban_kind_identifier"),
        ),
    )
    op.create_table(
        "bank_transactions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("statement_id", sa.String(length=40), nullable=False),
        sa.Column("legal_entity_id", sa.String(length=40), nullable=False),
        sa.Column("account_iban", sa.String(length=34), nullable=False),
        sa.Column("dedup_key", sa.String(length=120), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=True),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("account_servicer_reference", sa.String(length=64), nullable=True),
        sa.Column("entry_reference", sa.String(length=64), nullable=True),
        sa.Column("end_to_end_id", sa.String(length=64), nullable=True),
        sa.Column("remittance_information", sa.Text(), nullable=True),
        sa.Column("creditor_reference", sa.String(length=64), nullable=True),
        sa.Column("debtor_name", sa.String(length=200), nullable=True),
        sa.Column("debtor_iban", sa.String(length=34), nullable=True),
        sa.Column("reversal", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ignored_reason", sa.String(length=16), nullable=True),
        sa.Column("amount_applied", sa.BigInteger(), nullable=False),
        sa.Column("allocations", _json(), nullable=False),
        sa.Column("match_candidates", _json(), nullable=False),
        sa.Column(
            "match_attempted_at",
            payments.platform.db.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "matched_at", payments.platform.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "ignored_at", payments.platform.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("location_id", sa.String(length=40), nullable=True),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", payments.platform.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["legal_entity_id"],
            ["legal_entities.id"],
            name=op.f("fk_bank_transactions_legal_entity_id_legal_entities"),
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["bank_statements.id"],
            name=op.f("fk_bank_transactions_statement_id_bank_statements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_transactions")),
        sa.UniqueConstraint(
            "account_iban", "dedup_key", name=op.f("uq_bank_transactions_account_iban_dedup_key")
        ),
    )
    with op.batch_alter_table("bank_transactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bank_transactions_statement_id"), ["statement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_bank_transactions_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bank_transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_transactions_status"))
        batch_op.drop_index(batch_op.f("ix_bank_transactions_statement_id"))

    op.drop_table("bank_transactions")
    op.drop_table("bank_statements")
