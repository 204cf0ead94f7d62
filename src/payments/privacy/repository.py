"""All SQL of GDPR export and erasure: it reads and pseudonymises rows of the capabilities
that hold a customer's personal data (their tables, their encrypted column types)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

import orjson
import sqlalchemy as sa

from payments.audit.tables import audit_log
from payments.billing.tables import subscriptions
from payments.customers.tables import customer_tax_ids, customers
from payments.disputes.tables import disputes
from payments.events.tables import events
from payments.fraud.tables import fraud_assessments, fraud_reviews
from payments.idempotency.tables import idempotency_keys
from payments.intents.tables import charges, payment_intents, payment_methods
from payments.invoices.tables import credit_notes, invoices
from payments.legal_entities.tables import legal_entities
from payments.platform.db.uow import Repository
from payments.privacy.domain import ERASED, Erasure, ErasureStatus, scrub, scrub_address
from payments.privacy.tables import privacy_erasures
from payments.refunds.tables import refunds
from payments.webhooks.tables import webhook_deliveries

OPEN_DISPUTES = ("warning_needs_response", "warning_under_review", "needs_response", "under_review")
LIVE_SUBSCRIPTIONS = ("incomplete", "trialing", "active", "past_due", "unpaid", "paused")


def plain(value: Any) -> Any:
    """A stored value as JSON: times as Unix seconds, dates ISO, bytes decoded."""
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        raw = bytes(value)
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            return base64.b64encode(raw).decode()
    return value


def _row(row: Any, *, drop: Iterable[str] = ()) -> dict[str, Any]:
    skip = set(drop)
    return {k: plain(v) for k, v in row._mapping.items() if k not in skip}


class PrivacyRepository(Repository):
    # ------------------------------------------------------------------ reading

    async def _rows(self, query: Any, *, drop: Iterable[str] = ()) -> list[dict[str, Any]]:
        return [_row(r, drop=drop) for r in await self._conn.execute(query)]

    async def customer(self, customer_id: str) -> dict[str, Any] | None:
        row = (
            await self._conn.execute(sa.select(customers).where(customers.c.id == customer_id))
        ).first()
        return _row(row, drop=("email_bidx",)) if row else None

    async def holdings(self, customer_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every record we hold about the customer, by kind (no PAN: we never store one;
        payment methods carry brand, last 4 digits and expiry only)."""
        pis = await self._rows(
            sa.select(payment_intents)
            .where(payment_intents.c.customer_id == customer_id)
            .order_by(payment_intents.c.id),
            drop=("client_secret",),
        )
        pi_ids = [p["id"] for p in pis]
        ch = await self._rows(
            sa.select(charges).where(charges.c.payment_intent_id.in_(pi_ids)).order_by(charges.c.id)
        )
        ch_ids = [c["id"] for c in ch]
        inv = await self._rows(
            sa.select(invoices).where(invoices.c.customer_id == customer_id).order_by(invoices.c.id)
        )
        return {
            "tax_ids": await self._rows(
                sa.select(customer_tax_ids).where(customer_tax_ids.c.customer_id == customer_id)
            ),
            "payment_methods": await self._rows(
                sa.select(payment_methods)
                .where(payment_methods.c.customer_id == customer_id)
                .order_by(payment_methods.c.id)
            ),
            "payment_intents": pis,
            "charges": ch,
            "refunds": await self._rows(
                sa.select(refunds)
                .where(refunds.c.payment_intent_id.in_(pi_ids))
                .order_by(refunds.c.id)
            ),
            "disputes": await self._rows(
                sa.select(disputes).where(disputes.c.charge_id.in_(ch_ids)).order_by(disputes.c.id)
            ),
            "invoices": inv,
            "credit_notes": await self._rows(
                sa.select(credit_notes)
                .where(credit_notes.c.customer_id == customer_id)
                .order_by(credit_notes.c.id)
            ),
            "subscriptions": await self._rows(
                sa.select(subscriptions)
                .where(subscriptions.c.customer_id == customer_id)
                .order_by(subscriptions.c.id)
            ),
            "fraud_assessments": await self._rows(
                sa.select(fraud_assessments)
                .where(fraud_assessments.c.charge_id.in_(ch_ids))
                .order_by(fraud_assessments.c.id)
            ),
        }

    async def events_about(self, object_ids: list[str]) -> list[dict[str, Any]]:
        return await self._rows(
            sa.select(events).where(events.c.object_id.in_(object_ids)).order_by(events.c.id)
        )

    async def audit_about(self, object_ids: list[str]) -> list[dict[str, Any]]:
        return await self._rows(
            sa.select(audit_log)
            .where(audit_log.c.object_id.in_(object_ids))
            .order_by(audit_log.c.seq)
        )

    # ------------------------------------------------------------------ refusals

    async def open_disputes(self, customer_id: str) -> list[str]:
        query = (
            sa.select(disputes.c.id)
            .join(payment_intents, payment_intents.c.id == disputes.c.payment_intent_id)
            .where(
                payment_intents.c.customer_id == customer_id,
                disputes.c.status.in_(OPEN_DISPUTES),
            )
        )
        return list((await self._conn.execute(query)).scalars())

    async def unpaid_invoices(self, customer_id: str) -> list[str]:
        query = sa.select(invoices.c.id).where(
            invoices.c.customer_id == customer_id,
            invoices.c.status == "open",
            invoices.c.amount_remaining > 0,
        )
        return list((await self._conn.execute(query)).scalars())

    async def live_subscriptions(self, customer_id: str) -> list[str]:
        query = sa.select(subscriptions.c.id).where(
            subscriptions.c.customer_id == customer_id,
            subscriptions.c.status.in_(LIVE_SUBSCRIPTIONS),
        )
        return list((await self._conn.execute(query)).scalars())

    async def retained_invoices(self, customer_id: str) -> list[tuple[date, str, str | None]]:
        """(issue date, legal entity id, its country) of every issued invoice."""
        rows = await self._conn.execute(
            sa.select(
                invoices.c.issue_date,
                invoices.c.created,
                legal_entities.c.id,
                legal_entities.c.address,
            )
            .join(legal_entities, legal_entities.c.id == invoices.c.legal_entity_id)
            .where(invoices.c.customer_id == customer_id, invoices.c.status != "draft")
        )
        return [
            (r.issue_date or r.created.date(), r.id, (r.address or {}).get("country")) for r in rows
        ]

    # ------------------------------------------------------------------ pseudonymising

    async def lock_customer(self, customer_id: str) -> None:
        query = sa.select(customers.c.id).where(customers.c.id == customer_id)
        if self.dialect == "postgresql":
            query = query.with_for_update()
        await self._conn.execute(query)

    async def erase_customer(self, customer_id: str, now: datetime) -> None:
        row = (
            await self._conn.execute(
                sa.select(customers.c.address).where(customers.c.id == customer_id)
            )
        ).one()
        await self._conn.execute(
            customers.update()
            .where(customers.c.id == customer_id)
            .values(
                name=None,
                email=None,
                email_bidx=None,
                phone=None,
                address=scrub_address(row.address),
                metadata={},
                preferred_locales=[],
                external_id=None,
                deleted_at=sa.func.coalesce(customers.c.deleted_at, now),
            )
        )
        await self._conn.execute(
            customer_tax_ids.update()
            .where(customer_tax_ids.c.customer_id == customer_id)
            .values(verified_name=None, verified_address=None)
        )

    async def _rewrite(
        self, table: sa.Table, column: str, where: Any, change: Callable[[Any], Any]
    ) -> int:
        count = 0
        rows = (await self._conn.execute(sa.select(table.c.id, table.c[column]).where(where))).all()
        for key, value in rows:
            new = change(value)
            if new != value:
                await self._conn.execute(
                    table.update().where(table.c.id == key).values({column: new})
                )
                count += 1
        return count

    async def erase_payments(
        self, customer_id: str, values: frozenset[str], charge_ids: list[str]
    ) -> dict[str, int]:
        counts = {
            "payment_methods": await self._rewrite(
                payment_methods,
                "billing_details",
                payment_methods.c.customer_id == customer_id,
                lambda b: {"address": scrub_address((b or {}).get("address"))} if b else {},
            ),
            "payment_intents": await self._rewrite(
                payment_intents,
                "receipt_email",
                payment_intents.c.customer_id == customer_id,
                lambda _e: None,
            ),
        }
        counts["fraud_assessments"] = await self._rewrite(
            fraud_assessments,
            "attributes",
            fraud_assessments.c.charge_id.in_(charge_ids),
            lambda a: scrub(a, values),
        )
        await self._conn.execute(
            fraud_assessments.update()
            .where(fraud_assessments.c.charge_id.in_(charge_ids))
            .values(email=None, ip_address=None)
        )
        await self._conn.execute(
            fraud_reviews.update()
            .where(fraud_reviews.c.charge_id.in_(charge_ids))
            .values(ip_address=None)
        )
        return counts

    async def erase_events(self, object_ids: list[str], values: frozenset[str]) -> dict[str, int]:
        ids = [
            r[0]
            for r in await self._conn.execute(
                sa.select(events.c.id).where(events.c.object_id.in_(object_ids))
            )
        ]
        scrubbed = await self._rewrite(
            events, "data", events.c.object_id.in_(object_ids), lambda d: scrub(d, values)
        )
        deliveries = await self._conn.execute(
            webhook_deliveries.update()
            .where(
                webhook_deliveries.c.event_id.in_(ids),
                webhook_deliveries.c.response_body.is_not(None),
            )
            .values(response_body=None)
        )

        def scrub_body(body: Any) -> Any:
            if body is None:
                return None
            try:
                return orjson.dumps(scrub(orjson.loads(body), values))
            except orjson.JSONDecodeError:
                return None

        responses = await self._rewrite(
            idempotency_keys,
            "response_body",
            idempotency_keys.c.resource_id.in_(object_ids),
            scrub_body,
        )
        return {
            "events": scrubbed,
            "webhook_deliveries": deliveries.rowcount or 0,
            "idempotency_responses": responses,
        }

    async def erase_invoice_snapshots(self, customer_id: str) -> int:
        rows = (
            await self._conn.execute(
                sa.select(invoices.c.id, invoices.c.customer_address).where(
                    invoices.c.customer_id == customer_id
                )
            )
        ).all()
        for key, address in rows:
            await self._conn.execute(
                invoices.update()
                .where(invoices.c.id == key)
                .values(
                    customer_name=ERASED,
                    customer_email=None,
                    customer_address=scrub_address(address),
                )
            )
        return len(rows)

    # ------------------------------------------------------------------ erasures

    async def erasure_of(self, customer_id: str) -> Erasure | None:
        row = (
            await self._conn.execute(
                sa.select(privacy_erasures).where(privacy_erasures.c.customer_id == customer_id)
            )
        ).first()
        return _erasure(row) if row else None

    async def add_erasure(self, erasure: Erasure) -> None:
        await self._conn.execute(
            privacy_erasures.insert().values(
                id=erasure.id,
                customer_id=erasure.customer_id,
                status=erasure.status.value,
                source=erasure.source,
                requested_at=erasure.requested_at,
                completed_at=erasure.completed_at,
                retained_until=erasure.retained_until,
                counts=erasure.counts,
                created=erasure.requested_at,
            )
        )

    async def save_erasure(self, erasure: Erasure) -> None:
        await self._conn.execute(
            privacy_erasures.update()
            .where(privacy_erasures.c.id == erasure.id)
            .values(
                status=erasure.status.value,
                completed_at=erasure.completed_at,
                counts=erasure.counts,
            )
        )

    async def due_erasures(self, today: date, limit: int = 100) -> list[Erasure]:
        query = (
            sa.select(privacy_erasures)
            .where(
                privacy_erasures.c.status == ErasureStatus.SCHEDULED.value,
                privacy_erasures.c.retained_until < today,
            )
            .order_by(privacy_erasures.c.id)
            .limit(limit)
        )
        if self.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [_erasure(r) for r in await self._conn.execute(query)]


def _erasure(row: Any) -> Erasure:
    counts: Mapping[str, int] = row.counts or {}
    return Erasure(
        id=row.id,
        customer_id=row.customer_id,
        status=ErasureStatus(row.status),
        source=row.source,
        requested_at=row.requested_at,
        completed_at=row.completed_at,
        retained_until=row.retained_until,
        counts=dict(counts),
    )
