"""encryption at rest, the rest of the personal data: bank transactions' payer name,
IBAN and remittance text; the audit trail's actor name, IP and changes; staff e-mails
(with a blind index for sign-in) and the e-mails of sign-in attempts; the name and
address a tax authority returned for a customer's tax id

Existing rows are encrypted in place (see :mod:`payments.migrations.encryption`). The
audit trail's hashes cover the plain values, so ``payments audit verify`` holds before
and after. ``staff_users.email`` keeps its unique constraint (on ciphertexts it never
fires); the unique index on the new ``email_bidx`` is what keeps two users from sharing
an e-mail, now whatever its case.

Revision ID: 0040_encrypt_more
Revises: 0039_encryption
Create Date: 2026-12-01 21:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from payments.migrations.encryption import Column, decrypt_columns, encrypt_columns, vault

revision: str = "0040_encrypt_more"
down_revision: str | None = "0039_encryption"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, primary key, column, kind, PostgreSQL type before)
COLUMNS: list[Column] = [
    ("bank_transactions", "id", "debtor_name", "str", sa.String(200)),
    ("bank_transactions", "id", "debtor_iban", "str", sa.String(34)),
    ("bank_transactions", "id", "remittance_information", "str", sa.Text()),
    ("audit_log", "id", "actor_name", "str", sa.String(200)),
    ("audit_log", "id", "ip", "str", sa.String(64)),
    ("audit_log", "id", "changes", "json", sa.JSON()),
    ("staff_users", "id", "email", "str", sa.String(254)),
    ("staff_sign_in_attempts", "id", "email", "str", sa.String(254)),
    ("customer_tax_ids", "id", "verified_name", "str", sa.String(512)),
    ("customer_tax_ids", "id", "verified_address", "str", sa.String(1024)),
]


def upgrade() -> None:
    with op.batch_alter_table("staff_users", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("email_bidx", sa.String(length=64), nullable=True))
    keys = vault()
    conn = op.get_bind()
    users = sa.table("staff_users", sa.column("id"), sa.column("email"), sa.column("email_bidx"))
    for key, email in conn.execute(sa.select(users.c.id, users.c.email)).all():
        conn.execute(
            sa.update(users).where(users.c.id == key).values(email_bidx=keys.email_index(email))
        )
    op.create_index(op.f("ix_staff_users_email_bidx"), "staff_users", ["email_bidx"], unique=True)
    encrypt_columns(COLUMNS)


def downgrade() -> None:
    decrypt_columns(COLUMNS)
    op.drop_index(op.f("ix_staff_users_email_bidx"), table_name="staff_users")
    with op.batch_alter_table("staff_users", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("email_bidx")
