"""api key expiry: a rolled key keeps working until its expires_at (rotation with overlap)

Revision ID: 0034_api_key_expiry
Revises: 0033_location_sync
Create Date: 2026-12-01 16:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from payments.platform.db.types import UTCDateTime

revision: str = "0034_api_key_expiry"
down_revision: str | None = "0033_location_sync"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("rolled_to", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("rolled_to")
        batch_op.drop_column("expires_at")
