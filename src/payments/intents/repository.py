"""Repositories for payment intents, charges, payment methods and gateway attempts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa

from payments.intents.domain.model import (
    AttemptStatus,
    Charge,
    GatewayAttempt,
    PaymentIntent,
    PaymentMethod,
)
from payments.intents.domain.setup_intent import SetupIntent
from payments.intents.tables import (
    charges,
    gateway_attempts,
    payment_intents,
    payment_methods,
    setup_intents,
)
from payments.kernel.pagination import Created, Page, PageRequest
from payments.platform.db.listing import list_filters
from payments.platform.db.records import RecordRepository

_OPEN = (AttemptStatus.started.value, AttemptStatus.unknown.value)  # outcome not settled yet


class PaymentIntentRepository(RecordRepository[PaymentIntent]):
    table = payment_intents
    record = PaymentIntent

    async def list_page(
        self,
        page: PageRequest,
        *,
        equals: Mapping[str, object] | None = None,
        created: Created | None = None,
        location_id: str | None = None,
        card_last4: str | None = None,
    ) -> Page[PaymentIntent]:
        """The Stripe-style list (see :meth:`RecordRepository.list_page`); ``card_last4``
        (None or "": not filtered) keeps the intents one of whose charges was paid with a
        card ending in these digits, typed in (``card``) or read at a reader
        (``card_present``)."""
        if not card_last4:
            return await super().list_page(
                page, equals=equals, created=created, location_id=location_id
            )
        unknown = sorted(set(equals or {}) - set(self._names))
        if unknown:
            raise ValueError(f"PaymentIntent has no field {unknown[0]!r} to filter on")
        details = charges.c.payment_method_details
        paid_with_card = (
            sa.select(charges.c.id)
            .where(
                charges.c.payment_intent_id == payment_intents.c.id,
                sa.or_(
                    details[("card", "last4")].as_string() == card_last4,
                    details[("card_present", "last4")].as_string() == card_last4,
                ),
            )
            .exists()
        )
        where = list_filters(self.table, equals=equals, created=created, location_id=location_id)
        return await self.page(page, [*where, paid_with_card])

    async def of_invoice(self, invoice_id: str) -> list[PaymentIntent]:
        """The invoice's PaymentIntents, oldest first."""
        return await self.find(
            payment_intents.c.invoice_id == invoice_id, order_by=payment_intents.c.id
        )


class ChargeRepository(RecordRepository[Charge]):
    table = charges
    record = Charge

    async def by_gateway_ref(self, gateway: str, ref: str) -> Charge | None:
        found = await self.find(charges.c.gateway == gateway, charges.c.gateway_ref == ref)
        return found[0] if found else None

    async def ledger_view(self) -> list[tuple[str, bool, int, int, int]]:
        """(id, captured, amount_authorized, amount_captured, amount_refunded) of every
        charge, for ``payments ledger verify``."""
        c = charges.c
        query = sa.select(
            c.id, c.captured, c.amount_authorized, c.amount_captured, c.amount_refunded
        )
        return [tuple(row) for row in (await self._conn.execute(query)).all()]


class PaymentMethodRepository(RecordRepository[PaymentMethod]):
    table = payment_methods
    record = PaymentMethod

    async def newest_of_customer(self, customer_id: str) -> PaymentMethod | None:
        """The payment method most recently attached to the customer (ids sort by time)."""
        found = await self.find(
            payment_methods.c.customer_id == customer_id,
            order_by=payment_methods.c.id.desc(),
            limit=1,
        )
        return found[0] if found else None


class SetupIntentRepository(RecordRepository[SetupIntent]):
    table = setup_intents
    record = SetupIntent

    async def by_gateway_ref(self, gateway: str, ref: str) -> SetupIntent | None:
        found = await self.find(
            setup_intents.c.gateway == gateway, setup_intents.c.gateway_ref == ref
        )
        return found[0] if found else None


class AttemptRepository(RecordRepository[GatewayAttempt]):
    table = gateway_attempts
    record = GatewayAttempt

    async def open_for(self, payment_intent_id: str) -> list[GatewayAttempt]:
        """Attempts of this intent whose outcome is not settled yet."""
        return await self.find(
            gateway_attempts.c.payment_intent_id == payment_intent_id,
            gateway_attempts.c.status.in_(_OPEN),
        )

    async def open_for_object(self, object_id: str) -> list[GatewayAttempt]:
        """Attempts for this object (e.g. a refund) whose outcome is not settled yet,
        newest first."""
        return await self.find(
            gateway_attempts.c.object_id == object_id,
            gateway_attempts.c.status.in_(_OPEN),
            order_by=sa.desc(gateway_attempts.c.created),
        )

    async def claim_due(
        self, now: datetime, *, stale_before: datetime, lease_until: datetime, limit: int
    ) -> list[GatewayAttempt]:
        """Lock and lease attempts to recover: ``unknown`` ones that are due, and
        ``started`` ones older than ``stale_before`` (their process died mid-call)."""
        t = gateway_attempts
        due = sa.or_(
            sa.and_(t.c.status == "unknown", t.c.next_recovery_at <= now),
            sa.and_(t.c.status == "started", t.c.created < stale_before),
        )
        free = sa.or_(t.c.locked_until.is_(None), t.c.locked_until < now)
        query = sa.select(t.c.id).where(due, free).order_by(t.c.created).limit(limit)
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list((await self._conn.execute(query)).scalars())
        if not ids:
            return []
        await self._conn.execute(t.update().where(t.c.id.in_(ids)).values(locked_until=lease_until))
        return await self.find(t.c.id.in_(ids), order_by=t.c.created)
