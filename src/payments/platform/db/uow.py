"""The unit of work: one database transaction, rolled back unless committed.

Use cases own the transaction::

    async with uow_factory() as uow:
        customer = await uow.customers.add(...)
        await uow.events.record(...)
        await uow.commit()

Helpers and repositories never commit. No gateway call may happen while a
unit of work is open.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from payments.apikeys.repository import ApiKeyRepository
from payments.audit.repository import AuditRepository
from payments.customers.repository import CustomerRepository
from payments.disputes.repository import DisputeRepository
from payments.events.repository import EventRepository
from payments.intents.repository import (
    AttemptRepository,
    ChargeRepository,
    PaymentIntentRepository,
    PaymentMethodRepository,
)
from payments.ledger.repository import LedgerRepository
from payments.locations.repository import LocationRepository
from payments.refunds.repository import RefundRepository
from payments.webhooks.delivery_repository import WebhookDeliveryRepository
from payments.webhooks.repository import WebhookEndpointRepository


class UnitOfWork:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None
        self._committed = False

    @property
    def connection(self) -> AsyncConnection:
        if self._conn is None:
            raise RuntimeError("unit of work is not open")
        return self._conn

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    async def __aenter__(self) -> Self:
        self._conn = await self._engine.connect()
        await self._conn.begin()
        conn = self._conn
        self.locations = LocationRepository(conn)
        self.api_keys = ApiKeyRepository(conn)
        self.customers = CustomerRepository(conn)
        self.events = EventRepository(conn)
        self.webhook_endpoints = WebhookEndpointRepository(conn)
        self.webhook_deliveries = WebhookDeliveryRepository(conn)
        self.payment_intents = PaymentIntentRepository(conn)
        self.charges = ChargeRepository(conn)
        self.payment_methods = PaymentMethodRepository(conn)
        self.attempts = AttemptRepository(conn)
        self.ledger = LedgerRepository(conn)
        self.refunds = RefundRepository(conn)
        self.disputes = DisputeRepository(conn)
        self.audit = AuditRepository(conn)
        self._committed = False
        return self

    async def commit(self) -> None:
        await self.ledger.flush()  # running balances last: see LedgerRepository.flush
        await self.connection.commit()
        self._committed = True

    async def rollback(self) -> None:
        await self.connection.rollback()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if not self._committed and conn.in_transaction():
                await conn.rollback()
        finally:
            await conn.close()


class UnitOfWorkFactory:
    """Hands out fresh units of work bound to one engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.engine)
