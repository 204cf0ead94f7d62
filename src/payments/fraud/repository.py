"""All SQL of fraud prevention: rules, lists, reviews, assessments and the history
signals read from them, and the database's velocity counters."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa

from payments.fraud.domain.model import (
    Assessment,
    EarlyFraudWarning,
    Review,
    Rule,
    ValueList,
    ValueListItem,
)
from payments.fraud.domain.velocity import LONGEST, WINDOWS, CountQuery, Observation
from payments.fraud.tables import (
    fraud_assessments,
    fraud_early_fraud_warnings,
    fraud_reviews,
    fraud_rules,
    fraud_value_list_items,
    fraud_value_lists,
    fraud_velocity_events,
)
from payments.intents.tables import charges
from payments.platform.db.encrypted import BlindIndex
from payments.platform.db.fast import Fast
from payments.platform.db.records import RecordRepository
from payments.platform.db.types import UTCDateTime
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
_ASSESSMENT_AND_REVIEW = Fast(
    sa.select(fraud_assessments, fraud_reviews)
    .select_from(
        fraud_assessments.outerjoin(
            fraud_reviews, fraud_reviews.c.charge_id == fraud_assessments.c.charge_id
        )
    )
    .where(fraud_assessments.c.charge_id == sa.bindparam("charge_id"))
    .set_label_style(sa.LABEL_STYLE_TABLENAME_PLUS_COL)
)

RULES_CACHE_SECONDS = 1.0
"""How long :meth:`RuleRepository.enabled_for_cached` reuses the enabled rules it read:
a rule changed by another process applies within this time (by this process at once)."""

_RULES_CACHE: dict[tuple[str, str], tuple[float, list[Rule]]] = {}


class _Prefixed:
    """The columns of one table in a row labelled ``<table>_<column>``, as a row."""

    __slots__ = ("_mapping",)

    def __init__(self, mapping: Any, prefix: str) -> None:
        self._mapping = {k[len(prefix) :]: v for k, v in mapping.items() if k.startswith(prefix)}


class RuleRepository(RecordRepository[Rule]):
    table = fraud_rules
    record = Rule

    async def enabled_for_cached(self, location_id: str) -> list[Rule]:
        """:meth:`enabled_for` a shop, reusing a read of the last :data:`RULES_CACHE_SECONDS`
        (every card payment's assessment reads them; rules change rarely). The list is
        shared: do not change it or its rules."""
        key = (str(self._conn.engine.url), location_id)
        hit = _RULES_CACHE.get(key)
        now = time.monotonic()
        if hit is not None and hit[0] > now:
            return hit[1]
        rules = await self.enabled_for(location_id)
        if len(_RULES_CACHE) > 10_000:  # a bound, not an LRU: shops are few
            _RULES_CACHE.clear()
        _RULES_CACHE[key] = (now + RULES_CACHE_SECONDS, rules)
        return rules

    _wrote = False

    def _forget(self) -> None:
        _RULES_CACHE.clear()  # a global rule applies to every shop
        self._wrote = True

    async def add(self, obj: Rule) -> None:
        self._forget()
        await super().add(obj)

    async def save(self, obj: Rule) -> None:
        self._forget()
        await super().save(obj)

    async def before_commit(self) -> None:
        if self._wrote:  # nor keep what a payment read before this commit
            _RULES_CACHE.clear()

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
        self._forget()
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


@cache
def _history(with_customer: bool, with_card: bool) -> Fast:
    """The history signals' statement (see ``AssessmentRepository.history``), built once
    per shape: built per call it cost more than running it."""
    a, ch, w = fraud_assessments.c, charges.c, fraud_early_fraud_warnings.c
    joined = fraud_assessments.join(charges, ch.id == a.charge_id)
    paid = sa.select(a.amount_eur_cents).select_from(joined).where(ch.status == "succeeded")
    shop = paid.where(
        a.location_id == sa.bindparam("location_id"), a.created >= sa.bindparam("since")
    ).subquery()
    columns: list[Any] = [
        sa.select(sa.func.count()).select_from(shop).scalar_subquery().label("shop_count"),
        sa.select(sa.func.avg(shop.c.amount_eur_cents)).scalar_subquery().label("shop_avg"),
    ]
    if with_customer:
        mine = paid.where(a.customer_id == sa.bindparam("customer_id")).subquery()
        columns += [
            sa.select(sa.func.count()).select_from(mine).scalar_subquery().label("c_count"),
            sa.select(sa.func.avg(mine.c.amount_eur_cents)).scalar_subquery().label("c_avg"),
            sa.select(sa.func.count())
            .select_from(joined)
            .where(a.customer_id == sa.bindparam("customer_id"), ch.disputed.is_(True))
            .scalar_subquery()
            .label("c_disputes"),
            sa.select(sa.func.count())
            .select_from(refunds.join(fraud_assessments, a.charge_id == refunds.c.charge_id))
            .where(
                a.customer_id == sa.bindparam("customer_id"),
                refunds.c.created >= sa.bindparam("refunds_since"),
            )
            .scalar_subquery()
            .label("c_refunds"),
            sa.select(sa.func.count())
            .select_from(fraud_early_fraud_warnings)
            .where(w.customer_id == sa.bindparam("customer_id"))
            .scalar_subquery()
            .label("c_efw"),
        ]
    if with_card:
        columns += [
            sa.select(sa.func.count())
            .select_from(joined)
            .where(a.card_fingerprint == sa.bindparam("card_fingerprint"), ch.disputed.is_(True))
            .scalar_subquery()
            .label("card_disputes"),
            sa.select(sa.func.count())
            .select_from(fraud_early_fraud_warnings)
            .where(w.card_fingerprint == sa.bindparam("card_fingerprint"))
            .scalar_subquery()
            .label("card_efw"),
        ]
    return Fast(sa.select(*columns))


class AssessmentRepository(RecordRepository[Assessment]):
    table = fraud_assessments
    record = Assessment

    async def for_charge(self, charge_id: str) -> Assessment | None:
        row = (await self._conn.execute(_ASSESSMENT_FOR_CHARGE, {"charge_id": charge_id})).first()
        return self._from_row(row) if row else None

    async def with_review_for_charge(
        self, charge_id: str
    ) -> tuple[Assessment | None, Review | None]:
        """:meth:`for_charge` and ``ReviewRepository.for_charge`` in one statement (the
        review only when there is an assessment: no review without one)."""
        row = await _ASSESSMENT_AND_REVIEW.first(self._conn, {"charge_id": charge_id})
        if row is None:
            return None, None
        mapping = row._mapping
        assessment = self._from_row(_Prefixed(mapping, "fraud_assessments_"))
        if mapping["fraud_reviews_id"] is None:
            return assessment, None
        return assessment, ReviewRepository(self._conn)._from_row(
            _Prefixed(mapping, "fraud_reviews_")
        )

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
        """What the history signals read, in one statement: the customer's earlier
        successful payments (count, average in euro cents), the shop's average since
        ``since``, disputes and early fraud warnings on the card and the customer, the
        customer's refunds since ``refunds_since``."""
        params: dict[str, Any] = {"location_id": location_id, "since": since}
        if customer_id is not None:
            params.update(customer_id=customer_id, refunds_since=refunds_since)
        if card_fingerprint is not None:
            params["card_fingerprint"] = card_fingerprint
        statement = _history(customer_id is not None, card_fingerprint is not None)
        row = (await statement.first(self._conn, params))._mapping
        shop_count, shop_avg = int(row["shop_count"] or 0), row["shop_avg"]
        customer_avg = row.get("c_avg")
        return {
            "customer_count": int(row.get("c_count") or 0),
            "customer_avg": float(customer_avg) if customer_avg is not None else None,
            "shop_avg": float(shop_avg) if shop_count >= 3 and shop_avg is not None else None,
            "disputes_for_card": int(row.get("card_disputes") or 0),
            "disputes_for_customer": int(row.get("c_disputes") or 0),
            "refunds_per_customer_30d": int(row.get("c_refunds") or 0),
            "early_fraud_warnings_for_card": int(row.get("card_efw") or 0),
            "early_fraud_warnings_for_customer": int(row.get("c_efw") or 0),
        }


class EarlyFraudWarningRepository(RecordRepository[EarlyFraudWarning]):
    table = fraud_early_fraud_warnings
    record = EarlyFraudWarning

    async def by_gateway_ref(
        self, gateway: str, ref: str, *, for_update: bool = False
    ) -> EarlyFraudWarning | None:
        t = fraud_early_fraud_warnings.c
        query = sa.select(fraud_early_fraud_warnings).where(
            t.gateway == gateway, t.gateway_ref == ref
        )
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return self._from_row(row) if row is not None else None

    async def for_charge(self, charge_id: str) -> EarlyFraudWarning | None:
        found = await self.find(fraud_early_fraud_warnings.c.charge_id == charge_id)
        return found[0] if found else None

    async def actionable(
        self, *, location_id: str | None, limit: int = 50
    ) -> list[EarlyFraudWarning]:
        """Actionable warnings, newest first (the review queue shows them)."""
        t = fraud_early_fraud_warnings.c
        where: list[sa.ColumnElement[bool]] = [t.actionable.is_(True)]
        if location_id is not None:
            where.append(t.location_id == location_id)
        return await self.find(*where, order_by=t.id.desc(), limit=limit)


_EVENTS = fraud_velocity_events
_WINDOW_NAMES = tuple(WINDOWS)

# PostgreSQL: one statement per assessment records the sightings and counts every window
# of every (subject, kind) asked for, the new rows included (a data-modifying CTE's rows
# are not visible to the same statement's scan of the table, so they are added to it).
# Textual and constant: prepared once per connection by asyncpg, never compiled per call.
# the window columns, from the domain's constant window names (nothing from a request)
_PG_WINDOW_COUNTS = ", ".join(
    f'count(DISTINCT member) FILTER (WHERE at >= CAST(:start_{name} AS timestamptz)) AS "{name}"'
    for name in _WINDOW_NAMES
)
_PG_OBSERVE_AND_COUNT = Fast(
    sa.text(
        f"""
WITH new AS (
  INSERT INTO fraud_velocity_events (subject, kind, member, at)
  SELECT o.subject, o.kind, o.member, CAST(:now AS timestamptz)
  FROM unnest(CAST(:o_subjects AS text[]), CAST(:o_kinds AS text[]),
              CAST(:o_members AS text[])) AS o(subject, kind, member)
  RETURNING subject, kind, member, at
),
wanted AS (
  SELECT DISTINCT q.subject, q.kind
  FROM unnest(CAST(:q_subjects AS text[]), CAST(:q_kinds AS text[])) AS q(subject, kind)
),
seen AS (
  SELECT e.subject, e.kind, e.member, e.at
  FROM fraud_velocity_events e JOIN wanted w ON e.subject = w.subject AND e.kind = w.kind
  WHERE e.at >= CAST(:since AS timestamptz)
  UNION ALL
  SELECT n.subject, n.kind, n.member, n.at
  FROM new n JOIN wanted w ON n.subject = w.subject AND n.kind = w.kind
)
SELECT subject, kind, {_PG_WINDOW_COUNTS}
FROM seen GROUP BY subject, kind
"""  # noqa: S608 - only constant window names are formatted in; values are bound
    )
)

# SQLite (and any other database): the insert and one counting query, both built once
# (bound parameters only, so SQLAlchemy compiles each once and reuses it).
_INSERT = _EVENTS.insert()
_COUNT = (
    sa.select(
        _EVENTS.c.subject,
        _EVENTS.c.kind,
        *(
            sa.func.count(
                sa.distinct(
                    sa.case(
                        (
                            _EVENTS.c.at >= sa.bindparam(f"start_{name}", type_=UTCDateTime()),
                            _EVENTS.c.member,
                        )
                    )
                )
            ).label(name)
            for name in _WINDOW_NAMES
        ),
    )
    .where(
        sa.tuple_(_EVENTS.c.subject, _EVENTS.c.kind).in_(sa.bindparam("pairs", expanding=True)),
        _EVENTS.c.at >= sa.bindparam("since", type_=UTCDateTime()),
    )
    .group_by(_EVENTS.c.subject, _EVENTS.c.kind)
)


class VelocityRepository(Repository):
    """The database's velocity counters (see :mod:`payments.fraud.domain.velocity`): one
    row per sighting; a count is the number of distinct members since the window began.
    One round trip per assessment on PostgreSQL (sightings and counts in one statement)."""

    async def observe(
        self, observations: Sequence[Observation], queries: Sequence[CountQuery], now: datetime
    ) -> list[int]:
        starts = {f"start_{name}": now - window for name, window in WINDOWS.items()}
        # subjects are stored as keyed hashes (a BlindIndex column): the textual statement
        # binds them hashed by hand; the others hash them through the column's type; rows
        # come back hashed either way
        index_of = BlindIndex("velocity").process_bind_param
        subjects = {o.subject for o in observations} | {q.subject for q in queries}
        hashed = {subject: index_of(subject, self._conn.dialect) for subject in subjects}
        if self.dialect == "postgresql" and queries:
            rows: Sequence[Any] = await _PG_OBSERVE_AND_COUNT.all(
                self._conn,
                {
                    "now": now,
                    "o_subjects": [hashed[o.subject] for o in observations],
                    "o_kinds": [o.kind for o in observations],
                    "o_members": [o.member for o in observations],
                    "q_subjects": [hashed[q.subject] for q in queries],
                    "q_kinds": [q.kind for q in queries],
                    "since": now - LONGEST,
                    **starts,
                },
            )
        else:
            if observations:
                await self._conn.execute(
                    _INSERT,
                    [
                        {"subject": o.subject, "kind": o.kind, "member": o.member, "at": now}
                        for o in observations
                    ],
                )
            if not queries:
                return []
            pairs = sorted({(q.subject, q.kind) for q in queries})
            rows = (
                await self._conn.execute(_COUNT, {"pairs": pairs, "since": now - LONGEST, **starts})
            ).all()
        found = {(row[0], row[1]): row[2:] for row in rows}
        index = {name: i for i, name in enumerate(_WINDOW_NAMES)}
        return [
            int(counts[index[q.window]])
            if (counts := found.get((hashed[q.subject], q.kind)))
            else 0
            for q in queries
        ]

    async def purge(self, before: datetime) -> int:
        t = fraud_velocity_events
        result = await self._conn.execute(sa.delete(t).where(t.c.at < before))
        return int(result.rowcount or 0)
