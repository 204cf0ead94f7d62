"""fraud prevention: rules, value lists and items, reviews, assessments, velocity events, and
the risk outcome of a charge

Revision ID: 0028_fraud
Revises: 0027_payment_links
Create Date: 2026-12-01 13:37:01.501236
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import payments.platform.db.types

revision: str = "0028_fraud"
down_revision: str | None = "0027_payment_links"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "fraud_assessments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("charge_id", sa.String(length=40), nullable=False),
        sa.Column("payment_intent_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=True),
        sa.Column("card_fingerprint", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=512), nullable=True),
        sa.Column("ip_address", sa.String(length=64), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_eur_cents", sa.BigInteger(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("rule_id", sa.String(length=40), nullable=True),
        sa.Column(
            "attributes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created", payments.platform.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fraud_assessments")),
        sa.UniqueConstraint("charge_id", name=op.f("uq_fraud_assessments_charge_id")),
    )
    with op.batch_alter_table("fraud_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fraud_assessments_card_fingerprint"), ["card_fingerprint"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fraud_assessments_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            "ix_fraud_assessments_location_id_created", ["location_id", "created"], unique=False
        )

    op.create_table(
        "fraud_reviews",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("payment_intent_id", sa.String(length=40), nullable=False),
        sa.Column("charge_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("opened_reason", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("closed_reason", sa.String(length=32), nullable=True),
        sa.Column(
            "closed_at", payments.platform.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "expires_at", payments.platform.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("rule_id", sa.String(length=40), nullable=True),
        sa.Column("risk_level", sa.String(length=16), nullable=True),
        sa.Column("risk_score", sa.Integer(), nullable=True),
        sa.Column("ip_address", sa.String(length=64), nullable=True),
        sa.Column(
            "locked_until", payments.platform.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", payments.platform.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fraud_reviews")),
        sa.UniqueConstraint("charge_id", name=op.f("uq_fraud_reviews_charge_id")),
    )
    with op.batch_alter_table("fraud_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fraud_reviews_location_id"), ["location_id"], unique=False
        )
        batch_op.create_index(
            "ix_fraud_reviews_open_expires_at", ["open", "expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fraud_reviews_payment_intent_id"), ["payment_intent_id"], unique=False
        )

    op.create_table(
        "fraud_value_lists",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("alias", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("item_type", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "metadata",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", payments.platform.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fraud_value_lists")),
        sa.UniqueConstraint("alias", name=op.f("uq_fraud_value_lists_alias")),
    )
    op.create_table(
        "fraud_velocity_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=600), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("member", sa.String(length=100), nullable=False),
        sa.Column("at", payments.platform.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fraud_velocity_events")),
    )
    with op.batch_alter_table("fraud_velocity_events", schema=None) as batch_op:
        batch_op.create_index("ix_fraud_velocity_events_at", ["at"], unique=False)
        batch_op.create_index(
            "ix_fraud_velocity_events_subject_kind_at", ["subject", "kind", "at"], unique=False
        )

    op.create_table(
        "fraud_value_list_items",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("value_list_id", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=800), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", payments.platform.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["value_list_id"],
            ["fraud_value_lists.id"],
            name=op.f("fk_fraud_value_list_items_value_list_id_fraud_value_lists"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fraud_value_list_items")),
        sa.UniqueConstraint(
            "value_list_id", "value", name=op.f("uq_fraud_value_list_items_value_list_id_value")
        ),
    )
    with op.batch_alter_table("fraud_value_list_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fraud_value_list_items_value_list_id"), ["value_list_id"], unique=False
        )

    op.create_table(
        "fraud_rules",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("predicate", sa.String(length=2000), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("created", payments.platform.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated", payments.platform.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_fraud_rules_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fraud_rules")),
    )
    with op.batch_alter_table("fraud_rules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fraud_rules_location_id"), ["location_id"], unique=False
        )

    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "outcome",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "risk",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:

    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.drop_column("risk")
        batch_op.drop_column("outcome")

    with op.batch_alter_table("fraud_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fraud_rules_location_id"))

    op.drop_table("fraud_rules")
    with op.batch_alter_table("fraud_value_list_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fraud_value_list_items_value_list_id"))

    op.drop_table("fraud_value_list_items")
    with op.batch_alter_table("fraud_velocity_events", schema=None) as batch_op:
        batch_op.drop_index("ix_fraud_velocity_events_subject_kind_at")
        batch_op.drop_index("ix_fraud_velocity_events_at")

    op.drop_table("fraud_velocity_events")
    op.drop_table("fraud_value_lists")
    with op.batch_alter_table("fraud_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fraud_reviews_payment_intent_id"))
        batch_op.drop_index("ix_fraud_reviews_open_expires_at")
        batch_op.drop_index(batch_op.f("ix_fraud_reviews_location_id"))

    op.drop_table("fraud_reviews")
    with op.batch_alter_table("fraud_assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_fraud_assessments_location_id_created")
        batch_op.drop_index(batch_op.f("ix_fraud_assessments_customer_id"))
        batch_op.drop_index(batch_op.f("ix_fraud_assessments_card_fingerprint"))

    op.drop_table("fraud_assessments")
