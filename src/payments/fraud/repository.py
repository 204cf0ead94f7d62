"""All SQL of fraud prevention: rules, lists, reviews, assessments and the history
signals read from them, and the database's velocity counters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from payments.fraud.domain.model import (
    Assessment,
    Review,
    Rule,
    ValueList,
    ValueListItem,
)
from payments.fraud.domain.velocity import LONGEST, WINDOWS, CountQuery, Observation
from payments.fraud.tables import (
    fraud_assessments,
    fraud_reviews,
    fraud_rules,
    fraud_value_list_items,
    fraud_value_lists,
    fraud_velocity_events,
)
from payments.intents.tables import charges
from payments.platform.db.encrypted import BlindIndex
from payments.platform.db.records import RecordRepository
from payments.platform.db.uow import Repository
from payments.refunds.tables import refunds


class RuleRepository(RecordRepository[Rule]):
    table = fraud_rules
    record = Rule

    async def enabled_for(self, location_id: str | None) -> list[Rule]:
        """Enabled rules that apply to the shop (its own and the global ones); None: all."""
        t = fraud_rules.c
        where: list[sa.ColumnElement[bool]] = [t.enabled.is_(True)]
        if location_id is not None:
            where.append(sa.or_(t.location_id.is_(None), t.location_id == location_id))
        return await self.find(*where, order_by=t.id)

    async def all_for(self, location_id: str | None) -> list[Rule]:
        """Every rule (enabled or not) a key of ``location_id`` sees (None: all)."""
        t = fraud_rules.c
        where: list[sa.ColumnElement[bool]] = []
        if location_id is not None:
            where.append(sa.or_(t.location_id.is_(None), t.location_id == location_id))
        return await self.find(*where, order_by=t.id)

    async def delete(self, rule_id: str) -> None:
        await self._conn.execute(sa.delete(fraud_rules).where(fraud_rules.c.id == rule_id))


class ValueListRepository(RecordRepository[ValueList]):
    table = fraud_value_lists
    record = ValueList

    async def by_alias(self, alias: str) -> ValueList | None:
        found = await self.find(fraud_value_lists.c.alias == alias)
        return found[0] if found else None

    async def by_aliases(self, aliases: Sequence[str]) -> dict[str, ValueList]:
        if not aliases:
            return {}
        found = await self.find(fraud_value_lists.c.alias.in_(sorted(set(aliases))))
        return {v.alias: v for v in found}

    async def delete(self, list_id: str) -> None:
        await self._conn.execute(
            sa.delete(fraud_value_list_items).where(
                fraud_value_list_items.c.value_list_id == list_id
            )
        )
        await self._conn.execute(
            sa.delete(fraud_value_lists).where(fraud_value_lists.c.id == list_id)
        )


class ValueListItemRepository(RecordRepository[ValueListItem]):
    table = fraud_value_list_items
    record = ValueListItem

    async def find_value(self, list_id: str, value: str) -> ValueListItem | None:
        t = fraud_value_list_items.c
        found = await self.find(t.value_list_id == list_id, t.value == value)
        return found[0] if found else None

    async def values_by_alias(self, aliases: Sequence[str]) -> dict[str, frozenset[str]]:
        """Every value of the named lists, lower-cased (matching is case-insensitive)."""
        if not aliases:
            return {}
        lists, items = fraud_value_lists.c, fraud_value_list_items.c
        query = (
            sa.select(lists.alias, items.value)
            .select_from(fraud_value_lists.join(fraud_value_list_items, isouter=True))
            .where(lists.alias.in_(sorted(set(aliases))))
        )
        found: dict[str, set[str]] = {alias: set() for alias in aliases}
        for alias, value in (await self._conn.execute(query)).all():
            if value is not None:
                found.setdefault(alias, set()).add(value.lower())
        return {alias: frozenset(values) for alias, values in found.items()}

    async def delete(self, item_id: str) -> None:
        await self._conn.execute(
            sa.delete(fraud_value_list_items).where(fraud_value_list_items.c.id == item_id)
        )


class ReviewRepository(RecordRepository[Review]):
    table = fraud_reviews
    record = Review

    async def for_charge(self, charge_id: str) -> Review | None:
        found = await self.find(fraud_reviews.c.charge_id == charge_id)
        return found[0] if found else None

    async def claim_expired(self, *, now: datetime, lease: timedelta, limit: int) -> list[Review]:
        """Open reviews past their expiry and not leased by another worker: leased to this
        one (``SKIP LOCKED`` on PostgreSQL), so each is canceled once."""
        t = fraud_reviews.c
        query = (
            sa.select(fraud_reviews)
            .where(
                t.open.is_(True),
                t.expires_at <= now,
                sa.or_(t.locked_until.is_(None), t.locked_until <= now),
            )
            .order_by(t.expires_at)
            .limit(limit)
        )
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        claimed = [self._from_row(r) for r in (await self._conn.execute(query)).all()]
        if claimed:
            await self._conn.execute(
                sa.update(fraud_reviews)
                .where(t.id.in_([r.id for r in claimed]))
                .values(locked_until=now + lease)
            )
        return claimed


class AssessmentRepository(RecordRepository[Assessment]):
    table = fraud_assessments
    record = Assessment

    async def for_charge(self, charge_id: str) -> Assessment | None:
        found = await self.find(fraud_assessments.c.charge_id == charge_id)
        return found[0] if found else None

    async def recent(self, limit: int, *, location_id: str | None = None) -> list[Assessment]:
        t = fraud_assessments.c
        where = [] if location_id is None else [t.location_id == location_id]
        return await self.find(*where, order_by=t.id.desc(), limit=limit)

    async def history(
        self,
        *,
        customer_id: str | None,
        card_fingerprint: str | None,
        location_id: str,
        since: datetime,
        refunds_since: datetime,
    ) -> dict[str, Any]:
        """What the history signals read: the customer's earlier successful payments
        (count, average in euro cents), the shop's average since ``since``, disputes on
        the card and the customer, the customer's refunds since ``refunds_since``."""
        a, ch = fraud_assessments.c, charges.c
        paid = (
            sa.select(a.amount_eur_cents)
            .select_from(fraud_assessments.join(charges, charges.c.id == a.charge_id))
            .where(ch.status == "succeeded")
        )
        out: dict[str, Any] = {
            "customer_count": 0,
            "customer_avg": None,
            "shop_avg": None,
            "disputes_for_card": 0,
            "disputes_for_customer": 0,
            "refunds_per_customer_30d": 0,
        }
        shop = paid.where(a.location_id == location_id, a.created >= since).subquery()
        row = (
            await self._conn.execute(
                sa.select(sa.func.count(), sa.func.avg(shop.c.amount_eur_cents))
            )
        ).one()
        out["shop_avg"] = float(row[1]) if row[0] >= 3 and row[1] is not None else None
        if customer_id is not None:
            mine = paid.where(a.customer_id == customer_id).subquery()
            row = (
                await self._conn.execute(
                    sa.select(sa.func.count(), sa.func.avg(mine.c.amount_eur_cents))
                )
            ).one()
            out["customer_count"] = int(row[0])
            out["customer_avg"] = float(row[1]) if row[1] is not None else None
            disputed = sa.select(sa.func.count()).select_from(
                fraud_assessments.join(charges, charges.c.id == a.charge_id)
            )
            out["disputes_for_customer"] = int(
                (
                    await self._conn.execute(
                        disputed.where(a.customer_id == customer_id, ch.disputed.is_(True))
                    )
                ).scalar_one()
            )
            refunded = (
                sa.select(sa.func.count())
                .select_from(refunds.join(fraud_assessments, a.charge_id == refunds.c.charge_id))
                .where(a.customer_id == customer_id, refunds.c.created >= refunds_since)
            )
            out["refunds_per_customer_30d"] = int((await self._conn.execute(refunded)).scalar_one())
        if card_fingerprint is not None:
            disputed = (
                sa.select(sa.func.count())
                .select_from(fraud_assessments.join(charges, charges.c.id == a.charge_id))
                .where(a.card_fingerprint == card_fingerprint, ch.disputed.is_(True))
            )
            out["disputes_for_card"] = int((await self._conn.execute(disputed)).scalar_one())
        return out


class VelocityRepository(Repository):
    """The database's velocity counters (see :mod:`payments.fraud.domain.velocity`): one
    row per sighting; a count is the number of distinct members since the window began."""

    async def observe(
        self, observations: Sequence[Observation], queries: Sequence[CountQuery], now: datetime
    ) -> list[int]:
        t = fraud_velocity_events
        if observations:
            await self._conn.execute(
                t.insert(),
                [
                    {"subject": o.subject, "kind": o.kind, "member": o.member, "at": now}
                    for o in observations
                ],
            )
        if not queries:
            return []
        pairs = sorted({(q.subject, q.kind) for q in queries})
        starts = {name: now - window for name, window in WINDOWS.items()}
        columns = [
            sa.func.count(sa.distinct(sa.case((t.c.at >= starts[name], t.c.member)))).label(name)
            for name in WINDOWS
        ]
        query = (
            sa.select(t.c.subject, t.c.kind, *columns)
            .where(
                sa.tuple_(t.c.subject, t.c.kind).in_(pairs)
                if len(pairs) > 1
                else sa.and_(t.c.subject == pairs[0][0], t.c.kind == pairs[0][1]),
                t.c.at >= now - LONGEST,
            )
            .group_by(t.c.subject, t.c.kind)
        )
        found = {
            (row.subject, row.kind): {name: int(row._mapping[name]) for name in WINDOWS}
            for row in (await self._conn.execute(query)).all()
        }
        # subjects are stored as keyed hashes (a BlindIndex column): look them up hashed
        hashed = BlindIndex("velocity").process_bind_param
        return [
            found.get((hashed(q.subject, self._conn.dialect), q.kind), {}).get(q.window, 0)
            for q in queries
        ]

    async def purge(self, before: datetime) -> int:
        t = fraud_velocity_events
        result = await self._conn.execute(sa.delete(t).where(t.c.at < before))
        return int(result.rowcount or 0)
