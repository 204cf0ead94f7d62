"""webhooks: endpoints, signing secrets, deliveries; the events outbox marker

Revision ID: 0003_webhooks
Revises: 0002_payments
Create Date: 2026-11-26 13:11:55.228568
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import payments.platform.db.types

revision: str = "0003_webhooks"
down_revision: str | None = "0002_payments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = payments.platform.db.types.UTCDateTime(timezone=True)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("enabled_events", _json(), nullable=False),
        sa.Column("description", sa.String(length=5000), nullable=True),
        sa.Column("metadata", _json(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=True),
        sa.Column("failing_since", UTC_DATETIME, nullable=True),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_webhook_endpoints_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_endpoints_location_id"), ["location_id"], unique=False
        )

    op.create_table(
        "webhook_endpoint_secrets",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("endpoint_id", sa.String(length=40), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=True),
        sa.Column("created", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
            name=op.f("fk_webhook_endpoint_secrets_endpoint_id_webhook_endpoints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoint_secrets")),
    )
    with op.batch_alter_table("webhook_endpoint_secrets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_endpoint_secrets_endpoint_id"), ["endpoint_id"], unique=False
        )

    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("endpoint_id", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("event_type", sa.String(length=80), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC_DATETIME, nullable=True),
        sa.Column("locked_until", UTC_DATETIME, nullable=True),
        sa.Column("lease_token", sa.String(length=32), nullable=True),
        sa.Column("last_attempt_at", UTC_DATETIME, nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("error_code", sa.String(length=40), nullable=True),
        sa.Column("error_message", sa.String(length=500), nullable=True),
        sa.Column("created", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
            name=op.f("fk_webhook_deliveries_endpoint_id_webhook_endpoints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_webhook_deliveries_event_id_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint(
            "event_id",
            "endpoint_id",
            "sequence",
            name=op.f("uq_webhook_deliveries_event_id_endpoint_id_sequence"),
        ),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_deliveries_due", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index("ix_webhook_deliveries_endpoint", ["endpoint_id", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_event_id"), ["event_id"], unique=False
        )

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("webhooks_dispatched_at", UTC_DATETIME, nullable=True))
    # Events from before webhooks existed had no endpoint to go to: mark them dispatched.
    op.execute(sa.text("UPDATE events SET webhooks_dispatched_at = created"))
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_events_undispatched",
            ["id"],
            unique=False,
            postgresql_where=sa.text("webhooks_dispatched_at IS NULL"),
            sqlite_where=sa.text("webhooks_dispatched_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_events_undispatched",
            postgresql_where=sa.text("webhooks_dispatched_at IS NULL"),
            sqlite_where=sa.text("webhooks_dispatched_at IS NULL"),
        )
        batch_op.drop_column("webhooks_dispatched_at")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_event_id"))
        batch_op.drop_index("ix_webhook_deliveries_endpoint")
        batch_op.drop_index("ix_webhook_deliveries_due")
    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("webhook_endpoint_secrets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_endpoint_secrets_endpoint_id"))
    op.drop_table("webhook_endpoint_secrets")
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_endpoints_location_id"))
    op.drop_table("webhook_endpoints")
