"""PaymentIntent client secrets; the currencies each shop accepts

Revision ID: 0007_secrets_shop_currencies
Revises: 0006_idempotency_recovery_points
Create Date: 2026-12-01 11:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision: str = "0007_secrets_shop_currencies"
down_revision: str | None = "0006_idempotency_recovery_points"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payment_intents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_secret", sa.String(length=100), nullable=True))
    # every existing shop keeps accepting what it took by default: its currency and EUR
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("currencies", JSON, nullable=True))
    conn = op.get_bind()
    locations = sa.table(
        "locations",
        sa.column("id", sa.String),
        sa.column("default_currency", sa.String),
        sa.column("currencies", JSON),
    )
    for row in conn.execute(sa.select(locations.c.id, locations.c.default_currency)).all():
        currencies = list(dict.fromkeys([row.default_currency, "eur"]))
        conn.execute(
            locations.update().where(locations.c.id == row.id).values(currencies=currencies)
        )
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.alter_column("currencies", existing_type=JSON, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_column("currencies")
    with op.batch_alter_table("payment_intents", schema=None) as batch_op:
        batch_op.drop_column("client_secret")
