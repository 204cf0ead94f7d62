"""The customers table and their tax ids."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.encrypted import BlindIndex, EncryptedJSON, EncryptedString
from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import JSONType, UTCDateTime

customers = sa.Table(
    "customers",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), nullable=True, index=True),
    # personal data, encrypted at rest; e-mail lookups go through its blind index
    sa.Column("name", EncryptedString(), nullable=True),
    sa.Column("email", EncryptedString(), nullable=True),
    sa.Column("email_bidx", BlindIndex("email"), nullable=True, index=True),
    sa.Column("phone", EncryptedString(), nullable=True),
    sa.Column("address", EncryptedJSON(), nullable=True),
    sa.Column("preferred_locales", JSONType, nullable=False),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
    sa.Column("deleted_at", UTCDateTime(), nullable=True),
    sa.Column("tax_exempt", sa.String(16), nullable=False, server_default="none"),
    # the Customer Base's id: one of our customers per Customer Base customer
    sa.Column("external_id", sa.String(64), nullable=True, unique=True),
    sa.Column("test_clock", ID, nullable=True, index=True),
)

customer_tax_ids = sa.Table(
    "customer_tax_ids",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("customer_id", ID, sa.ForeignKey("customers.id"), nullable=False, index=True),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("value", sa.String(64), nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("verification_status", sa.String(16), nullable=False),
    sa.Column("verification_source", sa.String(16), nullable=False),
    # what the tax authority says of the holder (a sole trader's name and home): encrypted
    sa.Column("verified_name", EncryptedString(), nullable=True),
    sa.Column("verified_address", EncryptedString(), nullable=True),
    sa.Column("verification_reference", sa.String(64), nullable=True),
    sa.Column("verification_detail", sa.String(256), nullable=True),
    sa.Column("checked_at", UTCDateTime(), nullable=True),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
    sa.Column("deleted_at", UTCDateTime(), nullable=True),
)
