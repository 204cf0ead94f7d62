"""Idempotency keys with their recorded responses and recovery points."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.encrypted import EncryptedBytes
from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import UTCDateTime

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("api_key_id", ID, nullable=False),
    sa.Column("key", sa.String(255), nullable=False),
    sa.Column("method", sa.String(10), nullable=False),
    sa.Column("path", sa.String(500), nullable=False),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("response_status", sa.Integer, nullable=True),
    sa.Column("response_body", EncryptedBytes(), nullable=True),  # encrypted at rest
    sa.Column("locked_at", UTCDateTime(), nullable=True),
    # recovery point: the object this request created, written in the same transaction
    # as the object, so a retry after a crash resumes it instead of creating another
    sa.Column("resource_type", sa.String(40), nullable=True),
    sa.Column("resource_id", ID, nullable=True),
    created_column(),
    sa.UniqueConstraint("api_key_id", "key"),
    sa.Index("ix_idempotency_keys_created", "created"),
)
