"""The simulator's own tables, outside the service's database transactions.

A real gateway does not roll back with us and survives our process being
killed mid-call, so the simulator keeps its state in its own ``MetaData`` (all
tables prefixed ``sim_``), reached through its own engine, and commits every
operation in one short transaction of its own. Several processes may share one
simulator database (SQLite file or PostgreSQL): idempotency rests on a unique
constraint, state changes on row locks (PostgreSQL) or ``BEGIN IMMEDIATE``
(SQLite, which serialises writers), and event cursors on a transaction-scoped
advisory lock (PostgreSQL) so that events commit in cursor order.

Use a SQLite file of its own for the simulator, not the service's database file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from payments.platform.db.fast import Fast

EVENTS_LOCK_KEY = 0x51_4D_45_56  # pg_advisory_xact_lock key guarding sim_events order


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on SQLite (naive storage) and PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_ID = sa.String(64)
_MONEY = sa.BigInteger
_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER

metadata = sa.MetaData()

payment_methods = sa.Table(
    "sim_payment_methods",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("scenario", sa.String(64), nullable=False),
    sa.Column("details", sa.JSON, nullable=False),  # safe details only, never a number
    sa.Column("created", UTCDateTime, nullable=False),
)

charges = sa.Table(
    "sim_charges",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("amount", _MONEY, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("capture_method", sa.String(16), nullable=False),
    sa.Column("amount_capturable", _MONEY, nullable=False, default=0),
    sa.Column("amount_received", _MONEY, nullable=False, default=0),
    sa.Column("amount_refunded", _MONEY, nullable=False, default=0),
    sa.Column("amount_excess", _MONEY, nullable=False, default=0),
    sa.Column("fee", _MONEY, nullable=True),
    sa.Column("payment_method", sa.String(128), nullable=True),
    sa.Column("payment_method_details", sa.JSON, nullable=False),
    sa.Column("scenario", sa.String(64), nullable=False),
    sa.Column("off_session", sa.Boolean, nullable=False, default=False),
    sa.Column("customer", sa.String(128), nullable=True),
    sa.Column("return_url", sa.Text, nullable=True),
    sa.Column("redirect_url", sa.Text, nullable=True),
    sa.Column("decline", sa.JSON, nullable=True),
    sa.Column("bank_transfer", sa.JSON, nullable=True),
    sa.Column("transfer_reference", sa.String(64), nullable=True, unique=True),
    sa.Column("disputed", sa.Boolean, nullable=False, default=False),
    sa.Column("meta", sa.JSON, nullable=False),
    # Scheduled transitions, applied by process_due() once the clock passes them.
    sa.Column("settle_at", UTCDateTime, nullable=True, index=True),
    sa.Column("settle_outcome", sa.String(32), nullable=True),
    sa.Column("dispute_at", UTCDateTime, nullable=True, index=True),
    sa.Column("created", UTCDateTime, nullable=False),
    sa.Column("updated", UTCDateTime, nullable=False),
)

# BLIK payments waiting for the customer's approval, by a keyed fingerprint of the code
# they entered (the simulator's banking app finds the payment by the code, never stores it)
blik_codes = sa.Table(
    "sim_blik_codes",
    metadata,
    sa.Column("charge_id", _ID, sa.ForeignKey("sim_charges.id"), primary_key=True),
    sa.Column("code_fingerprint", sa.String(32), nullable=False, index=True),
    sa.Column("created", UTCDateTime, nullable=False),
)

refunds = sa.Table(
    "sim_refunds",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("charge_id", _ID, sa.ForeignKey("sim_charges.id"), nullable=False, index=True),
    sa.Column("amount", _MONEY, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(64), nullable=True),
    sa.Column("failure_reason", sa.String(64), nullable=True),
    sa.Column("settle_at", UTCDateTime, nullable=True, index=True),
    sa.Column("settle_outcome", sa.String(16), nullable=True),
    sa.Column("created", UTCDateTime, nullable=False),
    sa.Column("updated", UTCDateTime, nullable=False),
)

disputes = sa.Table(
    "sim_disputes",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("charge_id", _ID, sa.ForeignKey("sim_charges.id"), nullable=False, unique=True),
    sa.Column("amount", _MONEY, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("reason", sa.String(64), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("created", UTCDateTime, nullable=False),
)

# Early fraud warnings (Stripe Radar's radar.early_fraud_warning): the issuer's report that
# a charge may be fraud; ``actionable`` until the charge is disputed or fully refunded
early_fraud_warnings = sa.Table(
    "sim_early_fraud_warnings",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("charge_id", _ID, sa.ForeignKey("sim_charges.id"), nullable=False, unique=True),
    sa.Column("fraud_type", sa.String(40), nullable=False),
    sa.Column("actionable", sa.Boolean, nullable=False),
    sa.Column("created", UTCDateTime, nullable=False),
)

# The balance: one row per movement (Stripe's balance transactions), written with the
# event that announces it; a movement is recorded once per (source, reporting_category).
# ``payout_id`` is set when the daily automatic payout of its day and currency takes it.
balance_transactions = sa.Table(
    "sim_balance_transactions",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("reporting_category", sa.String(32), nullable=False),
    sa.Column("amount", _MONEY, nullable=False),
    sa.Column("fee", _MONEY, nullable=False),
    sa.Column("fee_description", sa.String(64), nullable=True),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("source", _ID, nullable=True, index=True),
    sa.Column("description", sa.String(255), nullable=True),
    sa.Column("payout_id", _ID, nullable=True, index=True),
    sa.Column("created", UTCDateTime, nullable=False, index=True),
    sa.Column("available_on", UTCDateTime, nullable=False),
)

payouts = sa.Table(
    "sim_payouts",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("amount", _MONEY, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    # the day whose movements it pays out (a movement recorded late for a day already paid
    # out, by a clock set back in tests, goes into a second payout of that day)
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("balance_transaction", _ID, nullable=False),
    sa.Column("created", UTCDateTime, nullable=False),
    sa.Column("arrival_date", UTCDateTime, nullable=False, index=True),
)

# Terminal readers (Stripe Terminal's simulated readers): the action in progress (or the
# last one) is kept on the reader as Stripe shows it, with what it needs to finish
readers = sa.Table(
    "sim_readers",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("label", sa.String(255), nullable=False),
    sa.Column("location", sa.String(128), nullable=True),
    sa.Column("device_type", sa.String(64), nullable=False),
    sa.Column("serial_number", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("action", sa.JSON, nullable=True),  # a ReaderAction, encoded
    sa.Column("created", UTCDateTime, nullable=False),
)

# SetupIntents: a payment method saved for later payments, nothing charged
setups = sa.Table(
    "sim_setups",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("payment_method", sa.String(128), nullable=False, index=True),
    sa.Column("scenario", sa.String(64), nullable=False),
    sa.Column("usage", sa.String(16), nullable=False),
    sa.Column("customer", sa.String(128), nullable=True),
    sa.Column("return_url", sa.String(2048), nullable=True),
    sa.Column("redirect_url", sa.String(2048), nullable=True),
    sa.Column("decline", sa.JSON, nullable=True),
    sa.Column("mandate", sa.String(64), nullable=True),
    sa.Column("meta", sa.JSON, nullable=False),
    sa.Column("created", UTCDateTime, nullable=False),
    sa.Column("updated", UTCDateTime, nullable=False),
)

idempotency = sa.Table(
    "sim_idempotency",
    metadata,
    sa.Column("id", _SEQ, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(255), nullable=False, unique=True),
    sa.Column("operation", sa.String(64), nullable=False),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("response", sa.JSON, nullable=True),
    sa.Column("created", UTCDateTime, nullable=False),
)

events = sa.Table(
    "sim_events",
    metadata,
    sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
    sa.Column("id", _ID, nullable=False, unique=True),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("created", UTCDateTime, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
)

faults = sa.Table(
    "sim_faults",
    metadata,
    sa.Column("id", _SEQ, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("operation", sa.String(64), nullable=True),  # None: every operation
    sa.Column("remaining", sa.Integer, nullable=True),  # None: persistent
    sa.Column("latency_ms", sa.Integer, nullable=False, default=0),
    sa.Column("created", UTCDateTime, nullable=False),
)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An engine set up for the simulator. On SQLite every transaction is
    ``BEGIN IMMEDIATE`` (writers queue on the busy timeout instead of failing
    to upgrade a read lock)."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {}).setdefault("timeout", 30)
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _immediate_transactions(engine)
    return engine


def _immediate_transactions(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _no_driver_begin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _begin_immediate(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


_LOCK_EVENTS = Fast(sa.select(sa.func.pg_advisory_xact_lock(EVENTS_LOCK_KEY)))  # built once


class SimulatorStore:
    """Owns (or borrows) the simulator's engine and hands out short transactions.

    Given a URL it creates (and later disposes) its engine with :func:`create_engine`;
    a borrowed engine for SQLite should come from :func:`create_engine` too.
    """

    def __init__(self, database: str | AsyncEngine) -> None:
        if isinstance(database, str):
            self.engine = create_engine(database)
            self._owns_engine = True
        else:
            self.engine = database
            self._owns_engine = False
        self.is_postgres = self.engine.dialect.name == "postgresql"

    async def create_all(self) -> None:
        """Create the ``sim_`` tables if missing (idempotent)."""
        async with self.engine.begin() as conn:
            if self.is_postgres:  # several processes may start at once
                await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(EVENTS_LOCK_KEY + 1)))
            await conn.run_sync(metadata.create_all, checkfirst=True)

    async def drop_all(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.drop_all, checkfirst=True)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """One committed transaction; rolled back if the block raises."""
        async with self.engine.begin() as conn:
            yield conn

    async def lock_events(self, conn: AsyncConnection) -> None:
        """Make event cursors commit in order (PostgreSQL; SQLite serialises writers)."""
        if self.is_postgres:
            await _LOCK_EVENTS.first(conn, {})

    async def dispose(self) -> None:
        if self._owns_engine:
            await self.engine.dispose()
