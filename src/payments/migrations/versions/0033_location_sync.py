"""location sync: shops linked to the Locations Service, active flag, local overrides

Revision ID: 0033_location_sync
Revises: 0032_advance_invoices
Create Date: 2026-12-01 16:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0033_location_sync"
down_revision: str | None = "0032_advance_invoices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(sa.Column("external_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("price_list", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("tax_region", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("overridden", JSON, server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("upstream", JSON, nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_locations_external_id"), ["external_id"])


def downgrade() -> None:
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_locations_external_id"), type_="unique")
        batch_op.drop_column("upstream")
        batch_op.drop_column("overridden")
        batch_op.drop_column("tax_region")
        batch_op.drop_column("price_list")
        batch_op.drop_column("external_id")
        batch_op.drop_column("active")
