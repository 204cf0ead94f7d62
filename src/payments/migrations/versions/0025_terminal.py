"""terminal readers at the shops' counters and the actions sent to them

Revision ID: 0025_terminal
Revises: 0024_bank_statements
Create Date: 2026-12-01 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import payments.platform.db.types

revision: str = "0025_terminal"
down_revision: str | None = "0024_bank_statements"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = payments.platform.db.types.UTCDateTime(timezone=True)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "terminal_readers",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("device_type", sa.String(length=64), nullable=False),
        sa.Column("serial_number", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("gateway", sa.String(length=20), nullable=False),
        sa.Column("gateway_ref", sa.String(length=255), nullable=False),
        sa.Column("gateway_location", sa.String(length=255), nullable=True),
        sa.Column("action_id", sa.String(length=40), nullable=True),
        sa.Column("metadata", _json(), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_terminal_readers_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminal_readers")),
        sa.UniqueConstraint("gateway", "gateway_ref", name="uq_terminal_readers_gateway_ref"),
    )
    op.create_index(
        op.f("ix_terminal_readers_location_id"), "terminal_readers", ["location_id"], unique=False
    )
    op.create_table(
        "terminal_reader_actions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("reader_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payment_intent_id", sa.String(length=40), nullable=True),
        sa.Column("charge_id", sa.String(length=40), nullable=True),
        sa.Column("refund_id", sa.String(length=40), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("gateway_ref", sa.String(length=255), nullable=True),
        sa.Column("details", _json(), nullable=False),
        sa.Column("failure_code", sa.String(length=64), nullable=True),
        sa.Column("failure_message", sa.String(length=1000), nullable=True),
        sa.Column("completed_at", UTC_DATETIME, nullable=True),
        sa.Column("created", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["reader_id"],
            ["terminal_readers.id"],
            name=op.f("fk_terminal_reader_actions_reader_id_terminal_readers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminal_reader_actions")),
    )
    for column in ("reader_id", "payment_intent_id", "charge_id", "gateway_ref"):
        op.create_index(
            op.f(f"ix_terminal_reader_actions_{column}"),
            "terminal_reader_actions",
            [column],
            unique=False,
        )


def downgrade() -> None:
    for column in ("reader_id", "payment_intent_id", "charge_id", "gateway_ref"):
        op.drop_index(
            op.f(f"ix_terminal_reader_actions_{column}"), table_name="terminal_reader_actions"
        )
    op.drop_table("terminal_reader_actions")
    op.drop_index(op.f("ix_terminal_readers_location_id"), table_name="terminal_readers")
    op.drop_table("terminal_readers")
