"""SQLAlchemy Core tables: the one schema, migrated by Alembic.

Conventions: ids are prefixed strings (see ``payments.ids``); money columns are
``BigInteger`` minor units beside a 3-letter lower-case ``currency``; every
timestamp is a :class:`UTCDateTime`; ``metadata`` is JSON (named ``metadata_``
in Python because SQLAlchemy reserves the attribute).
"""

from __future__ import annotations

import sqlalchemy as sa

from payments.adapters.db.types import JSONType, MoneyAmount, UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING)

ID = sa.String(40)


def _created() -> sa.Column[object]:
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
    _created(),
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
    _created(),
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
    _created(),
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
    _created(),
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
    _created(),
    sa.UniqueConstraint("api_key_id", "key"),
    sa.Index("ix_idempotency_keys_created", "created"),
)

# --------------------------------------------------------------------------- webhooks

# Events not yet fanned out to webhook endpoints: a small partial index the dispatcher scans.
sa.Index(
    "ix_events_undispatched",
    events.c.id,
    postgresql_where=events.c.webhooks_dispatched_at.is_(None),
    sqlite_where=events.c.webhooks_dispatched_at.is_(None),
)

webhook_endpoints = sa.Table(
    "webhook_endpoints",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("url", sa.String(2048), nullable=False),
    sa.Column("enabled_events", JSONType, nullable=False),
    sa.Column("description", sa.String(5000), nullable=True),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), nullable=True, index=True),
    sa.Column("failing_since", UTCDateTime(), nullable=True),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    _created(),
)

# Signing secrets (Standard Webhooks ``whsec_``). Stored in clear because they sign
# every delivery; never rendered except once on create/rotate, never logged. During a
# rotation's grace period an endpoint has several, and every delivery carries one
# signature per unexpired secret.
webhook_endpoint_secrets = sa.Table(
    "webhook_endpoint_secrets",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column(
        "endpoint_id",
        ID,
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("secret", sa.String(100), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=True),
    _created(),
)

# One row per (event, endpoint) from the fan-out (sequence 0); each manual redelivery
# or replay adds a row with the next sequence. Claimed with a lease (locked_until).
webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column(
        "endpoint_id",
        ID,
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("event_id", ID, sa.ForeignKey("events.id"), nullable=False, index=True),
    sa.Column("event_type", sa.String(80), nullable=False),
    sa.Column("sequence", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
    sa.Column("locked_until", UTCDateTime(), nullable=True),
    sa.Column("lease_token", sa.String(32), nullable=True),
    sa.Column("last_attempt_at", UTCDateTime(), nullable=True),
    sa.Column("response_status", sa.Integer, nullable=True),
    sa.Column("latency_ms", sa.Integer, nullable=True),
    sa.Column("response_body", sa.Text, nullable=True),
    sa.Column("error_code", sa.String(40), nullable=True),
    sa.Column("error_message", sa.String(500), nullable=True),
    _created(),
    sa.UniqueConstraint("event_id", "endpoint_id", "sequence"),
    sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    sa.Index("ix_webhook_deliveries_endpoint", "endpoint_id", "id"),
)

# --------------------------------------------------------------------------- payments

payment_methods = sa.Table(
    "payment_methods",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("gateway", sa.String(20), nullable=False),
    sa.Column("gateway_ref", sa.String(255), nullable=False),
    sa.Column("customer_id", ID, sa.ForeignKey("customers.id"), nullable=True, index=True),
    sa.Column("location_id", ID, nullable=True),
    sa.Column("details", JSONType, nullable=False),  # brand, last4, expiry, country, fingerprint
    sa.Column("billing_details", JSONType, nullable=False),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    _created(),
)

payment_intents = sa.Table(
    "payment_intents",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("location_id", ID, sa.ForeignKey("locations.id"), nullable=False, index=True),
    sa.Column("customer_id", ID, sa.ForeignKey("customers.id"), nullable=True, index=True),
    sa.Column("amount", MoneyAmount, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(32), nullable=False, index=True),
    sa.Column("capture_method", sa.String(16), nullable=False),
    sa.Column("payment_method_id", ID, nullable=True),
    sa.Column("payment_method_types", JSONType, nullable=False),
    sa.Column("amount_capturable", MoneyAmount, nullable=False),
    sa.Column("amount_received", MoneyAmount, nullable=False),
    sa.Column("latest_charge_id", ID, nullable=True),
    sa.Column("last_payment_error", JSONType, nullable=True),
    sa.Column("next_action", JSONType, nullable=True),
    sa.Column("setup_future_usage", sa.String(16), nullable=True),
    sa.Column("off_session", sa.Boolean, nullable=True),
    sa.Column("return_url", sa.String(2048), nullable=True),
    sa.Column("description", sa.String(1000), nullable=True),
    sa.Column("receipt_email", sa.String(512), nullable=True),
    sa.Column("cancellation_reason", sa.String(32), nullable=True),
    sa.Column("canceled_at", UTCDateTime(), nullable=True),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    _created(),
)

charges = sa.Table(
    "charges",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column(
        "payment_intent_id", ID, sa.ForeignKey("payment_intents.id"), nullable=False, index=True
    ),
    sa.Column("location_id", ID, nullable=False),
    sa.Column("customer_id", ID, nullable=True),
    sa.Column("amount", MoneyAmount, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending | succeeded | failed
    sa.Column("captured", sa.Boolean, nullable=False),
    sa.Column("amount_captured", MoneyAmount, nullable=False),
    sa.Column("amount_refunded", MoneyAmount, nullable=False),
    sa.Column("amount_authorized", MoneyAmount, nullable=False),
    sa.Column("fee", MoneyAmount, nullable=True),
    sa.Column("payment_method_id", ID, nullable=True),
    sa.Column("payment_method_details", JSONType, nullable=True),
    sa.Column("failure_code", sa.String(64), nullable=True),
    sa.Column("failure_message", sa.String(500), nullable=True),
    sa.Column("decline_code", sa.String(64), nullable=True),
    sa.Column("gateway", sa.String(20), nullable=False),
    sa.Column("gateway_ref", sa.String(255), nullable=True, index=True),
    sa.Column("disputed", sa.Boolean, nullable=False, default=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    _created(),
)

# Every call to a gateway that may move money, recorded BEFORE the call. Its id is
# the idempotency key sent to the gateway, so repeating it can never move money twice.
gateway_attempts = sa.Table(
    "gateway_attempts",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("operation", sa.String(16), nullable=False),  # charge | capture | cancel | refund
    sa.Column("status", sa.String(16), nullable=False),  # started | unknown | done | not_sent
    sa.Column("payment_intent_id", ID, nullable=True, index=True),
    sa.Column("charge_id", ID, nullable=True),
    sa.Column("object_id", ID, nullable=True),  # e.g. the refund this attempt is for
    sa.Column("gateway", sa.String(20), nullable=False),
    sa.Column("request", JSONType, nullable=False),
    sa.Column("result", JSONType, nullable=True),
    sa.Column("recovery_count", sa.Integer, nullable=False, default=0),
    sa.Column("next_recovery_at", UTCDateTime(), nullable=True),
    sa.Column("locked_until", UTCDateTime(), nullable=True),
    _created(),
    sa.Column("completed_at", UTCDateTime(), nullable=True),
    sa.Index("ix_gateway_attempts_open", "status", "next_recovery_at"),
)

# Asynchronous gateway events (simulator polling, Stripe webhooks), stored once by id.
gateway_events = sa.Table(
    "gateway_events",
    metadata,
    sa.Column("id", sa.String(255), primary_key=True),
    sa.Column("gateway", sa.String(20), nullable=False),
    sa.Column("type", sa.String(80), nullable=False),
    sa.Column("payload", JSONType, nullable=False),
    sa.Column("received", UTCDateTime(), nullable=False),
    sa.Column("processed_at", UTCDateTime(), nullable=True),
    sa.Column("error", sa.String(500), nullable=True),
    sa.Column("locked_until", UTCDateTime(), nullable=True),
    sa.Index("ix_gateway_events_pending", "processed_at", "received"),
)

gateway_cursors = sa.Table(
    "gateway_cursors",
    metadata,
    sa.Column("gateway", sa.String(20), primary_key=True),
    sa.Column("cursor", sa.String(255), nullable=True),
    sa.Column("locked_until", UTCDateTime(), nullable=True),
    sa.Column("updated", UTCDateTime(), nullable=False),
)

# --------------------------------------------------------------------------- ledger

ledger_transactions = sa.Table(
    "ledger_transactions",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("source_type", sa.String(40), nullable=False),
    sa.Column("source_id", ID, nullable=False),
    sa.Column("description", sa.String(500), nullable=False),
    sa.Column("location_id", ID, nullable=True, index=True),
    _created(),
    # a movement is posted at most once per (kind, source): retries cannot double-post
    sa.UniqueConstraint("kind", "source_type", "source_id"),
    sa.Index("ix_ledger_transactions_source", "source_id"),
)

ledger_entries = sa.Table(
    "ledger_entries",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column(
        "transaction_id", ID, sa.ForeignKey("ledger_transactions.id"), nullable=False, index=True
    ),
    sa.Column("account", sa.String(40), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("amount", MoneyAmount, nullable=False),  # signed: debit > 0, credit < 0
)

# Running balances, split into a few shards per (account, currency) so that
# concurrent postings do not queue on one hot row; a balance is the sum of its shards.
ledger_balances = sa.Table(
    "ledger_balances",
    metadata,
    sa.Column("account", sa.String(40), primary_key=True),
    sa.Column("currency", sa.String(3), primary_key=True),
    sa.Column("shard", sa.SmallInteger, primary_key=True),
    sa.Column("balance", MoneyAmount, nullable=False),
)

# --------------------------------------------------------------------------- refunds, disputes

refunds = sa.Table(
    "refunds",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("charge_id", ID, sa.ForeignKey("charges.id"), nullable=False, index=True),
    sa.Column("payment_intent_id", ID, nullable=False, index=True),
    sa.Column("location_id", ID, nullable=False, index=True),
    sa.Column("amount", MoneyAmount, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    # pending_approval | pending | requires_action | succeeded | failed | canceled
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("reason", sa.String(32), nullable=True),
    sa.Column("note", sa.String(1000), nullable=True),
    sa.Column("failure_reason", sa.String(64), nullable=True),
    sa.Column("gateway", sa.String(20), nullable=False),
    sa.Column("gateway_ref", sa.String(255), nullable=True, index=True),
    sa.Column("requested_by", sa.String(40), nullable=False),
    sa.Column("requested_by_name", sa.String(200), nullable=False),
    sa.Column("approval_reason", sa.String(40), nullable=True),
    sa.Column("decision", sa.String(16), nullable=True),  # approved | rejected
    sa.Column("decided_by", sa.String(40), nullable=True),
    sa.Column("decided_by_name", sa.String(200), nullable=True),
    sa.Column("decided_at", UTCDateTime(), nullable=True),
    sa.Column("rejection_reason", sa.String(500), nullable=True),
    sa.Column("sent_at", UTCDateTime(), nullable=True),
    sa.Column("canceled_at", UTCDateTime(), nullable=True),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    _created(),
)

disputes = sa.Table(
    "disputes",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("charge_id", ID, sa.ForeignKey("charges.id"), nullable=False, index=True),
    sa.Column("payment_intent_id", ID, nullable=False, index=True),
    sa.Column("location_id", ID, nullable=False, index=True),
    sa.Column("amount", MoneyAmount, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("reason", sa.String(64), nullable=False),
    sa.Column("status", sa.String(32), nullable=False, index=True),
    sa.Column("gateway", sa.String(20), nullable=False),
    sa.Column("gateway_ref", sa.String(255), nullable=False),
    sa.Column("due_by", UTCDateTime(), nullable=False),
    sa.Column("evidence", JSONType, nullable=False),
    sa.Column("submission_count", sa.Integer, nullable=False, default=0),
    sa.Column("past_due", sa.Boolean, nullable=False, default=False),
    sa.Column("fee", MoneyAmount, nullable=True),
    sa.Column("funds_withdrawn", sa.Boolean, nullable=False, default=False),
    sa.Column("deadline_flagged_at", UTCDateTime(), nullable=True),
    sa.Column("closed_at", UTCDateTime(), nullable=True),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("livemode", sa.Boolean, nullable=False, default=False),
    _created(),
    sa.UniqueConstraint("gateway", "gateway_ref"),
    sa.Index("ix_disputes_due", "status", "due_by"),
)

# --------------------------------------------------------------------------- audit trail

# Append-only. Each record's hash covers its content and the previous record's hash
# (see payments.domain.audit); seq numbers the chain without gaps.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False, unique=True),
    sa.Column("actor_type", sa.String(16), nullable=False),  # api_key | system | cli
    sa.Column("actor_id", sa.String(40), nullable=False, index=True),
    sa.Column("actor_name", sa.String(200), nullable=False),
    sa.Column("action", sa.String(64), nullable=False, index=True),
    sa.Column("object_type", sa.String(40), nullable=False),
    sa.Column("object_id", sa.String(64), nullable=False, index=True),
    sa.Column("location_id", ID, nullable=True, index=True),
    sa.Column("ip", sa.String(64), nullable=True),
    sa.Column("request_id", sa.String(40), nullable=True),
    sa.Column("changes", JSONType, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    _created(),
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
