"""idempotency recovery points

Revision ID: 0006_idempotency_recovery_points
Revises: 0005_gateway_event_queue
Create Date: 2026-11-26 14:29:54.736034
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_idempotency_recovery_points"
down_revision: str | None = "0005_gateway_event_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resource_type", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("resource_id", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_column("resource_id")
        batch_op.drop_column("resource_type")
