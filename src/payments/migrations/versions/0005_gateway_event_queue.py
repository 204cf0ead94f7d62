"""gateway event queue: lease and pending index

Revision ID: 0005_gateway_event_queue
Revises: 0004_refunds_disputes_audit
Create Date: 2026-11-26 14:10:28.993416
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import payments.platform.db.types

revision: str = "0005_gateway_event_queue"
down_revision: str | None = "0004_refunds_disputes_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("gateway_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "locked_until", payments.platform.db.types.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.create_index(
            "ix_gateway_events_pending", ["processed_at", "received"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("gateway_events", schema=None) as batch_op:
        batch_op.drop_index("ix_gateway_events_pending")
        batch_op.drop_column("locked_until")
