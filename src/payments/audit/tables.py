"""The hash-chained audit trail."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.encrypted import EncryptedJSON, EncryptedString
from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import UTCDateTime

# --------------------------------------------------------------------------- audit trail

# Append-only. Each record's hash covers its content and the previous record's hash
# (see payments.audit.domain); seq numbers the chain without gaps.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False, unique=True),
    sa.Column("actor_type", sa.String(16), nullable=False),  # api_key | system | cli
    sa.Column("actor_id", sa.String(40), nullable=False, index=True),
    # who (a staff e-mail), from where, and what changed (dispute evidence, e-mails):
    # encrypted at rest; the hash covers the plain values
    sa.Column("actor_name", EncryptedString(), nullable=False),
    sa.Column("action", sa.String(64), nullable=False, index=True),
    sa.Column("object_type", sa.String(40), nullable=False),
    sa.Column("object_id", sa.String(64), nullable=False, index=True),
    sa.Column("location_id", ID, nullable=True, index=True),
    sa.Column("ip", EncryptedString(), nullable=True),
    sa.Column("request_id", sa.String(40), nullable=True),
    sa.Column("changes", EncryptedJSON(), nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    created_column(),
)

# The chain head: one row (id 1), locked FOR UPDATE by every append, so appends are
# serialised across processes; it also reveals a deleted newest record.
audit_chain = sa.Table(
    "audit_chain",
    metadata,
    sa.Column("id", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("updated", UTCDateTime(), nullable=False),
)
