"""encryption at rest and GDPR: personal data and secrets encrypted (envelope
encryption), the customers' e-mail blind index, the key canary, GDPR erasures

Existing rows are encrypted in place, in batches, with the key the settings name (the
local key file is created if this is its first start). On PostgreSQL the columns become
``text`` first; on SQLite their declared types stay (SQLite stores text whatever the
declared type says, and rebuilding ``customers`` would break the foreign keys to it).

Revision ID: 0039_encryption
Revises: 0038_setup_intents
Create Date: 2026-12-01 17:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from payments.migrations.encryption import (
    Column,
    decrypt_columns,
    encrypt_columns,
    is_postgres,
    vault,
)

revision: str = "0039_encryption"
down_revision: str | None = "0038_setup_intents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, primary key, column, kind, PostgreSQL type before): see payments.migrations.encryption
COLUMNS: list[Column] = [
    ("customers", "id", "name", "str", sa.String(256)),
    ("customers", "id", "email", "str", sa.String(512)),
    ("customers", "id", "phone", "str", sa.String(32)),
    ("customers", "id", "address", "json", sa.JSON()),
    ("payment_methods", "id", "billing_details", "json", sa.JSON()),
    ("payment_intents", "id", "receipt_email", "str", sa.String(512)),
    ("invoices", "id", "customer_name", "str", sa.String(256)),
    ("invoices", "id", "customer_email", "str", sa.String(512)),
    ("invoices", "id", "customer_address", "json", sa.JSON()),
    ("webhook_endpoint_secrets", "id", "secret", "str", sa.String(100)),
    ("staff_users", "id", "totp_secret", "str", sa.String(64)),
    ("staff_users", "id", "totp_pending_secret", "str", sa.String(64)),
    ("events", "id", "data", "json", sa.JSON()),
    ("idempotency_keys", "id", "response_body", "bytes", sa.LargeBinary()),
    ("fraud_assessments", "id", "email", "str", sa.String(512)),
    ("fraud_assessments", "id", "ip_address", "str", sa.String(64)),
    ("fraud_reviews", "id", "ip_address", "str", sa.String(64)),
    ("fraud_assessments", "id", "attributes", "json", sa.JSON()),
]


def upgrade() -> None:
    from payments.platform.crypto.vault import is_ciphertext

    op.create_table(
        "encryption_canary",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_encryption_canary")),
    )
    op.create_table(
        "privacy_erasures",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retained_until", sa.Date(), nullable=True),
        sa.Column("counts", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_erasures")),
        sa.UniqueConstraint("customer_id", name=op.f("uq_privacy_erasures_customer_id")),
    )
    op.create_index(op.f("ix_privacy_erasures_status"), "privacy_erasures", ["status"])
    with op.batch_alter_table("customers", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("email_bidx", sa.String(length=64), nullable=True))
        batch_op.drop_index(batch_op.f("ix_customers_email"))
        batch_op.create_index(batch_op.f("ix_customers_email_bidx"), ["email_bidx"], unique=False)

    # the buyer's country stays readable for the VAT report's SQL: copied out of the
    # address before the address is encrypted
    with op.batch_alter_table("invoices", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("customer_country", sa.String(length=8), nullable=True))
    if is_postgres():
        op.execute("UPDATE invoices SET customer_country = customer_address ->> 'country'")
    else:
        op.execute(
            "UPDATE invoices SET customer_country = json_extract(customer_address, '$.country')"
        )

    encrypt_columns(COLUMNS)
    pg = is_postgres()
    keys = vault()

    # velocity counters name their subject by a keyed hash from now on; the sightings of
    # the last 24 hours (all the table keeps) are hashed in place
    v = sa.table("fraud_velocity_events", sa.column("id"), sa.column("subject"))
    conn = op.get_bind()
    if pg:
        op.execute("ALTER TABLE fraud_velocity_events ALTER COLUMN subject TYPE VARCHAR(600)")
    for key, subject in conn.execute(sa.select(v.c.id, v.c.subject)).all():
        hashed = keys.blind_index("velocity", subject.strip())
        conn.execute(sa.update(v).where(v.c.id == key).values(subject=hashed))
    if pg:
        op.execute("ALTER TABLE fraud_velocity_events ALTER COLUMN subject TYPE VARCHAR(64)")

    c = sa.table("customers", sa.column("id"), sa.column("email"), sa.column("email_bidx"))
    for key, email in conn.execute(sa.select(c.c.id, c.c.email).where(c.c.email.is_not(None))):
        plain = keys.decrypt(email) if is_ciphertext(email) else email
        conn.execute(sa.update(c).where(c.c.id == key).values(email_bidx=keys.email_index(plain)))


def downgrade() -> None:
    decrypt_columns(COLUMNS)
    with op.batch_alter_table("customers", schema=None, recreate="never") as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_email_bidx"))
        batch_op.create_index(batch_op.f("ix_customers_email"), ["email"], unique=False)
        batch_op.drop_column("email_bidx")
    op.drop_table("encryption_canary")
    op.drop_index(op.f("ix_privacy_erasures_status"), table_name="privacy_erasures")
    op.drop_table("privacy_erasures")
    with op.batch_alter_table("invoices", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("customer_country")
