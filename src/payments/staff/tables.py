"""Staff users, their sessions and sign-in attempts."""

from __future__ import annotations

import sqlalchemy as sa

from payments.platform.db.encrypted import BlindIndex, EncryptedString
from payments.platform.db.schema import ID, created_column, metadata
from payments.platform.db.types import UTCDateTime

staff_users = sa.Table(
    "staff_users",
    metadata,
    sa.Column("id", ID, primary_key=True),
    # encrypted; sign-in finds a user by the blind index, which is what is unique (the
    # unique constraint on the ciphertext, from before it was encrypted, is harmless)
    sa.Column("email", EncryptedString(), nullable=False, unique=True),
    sa.Column("email_bidx", BlindIndex("email"), nullable=True, unique=True, index=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), nullable=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("totp_secret", EncryptedString(), nullable=True),
    sa.Column("totp_pending_secret", EncryptedString(), nullable=True),
    sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
    sa.Column("failed_count", sa.Integer(), nullable=False),
    sa.Column("locked_until", UTCDateTime(), nullable=True),
    sa.Column("disabled_at", UTCDateTime(), nullable=True),
    created_column(),
)

staff_sessions = sa.Table(
    "staff_sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # sha-256 of the cookie token
    sa.Column("user_id", ID, sa.ForeignKey("staff_users.id"), nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("second_factor_pending", sa.Boolean(), nullable=False),
    sa.Column("ip", sa.String(64), nullable=True),
    created_column(),
    sa.Column("last_seen", UTCDateTime(), nullable=False),
    sa.Column("ended_at", UTCDateTime(), nullable=True),
)

staff_sign_in_attempts = sa.Table(
    "staff_sign_in_attempts",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column("email", EncryptedString(), nullable=False),
    sa.Column("ip", sa.String(64), nullable=False),
    sa.Column("succeeded", sa.Boolean(), nullable=False),
    created_column(),
    sa.Index("ix_staff_sign_in_attempts_ip_created", "ip", "created"),
)
