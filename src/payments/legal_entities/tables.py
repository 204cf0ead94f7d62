"""The legal entities table: the sellers named on invoices."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import JSONType

legal_entities = sa.Table(
    "legal_entities",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("legal_name", sa.String(200), nullable=False),
    sa.Column("address", JSONType, nullable=False),
    sa.Column("vat_id", sa.String(24), nullable=True),
    sa.Column("tax_number", sa.String(40), nullable=True),
    sa.Column("registration_number", sa.String(80), nullable=True),
    sa.Column("iban", sa.String(34), nullable=False),
    sa.Column("bic", sa.String(11), nullable=True),
    sa.Column("email", sa.String(512), nullable=True),
    sa.Column("phone", sa.String(32), nullable=True),
    sa.Column("invoice_footer", sa.String(2000), nullable=True),
    sa.Column("logo", sa.Text, nullable=True),
    sa.Column("invoice_prefix", sa.String(20), nullable=False),
    sa.Column("invoice_number_pattern", sa.String(100), nullable=False),
    sa.Column("credit_note_number_pattern", sa.String(100), nullable=False),
    sa.Column("retention_years", sa.SmallInteger, nullable=False),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    created_column(),
)
