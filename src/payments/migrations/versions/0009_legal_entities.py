"""legal entities (the sellers on invoices) and the location's legal entity

Revision ID: 0009_legal_entities
Revises: 0008_customer_tax_ids
Create Date: 2026-12-01 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import payments.platform.db.types

revision: str = "0009_legal_entities"
down_revision: str | None = "0008_customer_tax_ids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = payments.platform.db.types.UTCDateTime(timezone=True)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "legal_entities",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("legal_name", sa.String(length=200), nullable=False),
        sa.Column("address", _json(), nullable=False),
        sa.Column("vat_id", sa.String(length=24), nullable=True),
        sa.Column("tax_number", sa.String(length=40), nullable=True),
        sa.Column("registration_number", sa.String(length=80), nullable=True),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("email", sa.String(length=512), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("invoice_footer", sa.String(length=2000), nullable=True),
        sa.Column("logo", sa.Text(), nullable=True),
        sa.Column("invoice_prefix", sa.String(length=20), nullable=False),
        sa.Column("invoice_number_pattern", sa.String(length=100), nullable=False),
        sa.Column("credit_note_number_pattern", sa.String(length=100), nullable=False),
        sa.Column("retention_years", sa.SmallInteger(), nullable=False),
        sa.Column("metadata", _json(), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_entities")),
    )
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("legal_entity_id", sa.String(length=40), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_locations_legal_entity_id"), ["legal_entity_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_locations_legal_entity_id_legal_entities"),
            "legal_entities",
            ["legal_entity_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_locations_legal_entity_id_legal_entities"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_locations_legal_entity_id"))
        batch_op.drop_column("legal_entity_id")
    op.drop_table("legal_entities")
