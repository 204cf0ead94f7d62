"""The journal and its running balances."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import MoneyAmount

# --------------------------------------------------------------------------- ledger

ledger_transactions = sa.Table(
    "ledger_transactions",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("source_type", sa.String(40), nullable=False),
    sa.Column("source_id", ID, nullable=False),
    sa.Column("description", sa.String(500), nullable=False),
    sa.Column("location_id", ID, nullable=True, index=True),
    created_column(),
    # a movement is posted at most once per (kind, source): retries cannot double-post
    sa.UniqueConstraint("kind", "source_type", "source_id"),
    sa.Index("ix_ledger_transactions_source", "source_id"),
    sa.Index("ix_ledger_transactions_created", "created"),  # reports read the journal by date
)

ledger_entries = sa.Table(
    "ledger_entries",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column(
        "transaction_id", ID, sa.ForeignKey("ledger_transactions.id"), nullable=False, index=True
    ),
    sa.Column("account", sa.String(40), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("amount", MoneyAmount, nullable=False),  # signed: debit > 0, credit < 0
    # a sub-ledger key: the invoice on accounts_receivable, the VAT group on vat_payable
    sa.Column("dimension", sa.String(64), nullable=True),
    sa.Index("ix_ledger_entries_account_dimension", "account", "dimension"),
)

# Running balances, split into a few shards per (account, currency) so that
# concurrent postings do not queue on one hot row; a balance is the sum of its shards.
ledger_balances = sa.Table(
    "ledger_balances",
    metadata,
    sa.Column("account", sa.String(40), primary_key=True),
    sa.Column("currency", sa.String(3), primary_key=True),
    sa.Column("shard", sa.SmallInteger, primary_key=True),
    sa.Column("balance", MoneyAmount, nullable=False),
)
