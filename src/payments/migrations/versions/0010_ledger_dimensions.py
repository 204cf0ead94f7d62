"""ledger entry dimensions (sub-ledger keys: the invoice on accounts_receivable, the VAT
group on sales and vat_payable)

Revision ID: 0010_ledger_dimensions
Revises: 0009_legal_entities
Create Date: 2026-12-01 11:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_ledger_dimensions"
down_revision: str | None = "0009_legal_entities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dimension", sa.String(length=64), nullable=True))
        batch_op.create_index(
            "ix_ledger_entries_account_dimension", ["account", "dimension"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_entries_account_dimension")
        batch_op.drop_column("dimension")
