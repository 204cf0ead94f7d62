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
from payments.platform.db.records import RecordRepository
from payments.platform.db.uow import Repository
from payments.refunds.tables import refunds

# the statements of every assessment, built once (building them cost more than running them)
_ENABLED_RULES = (
    sa.select(fraud_rules).where(fraud_rules.c.enabled.is_(True)).order_by(fraud_rules.c.id)
)
_ENABLED_RULES_FOR = _ENABLED_RULES.where(
    sa.or_(
        fraud_rules.c.location_id.is_(None),
        fraud_rules.c.location_id == sa.bindparam("location_id"),
    )
)
_REVIEW_FOR_CHARGE = sa.select(fraud_reviews).where(
    fraud_reviews.c.charge_id == sa.bindparam("charge_id")
)
_ASSESSMENT_FOR_CHARGE = sa.select(fraud_assessments).where(
    fraud_assessments.c.charge_id == sa.bindparam("charge_id")
)


class RuleRepository(RecordRepository[Rule]):
    table = fraud_rules
    record = Rule

    async def enabled_for(self, location_id: str | None) -> list[Rule]:
        """Enabled rules that apply to the shop (its own and the global ones); None: all."""
        if location_id is None:
            rows = await self._conn.execute(_ENABLED_RULES)
        else:
            rows = await self._conn.execute(_ENABLED_RULES_FOR, {"location_id": location_id})
        return [self._from_row(r) for r in rows.all()]

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
        row = (await self._conn.execute(_REVIEW_FOR_CHARGE, {"charge_id": charge_id})).first()
        return self._from_row(row) if row else None

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


def _history_statements() -> tuple[Any, ...]:
    """The history signals' statements (see :meth:`AssessmentRepository.history`)."""
    a, ch = fraud_assessments.c, charges.c
    assessed = fraud_assessments.join(charges, charges.c.id == a.charge_id)
    paid = sa.select(a.amount_eur_cents).select_from(assessed).where(ch.status == "succeeded")
    shop = paid.where(
        a.location_id == sa.bindparam("location_id"), a.created >= sa.bindparam("since")
    ).subquery()
    mine = paid.where(a.customer_id == sa.bindparam("customer_id")).subquery()
    disputed = sa.select(sa.func.count()).select_from(assessed)
    return (
        sa.select(sa.func.count(), sa.func.avg(shop.c.amount_eur_cents)),
        sa.select(sa.func.count(), sa.func.avg(mine.c.amount_eur_cents)),
        disputed.where(a.customer_id == sa.bindparam("customer_id"), ch.disputed.is_(True)),
        sa.select(sa.func.count())
        .select_from(refunds.join(fraud_assessments, a.charge_id == refunds.c.charge_id))
        .where(
            a.customer_id == sa.bindparam("customer_id"),
            refunds.c.created >= sa.bindparam("refunds_since"),
        ),
        disputed.where(
            a.card_fingerprint == sa.bindparam("card_fingerprint"), ch.disputed.is_(True)
        ),
    )


_SHOP_PAID, _CUSTOMER_PAID, _CUSTOMER_DISPUTES, _CUSTOMER_REFUNDS, _CARD_DISPUTES = (
    _history_statements()
)


class AssessmentRepository(RecordRepository[Assessment]):
    table = fraud_assessments
    record = Assessment

    async def for_charge(self, charge_id: str) -> Assessment | None:
        row = (await self._conn.execute(_ASSESSMENT_FOR_CHARGE, {"charge_id": charge_id})).first()
        return self._from_row(row) if row else None

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
        out: dict[str, Any] = {
            "customer_count": 0,
            "customer_avg": None,
            "shop_avg": None,
            "disputes_for_card": 0,
            "disputes_for_customer": 0,
            "refunds_per_customer_30d": 0,
        }
        row = (
            await self._conn.execute(_SHOP_PAID, {"location_id": location_id, "since": since})
        ).one()
        out["shop_avg"] = float(row[1]) if row[0] >= 3 and row[1] is not None else None
        if customer_id is not None:
            customer = {"customer_id": customer_id}
            row = (await self._conn.execute(_CUSTOMER_PAID, customer)).one()
            out["customer_count"] = int(row[0])
            out["customer_avg"] = float(row[1]) if row[1] is not None else None
            out["disputes_for_customer"] = int(
                (await self._conn.execute(_CUSTOMER_DISPUTES, customer)).scalar_one()
            )
            refunded = customer | {"refunds_since": refunds_since}
            out["refunds_per_customer_30d"] = int(
                (await self._conn.execute(_CUSTOMER_REFUNDS, refunded)).scalar_one()
            )
        if card_fingerprint is not None:
            disputed = {"card_fingerprint": card_fingerprint}
            out["disputes_for_card"] = int(
                (await self._conn.execute(_CARD_DISPUTES, disputed)).scalar_one()
            )
        return out


def _counts(pairs: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """Distinct members per (subject, kind) in each window, built once: building it per
    assessment (the tuple IN's literal coercion above all) cost more than running it."""
    t = fraud_velocity_events
    columns = [
        sa.func.count(
            sa.distinct(sa.case((t.c.at >= sa.bindparam(f"start_{name}"), t.c.member)))
        ).label(name)
        for name in WINDOWS
    ]
    return (
        sa.select(t.c.subject, t.c.kind, *columns)
        .where(pairs, t.c.at >= sa.bindparam("since"))
        .group_by(t.c.subject, t.c.kind)
    )


_COUNTS = _counts(
    sa.tuple_(fraud_velocity_events.c.subject, fraud_velocity_events.c.kind).in_(
        sa.bindparam("pairs", expanding=True)
    )
)
_COUNTS_ONE = _counts(
    sa.and_(
        fraud_velocity_events.c.subject == sa.bindparam("subject"),
        fraud_velocity_events.c.kind == sa.bindparam("kind"),
    )
)


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
        starts = {f"start_{name}": now - window for name, window in WINDOWS.items()}
        query = _COUNTS if len(pairs) > 1 else _COUNTS_ONE
        params: dict[str, Any] = starts | {"since": now - LONGEST}
        if len(pairs) > 1:
            params["pairs"] = pairs
        else:
            params["subject"], params["kind"] = pairs[0]
        found = {
            (row.subject, row.kind): {name: int(row._mapping[name]) for name in WINDOWS}
            for row in (await self._conn.execute(query, params)).all()
        }
        return [found.get((q.subject, q.kind), {}).get(q.window, 0) for q in queries]

    async def purge(self, before: datetime) -> int:
        t = fraud_velocity_events
        result = await self._conn.execute(sa.delete(t).where(t.c.at < before))
        return int(result.rowcount or 0)
