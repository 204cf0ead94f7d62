"""The shared MetaData and the foundation tables: shops, keys, customers, events,
idempotency keys."""

from __future__ import annotations

import sqlalchemy as sa

from payments.adapters.db.types import JSONType, UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING)

ID = sa.String(40)


def created_column() -> sa.Column[object]:
    return sa.Column("created", UTCDateTime(), nullable=False)


locations = sa.Table(
    "locations",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("address", JSONType, nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("default_currency", sa.String(3), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("payment_method_types", JSONType, nullable=False),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), nullable=True),
    sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("redacted", sa.String(40), nullable=False),
    created_column(),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
)

customers = sa.Table(
    "customers",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), nullable=True, index=True),
    sa.Column("name", sa.String(256), nullable=True),
    sa.Column("email", sa.String(512), nullable=True, index=True),
    sa.Column("phone", sa.String(32), nullable=True),
    sa.Column("address", JSONType, nullable=True),
    sa.Column("preferred_locales", JSONType, nullable=False),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
    sa.Column("deleted_at", UTCDateTime(), nullable=True),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("type", sa.String(80), nullable=False, index=True),
    sa.Column("object_id", ID, nullable=False, index=True),
    sa.Column("location_id", ID, nullable=True, index=True),
    sa.Column("data", JSONType, nullable=False),
    sa.Column("request_id", sa.String(40), nullable=True),
    sa.Column("idempotency_key", sa.String(255), nullable=True),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
    # the outbox marker: set once the webhook dispatcher has fanned the event out
    sa.Column("webhooks_dispatched_at", UTCDateTime(), nullable=True),
)

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
    sa.Column("response_body", sa.LargeBinary, nullable=True),
    sa.Column("locked_at", UTCDateTime(), nullable=True),
    # recovery point: the object this request created, written in the same transaction
    # as the object, so a retry after a crash resumes it instead of creating another
    sa.Column("resource_type", sa.String(40), nullable=True),
    sa.Column("resource_id", ID, nullable=True),
    created_column(),
    sa.UniqueConstraint("api_key_id", "key"),
    sa.Index("ix_idempotency_keys_created", "created"),
)
