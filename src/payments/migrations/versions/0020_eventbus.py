"""the event bus: events' published_at (the outbox marker of the broker publisher) and
the publisher's lease

Revision ID: 0020_eventbus
Revises: 0011_invoices
Create Date: 2026-12-01 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import payments.platform.db.types

revision: str = "0020_eventbus"
down_revision: str | None = "0011_invoices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = payments.platform.db.types.UTCDateTime(timezone=True)
UNPUBLISHED = "published_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "event_publishers",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=True),
        sa.Column("locked_until", UTC_DATETIME, nullable=True),
        sa.Column("published_through", sa.String(length=40), nullable=True),
        sa.Column("updated", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_event_publishers")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_at", UTC_DATETIME, nullable=True))
    # Events from before the event bus existed are history, not news: a broker configured
    # later starts with the events recorded after this upgrade.
    op.execute(sa.text("UPDATE events SET published_at = created"))
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_events_unpublished",
            ["id"],
            unique=False,
            postgresql_where=sa.text(UNPUBLISHED),
            sqlite_where=sa.text(UNPUBLISHED),
        )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_events_unpublished",
            postgresql_where=sa.text(UNPUBLISHED),
            sqlite_where=sa.text(UNPUBLISHED),
        )
        batch_op.drop_column("published_at")
    op.drop_table("event_publishers")
