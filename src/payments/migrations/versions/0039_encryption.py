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

from collections.abc import Callable, Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0039_encryption"
down_revision: str | None = "0038_setup_intents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500

# (table, primary key, column, kind, PostgreSQL type before, nullable)
COLUMNS: list[tuple[str, str, str, str, Any, bool]] = [
    ("customers", "id", "name", "str", sa.String(256), True),
    ("customers", "id", "email", "str", sa.String(512), True),
    ("customers", "id", "phone", "str", sa.String(32), True),
    ("customers", "id", "address", "json", sa.JSON(), True),
    ("payment_methods", "id", "billing_details", "json", sa.JSON(), False),
    ("payment_intents", "id", "receipt_email", "str", sa.String(512), True),
    ("invoices", "id", "customer_name", "str", sa.String(256), True),
    ("invoices", "id", "customer_email", "str", sa.String(512), True),
    ("invoices", "id", "customer_address", "json", sa.JSON(), True),
    ("webhook_endpoint_secrets", "id", "secret", "str", sa.String(100), False),
    ("staff_users", "id", "totp_secret", "str", sa.String(64), True),
    ("staff_users", "id", "totp_pending_secret", "str", sa.String(64), True),
    ("events", "id", "data", "json", sa.JSON(), False),
    ("idempotency_keys", "id", "response_body", "bytes", sa.LargeBinary(), True),
    ("fraud_assessments", "id", "email", "str", sa.String(512), True),
    ("fraud_assessments", "id", "ip_address", "str", sa.String(64), True),
    ("fraud_reviews", "id", "ip_address", "str", sa.String(64), True),
    ("fraud_assessments", "id", "attributes", "json", sa.JSON(), False),
]


def _vault() -> Any:
    from payments.platform.db.encrypted import current_vault

    return current_vault()


def _is_pg() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _plain_bytes(kind: str, raw: Any) -> bytes:
    """A stored plain value as the bytes the encrypted type encrypts."""
    if kind == "bytes":
        if isinstance(raw, memoryview):
            return raw.tobytes()
        if isinstance(raw, str):  # PostgreSQL: bytea altered to base64 text
            import base64

            return base64.b64decode(raw)
        return bytes(raw)
    if kind == "json":
        value = orjson.loads(raw) if isinstance(raw, str | bytes) else raw
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    return str(raw).encode()


def _rewrite(table: str, pk: str, column: str, change: Callable[[Any], Any]) -> None:
    """Apply ``change`` to every non-null value of a column, in batches by primary key."""
    conn = op.get_bind()
    t = sa.table(table, sa.column(pk), sa.column(column, sa.Text()))
    last: Any = None
    while True:
        query = sa.select(t.c[pk], t.c[column]).where(t.c[column].is_not(None))
        if last is not None:
            query = query.where(t.c[pk] > last)
        rows = conn.execute(query.order_by(t.c[pk]).limit(BATCH)).all()
        if not rows:
            return
        for key, raw in rows:
            new = change(raw)
            if new is not None:
                conn.execute(sa.update(t).where(t.c[pk] == key).values({column: new}))
        last = rows[-1][0]


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
    if _is_pg():
        op.execute("UPDATE invoices SET customer_country = customer_address ->> 'country'")
    else:
        op.execute(
            "UPDATE invoices SET customer_country = json_extract(customer_address, '$.country')"
        )

    pg = _is_pg()
    vault = _vault()
    for table, pk, column, kind, _before, _nullable in COLUMNS:
        if pg:
            using = {
                "bytes": f"encode({column}, 'base64')",
                "json": f"{column}::text",
                "str": column,
            }[kind]
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE TEXT USING {using}")

        def encrypt(raw: Any, kind: str = kind) -> Any:
            if is_ciphertext(raw):
                return None
            return vault.encrypt_bytes(_plain_bytes(kind, raw))

        _rewrite(table, pk, column, encrypt)

    # velocity counters name their subject by a keyed hash from now on; the sightings of
    # the last 24 hours (all the table keeps) are hashed in place
    v = sa.table("fraud_velocity_events", sa.column("id"), sa.column("subject"))
    conn = op.get_bind()
    if pg:
        op.execute("ALTER TABLE fraud_velocity_events ALTER COLUMN subject TYPE VARCHAR(600)")
    for key, subject in conn.execute(sa.select(v.c.id, v.c.subject)).all():
        hashed = vault.blind_index("velocity", subject.strip())
        conn.execute(sa.update(v).where(v.c.id == key).values(subject=hashed))
    if pg:
        op.execute("ALTER TABLE fraud_velocity_events ALTER COLUMN subject TYPE VARCHAR(64)")

    c = sa.table("customers", sa.column("id"), sa.column("email"), sa.column("email_bidx"))
    for key, email in conn.execute(sa.select(c.c.id, c.c.email).where(c.c.email.is_not(None))):
        plain = vault.decrypt(email) if is_ciphertext(email) else email
        conn.execute(sa.update(c).where(c.c.id == key).values(email_bidx=vault.email_index(plain)))


def downgrade() -> None:
    from payments.platform.crypto.vault import is_ciphertext

    pg = _is_pg()
    vault = _vault()
    for table, pk, column, kind, before, _nullable in COLUMNS:

        def decrypt(raw: Any, kind: str = kind) -> Any:
            if not is_ciphertext(raw):
                return None
            plain = vault.decrypt_bytes(raw)
            if kind == "bytes":
                import base64

                return base64.b64encode(plain).decode() if pg else plain
            return plain.decode()

        _rewrite(table, pk, column, decrypt)
        if pg:
            target = {"json": "JSONB", "bytes": "BYTEA"}.get(kind) or f"VARCHAR({before.length})"
            using = {
                "bytes": f"decode({column}, 'base64')",
                "json": f"{column}::jsonb",
                "str": column,
            }[kind]
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {target} USING {using}")
    with op.batch_alter_table("customers", schema=None, recreate="never") as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_email_bidx"))
        batch_op.create_index(batch_op.f("ix_customers_email"), ["email"], unique=False)
        batch_op.drop_column("email_bidx")
    op.drop_table("encryption_canary")
    op.drop_index(op.f("ix_privacy_erasures_status"), table_name="privacy_erasures")
    op.drop_table("privacy_erasures")
    with op.batch_alter_table("invoices", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("customer_country")
